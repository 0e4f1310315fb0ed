"""The swarm as one GL point cloud, for any 3-D view that says where a point goes.

``SwarmPoints(world)``: ``world(points)`` maps (N, d) parameter points to (N, 3) scene
coordinates; the height map passes ``lambda p: view.world(p[:, :2], lift)`` (points lifted onto
the surface of the displayed slice), the parameter-space view its own ``world``. Colours are
one RGBA row per point, looked up from the outcome keys in one numpy indexing (no per-point
Python), and uploaded by pyqtgraph's scatter item in ``paint``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
import pyqtgraph.opengl as gl
from OpenGL import GL

from saddlelab.app.scene3d.trajectories import ON_TOP

POINTS_OPTIONS = {**ON_TOP, GL.GL_DEPTH_TEST: True}
"""As the trajectories' markers, but hidden behind the surface's hills."""
DEPTH = 11
"""Drawn after the surface and the trajectories' lines (10)."""


def point_size(n: int) -> float:
    return 5.0 if n <= 5_000 else 4.0 if n <= 30_000 else 3.0


def rgba_table(colours: dict[int, str]) -> tuple[np.ndarray, int]:
    """(table, offset): row ``key + offset`` of ``table`` is the RGBA (0-1) of outcome key."""
    offset = -min(colours)
    table = np.zeros((max(colours) + offset + 1, 4), dtype=np.float32)
    for key, colour in colours.items():
        c = pg.mkColor(colour)
        table[key + offset] = (c.redF(), c.greenF(), c.blueF(), 1.0)
    return table, offset


class SwarmPoints(gl.GLScatterPlotItem):
    """The particles, coloured by outcome; ``set_points`` again after the world changes."""

    def __init__(self, world: Callable[[np.ndarray], np.ndarray]) -> None:
        super().__init__(pos=np.zeros((0, 3)), size=4.0, pxMode=True)
        self.world = world
        self.setGLOptions(POINTS_OPTIONS)
        self.setDepthValue(DEPTH)
        self.count = 0

    def set_points(self, points: np.ndarray, keys: np.ndarray, colours: dict[int, str]) -> None:
        """``points`` (N, d) parameter points, ``keys`` (N,) outcome keys of ``colours``."""
        if len(points) == 0:
            self.clear()
            return
        table, offset = rgba_table(colours)
        pos = np.asarray(self.world(points), dtype=np.float32)
        colour = table[np.asarray(keys, dtype=np.int64) + offset]
        finite = np.isfinite(pos).all(axis=1)
        self.setData(pos=pos[finite], color=colour[finite], size=point_size(len(points)))
        self.count = int(finite.sum())

    def clear(self) -> None:
        self.setData(pos=np.zeros((0, 3), dtype=np.float32))
        self.count = 0
