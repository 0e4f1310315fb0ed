"""The parameter-space box: its 12 edges, tick values along three of them and the variable
names, painted in one QPainter pass (as ``axes.GLAxes`` does for the height map)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pyqtgraph.opengl as gl
from pyqtgraph.opengl.GLGraphicsItem import GLGraphicsItem
from PySide6 import QtCore, QtGui

from saddlelab.app.scene3d.axes import (
    FONT_SIZE,
    FRAME_ALPHA,
    FRAME_COLOUR,
    LABEL_COLOUR,
    nice_ticks,
)
from saddlelab.app.scene3d.axes import _pixel as pixel
from saddlelab.core.numbers import fmt

TICK_OUT = 1.1
NAME_OUT = 1.28


def box_edges() -> np.ndarray:
    """(24, 3) endpoints of the cube [-1, 1]^3's edges."""
    out = []
    for axis in range(3):
        others = [k for k in range(3) if k != axis]
        for a in (-1, 1):
            for b in (-1, 1):
                p, q = np.zeros(3), np.zeros(3)
                p[others], q[others] = (a, b), (a, b)
                p[axis], q[axis] = -1, 1
                out += [p, q]
    return np.array(out, dtype=np.float32)


# Where each axis' ticks run: along the axis, at these fixed coordinates of the other two.
TICK_EDGES = (
    {1: -1.0, 2: -1.0},
    {0: 1.0, 2: -1.0},
    {0: -1.0, 1: -1.0},
)
OUTWARD = (np.array([0, -1, -1.0]), np.array([1, 0, -1.0]), np.array([-1, -1, 0.0]))


class GLSpaceAxes(GLGraphicsItem):
    """``set_axes(domain, names)``: frame, ticks (core/numbers.fmt) and axis names."""

    def __init__(self, parentItem=None) -> None:
        super().__init__(parentItem=parentItem)
        self.setGLOptions("translucent")
        colour = (*pg.mkColor(FRAME_COLOUR).getRgbF()[:3], FRAME_ALPHA)
        self.frame = gl.GLLinePlotItem(
            parentItem=self, mode="lines", pos=box_edges(), color=colour, width=1.5,
            glOptions="translucent",
        )  # fmt: skip
        self.font = QtGui.QFont()
        self.font.setPointSizeF(FONT_SIZE)
        self.name_font = QtGui.QFont(self.font)
        self.name_font.setBold(True)
        self.name_font.setPointSizeF(FONT_SIZE + 3)
        self._labels: list[tuple[np.ndarray, str, bool]] = []

    def set_font_size(self, points: float) -> None:
        self.font.setPointSizeF(points)
        self.name_font.setPointSizeF(points + 3)
        self.update()

    def set_axes(self, domain, names) -> None:
        labels = []
        for axis, (lo, hi) in enumerate(domain):
            for value in nice_ticks(lo, hi):
                p = np.zeros(3)
                for k, c in TICK_EDGES[axis].items():
                    p[k] = c
                p[axis] = (value - lo) / (hi - lo) * 2 - 1
                p = p + (TICK_OUT - 1) * OUTWARD[axis]
                labels.append((p, fmt(float(value), 3), False))
            p = np.zeros(3)
            for k, c in TICK_EDGES[axis].items():
                p[k] = c
            labels.append((p + (NAME_OUT - 1) * OUTWARD[axis] * 1.6, str(names[axis]), True))
        self._labels = labels
        self.update()

    def label_rects(self) -> list[QtCore.QRectF]:
        if self.view() is None:
            return []
        return [r for r, _, _ in self._rects()]

    def _rects(self):
        view = self.view()
        vp = (0, 0, view.width(), view.height())
        mvp = view.projectionMatrix(vp, vp) * view.viewMatrix()
        out = []
        for pos, text, bold in self._labels:
            clip = mvp.map(QtGui.QVector4D(*map(float, pos), 1.0))
            if clip.w() <= 0:
                continue
            x = (clip.x() / clip.w() + 1) / 2 * view.width()
            y = (1 - clip.y() / clip.w()) / 2 * view.height()
            metrics = QtGui.QFontMetrics(self.name_font if bold else self.font)
            w, h = metrics.horizontalAdvance(text), metrics.ascent()
            x = min(max(2.0, x - w / 2), view.width() - w - 2.0)
            y = min(max(2.0, y - h / 2), view.height() - h - metrics.descent() - 1.0)
            out.append((QtCore.QRectF(x, y, w, h), text, bold))
        return out

    def paint(self) -> None:
        if not self._labels:
            return
        self.setupGLState()
        view = self.view()
        painter = view.overlay_painter()
        painter.setRenderHints(
            QtGui.QPainter.RenderHint.Antialiasing | QtGui.QPainter.RenderHint.TextAntialiasing
        )
        painter.setPen(QtGui.QColor(view.colour("text", LABEL_COLOUR)))
        for rect, text, bold in self._rects():
            painter.setFont(self.name_font if bold else self.font)
            painter.drawText(pixel(rect.left(), rect.bottom()), text)
        painter.end()
