"""Optimizer trajectories in 3-D: one polyline per run just above the surface, the current
point marked with a dot, the start with a small ring.

``set_run`` hands CPU arrays to the child items, which mark them dirty and upload them in
``paint``; the view calls it at most once per worker batch (about 60 Hz), and Qt merges the
repaints.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pyqtgraph.opengl as gl
from OpenGL import GL
from pyqtgraph.opengl.GLGraphicsItem import GLGraphicsItem

ON_TOP = {
    GL.GL_DEPTH_TEST: False,
    GL.GL_BLEND: True,
    GL.GL_CULL_FACE: False,
    "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA),
}
"""GL state for markers drawn over everything (after the surface: depth value 10)."""
LINE_WIDTH = 3.0
MARKER_SIZE = 15.0


def _rgba(colour: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    c = pg.mkColor(colour)
    return (c.redF(), c.greenF(), c.blueF(), alpha)


class _RunItems:
    def __init__(self, parent: GLGraphicsItem) -> None:
        self.line = gl.GLLinePlotItem(
            parentItem=parent,
            mode="line_strip",
            width=LINE_WIDTH,
            antialias=False,
            glOptions="translucent",
        )
        self.start = gl.GLScatterPlotItem(parentItem=parent, size=MARKER_SIZE * 0.7, pxMode=True)
        self.head = gl.GLScatterPlotItem(parentItem=parent, size=MARKER_SIZE, pxMode=True)
        self.line.setGLOptions("translucent")
        # Markers are screen-sized sprites: depth-tested, a steep wall (Rosenbrock's valley in
        # log height) hides half of them or all. They mark where a run is, so they stay on top.
        for item in (self.start, self.head):
            item.setGLOptions(ON_TOP)
        # Drawn after the surface so the lines win ties with the mesh.
        for item in (self.line, self.start, self.head):
            item.setDepthValue(10)

    def items(self):
        return (self.line, self.start, self.head)


class GLTrajectories(GLGraphicsItem):
    """All runs' trajectories; children are created per run and removed with it."""

    def __init__(self, parentItem=None) -> None:
        super().__init__(parentItem=parentItem)
        self.setDepthValue(10)
        self._runs: dict[int, _RunItems] = {}

    def run_ids(self) -> list[int]:
        return list(self._runs)

    def set_run(self, run_id: int, world: np.ndarray, colour: str, visible: bool = True) -> None:
        """Show run ``run_id`` as the polyline through ``world`` (k, 3) in ``colour``."""
        items = self._runs.get(run_id)
        if items is None:
            items = self._runs[run_id] = _RunItems(self)
        world = np.asarray(world, dtype=np.float32)
        world = world[np.isfinite(world).all(axis=1)]
        rgba = _rgba(colour)
        if len(world) == 0:
            visible = False
        for item in items.items():
            item.setVisible(visible)
        if not visible:
            return
        items.line.setData(pos=world, color=rgba)
        items.start.setData(pos=world[:1], color=_rgba(colour, 0.8), size=MARKER_SIZE * 0.7)
        items.head.setData(pos=world[-1:], color=rgba, size=MARKER_SIZE)

    def remove_run(self, run_id: int) -> None:
        items = self._runs.pop(run_id, None)
        if items is None:
            return
        for item in items.items():
            item.setParentItem(None)
        self.update()

    def clear(self) -> None:
        for run_id in list(self._runs):
            self.remove_run(run_id)
