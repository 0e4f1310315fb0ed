"""Axes for the 3-D view: a floor frame, a height axis, tick values and the variable names.

All labels are drawn in one QPainter pass in ``paint`` (one GLTextItem per label would open a
painter each, which costs frames under software OpenGL). ``set_axes`` only stores data.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph.opengl as gl
from pyqtgraph.opengl.GLGraphicsItem import GLGraphicsItem
from PySide6 import QtCore, QtGui

from .scene_scale import HEIGHT, SceneScale


def nice_ticks(lo: float, hi: float, count: int = 5) -> np.ndarray:
    """Round tick values covering [lo, hi] (about ``count`` of them)."""
    span = hi - lo
    raw = span / max(count - 1, 1)
    mag = 10 ** np.floor(np.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    first = np.ceil(lo / step - 1e-9) * step
    ticks = np.arange(first, hi + 1e-9 * span, step)
    return np.round(ticks, 12)


def fmt(value: float) -> str:
    return f"{value:.3g}".replace("-", "\u2212")


class GLAxes(GLGraphicsItem):
    """Frame, ticks and axis names; labels follow the camera."""

    def __init__(self, parentItem=None, font_size: int = 13) -> None:
        super().__init__(parentItem=parentItem)
        self.setGLOptions("translucent")
        self.frame = gl.GLLinePlotItem(
            parentItem=self,
            mode="lines",
            color=(0.85, 0.85, 0.85, 0.7),
            width=1.5,
            glOptions="translucent",
        )
        self.font = QtGui.QFont()
        self.font.setPointSize(font_size)
        self.name_font = QtGui.QFont(self.font)
        self.name_font.setBold(True)
        self.name_font.setPointSize(font_size + 3)
        self._labels: list[tuple[np.ndarray, str, bool]] = []

    def set_axes(self, scale: SceneScale, names: tuple[str, str], loss_name: str = "loss"):
        """Frame and labels for the domain and height range of ``scale``."""
        lines = []
        corners = [(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)]
        for (ax, ay), (bx, by) in zip(corners[:-1], corners[1:], strict=True):
            lines += [(ax, ay, 0), (bx, by, 0)]
        lines += [(-1, 1, 0), (-1, 1, HEIGHT)]
        labels: list[tuple[np.ndarray, str, bool]] = []
        for x in nice_ticks(scale.x0, scale.x1):
            wx = float(scale.wx(x))
            lines += [(wx, -1, 0), (wx, -1.05, 0)]
            labels.append((np.array([wx, -1.14, 0.0]), fmt(x), False))
        for y in nice_ticks(scale.y0, scale.y1):
            wy = float(scale.wy(y))
            lines += [(1, wy, 0), (1.05, wy, 0)]
            labels.append((np.array([1.12, wy, 0.0]), fmt(y), False))
        for u in np.linspace(0.0, 1.0, 4):
            f = float(scale.loss_at_unit(u))
            lines += [(-1, 1, u * HEIGHT), (-1.06, 1.06, u * HEIGHT)]
            labels.append((np.array([-1.16, 1.16, u * HEIGHT]), fmt(f), False))
        labels.append((np.array([0.0, -1.35, 0.0]), names[0], True))
        labels.append((np.array([1.35, 0.0, 0.0]), names[1], True))
        labels.append((np.array([-1.0, 1.0, HEIGHT * 1.12]), loss_name, True))
        self.frame.setData(pos=np.array(lines, dtype=np.float32))
        self._labels = labels
        self.update()

    def paint(self) -> None:
        if not self._labels:
            return
        self.setupGLState()
        view = self.view()
        rect = QtCore.QRectF(view.rect())
        to_screen = QtGui.QMatrix4x4()
        to_screen.viewport(rect.left(), rect.bottom(), rect.width(), -rect.height())
        project = to_screen * self.mvpMatrix()
        painter = QtGui.QPainter(view)
        painter.setRenderHints(
            QtGui.QPainter.RenderHint.Antialiasing | QtGui.QPainter.RenderHint.TextAntialiasing
        )
        painter.setPen(QtGui.QColor(235, 235, 235))
        for pos, text, bold in self._labels:
            painter.setFont(self.name_font if bold else self.font)
            p = project.map(QtGui.QVector3D(*pos)).toPointF()
            metrics = painter.fontMetrics()
            w, h = metrics.horizontalAdvance(text), metrics.ascent()
            painter.drawText(QtCore.QPointF(p.x() - w / 2, p.y() + h / 2), text)
        painter.end()
