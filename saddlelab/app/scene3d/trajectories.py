"""Optimizer trajectories in 3-D: one polyline per run just above the surface, the current
point marked with a dot, the start with a small ring.

``set_run`` hands CPU arrays to the child items, which mark them dirty and upload them in
``paint``; the view calls it at most once per redraw of a run, and the frame scheduler merges
the repaints.
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


class _Run:
    """One run's share of the merged items: its segments (pairs of points) and its ends."""

    def __init__(self, world: np.ndarray, colour: str) -> None:
        seg = np.empty((max(len(world) - 1, 0), 2, 3), dtype=np.float32)
        seg[:, 0], seg[:, 1] = world[:-1], world[1:]
        self.segments = seg.reshape(-1, 3)
        self.colour = _rgba(colour)
        self.start, self.head = world[0], world[-1]


class GLTrajectories(GLGraphicsItem):
    """All runs' trajectories in three child items (lines, start rings, current points).

    One item per run and kind cost a fixed amount of Python and driver work per item and
    frame: with five runs, fifteen items were a quarter of a software-OpenGL frame. Here a
    run's change rebuilds the merged arrays (a few thousand points), uploaded in ``paint``.
    """

    def __init__(self, parentItem=None) -> None:
        super().__init__(parentItem=parentItem)
        self.setDepthValue(10)
        self._runs: dict[int, _Run | None] = {}
        self.line_scale = 1.0
        """Factor on line widths and marker sizes (presentation mode)."""
        self.lines = gl.GLLinePlotItem(
            parentItem=self,
            mode="lines",
            width=LINE_WIDTH,
            antialias=False,
            glOptions="translucent",
        )
        self.starts = gl.GLScatterPlotItem(parentItem=self, pxMode=True)
        self.heads = gl.GLScatterPlotItem(parentItem=self, pxMode=True)
        # Markers are screen-sized sprites: depth-tested, a steep wall (Rosenbrock's valley in
        # log height) hides half of them or all. They mark where a run is, so they stay on top.
        for item in (self.starts, self.heads):
            item.setGLOptions(ON_TOP)
        # Drawn after the surface so the lines win ties with the mesh.
        for item in (self.lines, self.starts, self.heads):
            item.setDepthValue(10)
            item.setVisible(False)

    def run_ids(self) -> list[int]:
        return list(self._runs)

    def set_run(self, run_id: int, world: np.ndarray, colour: str, visible: bool = True) -> None:
        """Show run ``run_id`` as the polyline through ``world`` (k, 3) in ``colour``."""
        world = np.asarray(world, dtype=np.float32)
        world = world[np.isfinite(world).all(axis=1)]
        self._runs[run_id] = _Run(world, colour) if visible and len(world) else None
        self._rebuild()

    def remove_run(self, run_id: int) -> None:
        if run_id in self._runs:
            del self._runs[run_id]
            self._rebuild()

    def clear(self) -> None:
        self._runs.clear()
        self._rebuild()

    def set_line_scale(self, scale: float) -> None:
        """Thicker lines and larger markers (presentation mode)."""
        self.line_scale = float(scale)
        self.lines.setData(width=LINE_WIDTH * self.line_scale)
        self._rebuild()

    def _rebuild(self) -> None:
        runs = [r for r in self._runs.values() if r is not None]
        segments = [r for r in runs if len(r.segments)]
        if segments:
            self.lines.setData(
                pos=np.concatenate([r.segments for r in segments]),
                color=np.repeat(
                    np.array([r.colour for r in segments], dtype=np.float32),
                    [len(r.segments) for r in segments],
                    axis=0,
                ),
            )
        if runs:
            colours = np.array([r.colour for r in runs], dtype=np.float32)
            rings = colours.copy()
            rings[:, 3] = 0.8
            starts = np.array([r.start for r in runs])
            heads = np.array([r.head for r in runs])
            self.starts.setData(pos=starts, color=rings, size=MARKER_SIZE * 0.7 * self.line_scale)
            self.heads.setData(pos=heads, color=colours, size=MARKER_SIZE * self.line_scale)
        shown = ((self.lines, bool(segments)), (self.starts, bool(runs)), (self.heads, bool(runs)))
        for item, on in shown:
            if item.visible() != on:
                item.setVisible(on)
        self.update()
