"""Critical-point markers in the 3-D view: the same shapes and colours as the 2-D markers and
the legend (minimum ●, maximum ▲, saddle ✖, degenerate ◆), each with a dark outline.

GL point sprites can only draw round spots, so this item projects its points with the view's
camera and paints pyqtgraph's own symbol paths (those of the 2-D scatter item) with a QPainter,
over the finished scene as the in-scene legend does: a marker never hides in a valley.
Positions arrive already lifted into the view's scene coordinates.
"""

from __future__ import annotations

import numpy as np
from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols
from pyqtgraph.opengl import GLGraphicsItem
from PySide6 import QtCore, QtGui

from saddlelab.app.style import CLASS_COLOURS, CLASS_SYMBOLS

SIZE = 18.0
"""Marker size in pixels (isolated points; points sampled along a curve are smaller)."""
OUTLINE = 1.6
"""Width in pixels of the dark outline."""


class GLCriticalMarkersItem(GLGraphicsItem.GLGraphicsItem):
    """``setData(pos, classes, isolated)``: one marker per point, shaped and coloured by class."""

    def __init__(self, parentItem=None) -> None:
        super().__init__(parentItem=parentItem)
        self.setDepthValue(900)  # painted after the scene's geometry, before the legend
        self._pos = np.zeros((0, 3), np.float32)
        self._classes: list[str] = []
        self._sizes = np.zeros(0)
        self.size = SIZE
        """Diameter of an isolated point's marker in pixels (presentation mode: larger)."""

    def setData(self, pos=None, classes=(), isolated=None) -> None:  # noqa: N802
        """Scene positions (n, 3), class names and (optional) isolated flags per point."""
        pos = np.zeros((0, 3), np.float32) if pos is None else np.asarray(pos, np.float32)
        self._pos = pos.reshape(-1, 3)
        self._classes = list(classes)
        iso = np.ones(len(self._pos), bool) if isolated is None else np.asarray(isolated, bool)
        self._sizes = np.where(iso, self.size, 0.65 * self.size)
        self.update()

    def clear(self) -> None:
        self.setData()

    def classes(self) -> list[str]:
        return list(self._classes)

    def symbols(self) -> list[str]:
        """The pyqtgraph symbol of each marker (the 2-D view and the legend use the same)."""
        return [CLASS_SYMBOLS.get(c, "o") for c in self._classes]

    def positions(self) -> np.ndarray:
        return np.array(self._pos, dtype=float).reshape(-1, 3)

    def screen_points(self) -> list[QtCore.QPointF | None]:
        """Where each marker is drawn, in the view's pixels (None: behind the camera)."""
        view = self.view()
        if view is None:
            return [None] * len(self._pos)
        mvp = self.mvpMatrix()
        w, h = view.width(), view.height()
        out: list[QtCore.QPointF | None] = []
        for x, y, z in self._pos:
            clip = mvp.map(QtGui.QVector4D(float(x), float(y), float(z), 1.0))
            if clip.w() <= 0:
                out.append(None)
                continue
            nx, ny = clip.x() / clip.w(), clip.y() / clip.w()
            out.append(QtCore.QPointF((nx + 1) / 2 * w, (1 - ny) / 2 * h))
        return out

    def paint(self) -> None:
        if not len(self._pos):
            return
        # One path per class (a fill and an outline each), however many markers there are.
        paths: dict[str, QtGui.QPainterPath] = {}
        points = self.screen_points()  # the camera of this frame
        for point, cls, symbol, size in zip(
            points, self._classes, self.symbols(), self._sizes, strict=True
        ):
            if point is None:
                continue
            place = QtGui.QTransform.fromTranslate(point.x(), point.y()).scale(size, size)
            if cls not in paths:
                paths[cls] = QtGui.QPainterPath()
                paths[cls].setFillRule(QtCore.Qt.FillRule.WindingFill)  # overlaps stay filled
            paths[cls].addPath(place.map(Symbols[symbol]))
        painter = self.view().overlay_painter()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        pen = QtGui.QPen(QtGui.QColor(0, 0, 0, 230), OUTLINE)
        pen.setCosmetic(True)
        painter.setPen(pen)
        for cls, path in paths.items():
            painter.setBrush(QtGui.QColor(CLASS_COLOURS.get(cls, "#ffffff")))
            painter.drawPath(path)
        painter.end()
