"""Critical-point markers in the 3-D view: round spots coloured by class, with a dark rim.

A plain GL group item whose two children are pyqtgraph scatter items (a dark, larger one for
the rim and the coloured one on top), both drawn over the surface so a marker never hides in a
valley. Positions arrive already lifted into the view's scene coordinates.
"""

from __future__ import annotations

import numpy as np
from pyqtgraph.opengl import GLGraphicsItem, GLScatterPlotItem

from saddlelab.app.scene3d.primitives import DRAW_ON_TOP
from saddlelab.app.style import CLASS_COLOURS, rgba

SIZE = 16.0
"""Marker diameter in pixels (isolated points; points sampled along a curve are smaller)."""


class GLCriticalMarkersItem(GLGraphicsItem.GLGraphicsItem):
    """Group item: ``setData(pos, classes, isolated)`` fills the rim and fill scatter children."""

    def __init__(self, parentItem=None) -> None:
        super().__init__(parentItem=parentItem)
        self.setDepthValue(20)
        self.rim = GLScatterPlotItem(parentItem=self, glOptions=DRAW_ON_TOP)
        self.fill = GLScatterPlotItem(parentItem=self, glOptions=DRAW_ON_TOP)
        self.rim.setDepthValue(0)
        self.fill.setDepthValue(1)
        self._classes: list[str] = []
        self.size = SIZE
        """Diameter of an isolated point's marker in pixels (presentation mode: larger)."""
        self.setData()

    def setData(self, pos=None, classes=(), isolated=None) -> None:  # noqa: N802
        """Scene positions (n, 3), class names and (optional) isolated flags per point."""
        pos = np.zeros((0, 3), np.float32) if pos is None else np.asarray(pos, np.float32)
        pos = pos.reshape(-1, 3)
        self._classes = list(classes)
        iso = np.ones(len(pos), bool) if isolated is None else np.asarray(isolated, bool)
        size = np.where(iso, self.size, 0.6 * self.size).astype(np.float32)
        colour = np.array(
            [rgba(CLASS_COLOURS.get(c, "#ffffff")) for c in self._classes], np.float32
        )
        colour = colour.reshape(-1, 4)
        self.rim.setData(
            pos=pos, size=size + 6.0, color=np.tile((0.0, 0.0, 0.0, 0.9), (len(pos), 1))
        )
        self.fill.setData(pos=pos, size=size, color=colour)
        self.update()

    def clear(self) -> None:
        self.setData()

    def classes(self) -> list[str]:
        return list(self._classes)

    def positions(self) -> np.ndarray:
        return np.array(self.fill.pos, dtype=float).reshape(-1, 3)
