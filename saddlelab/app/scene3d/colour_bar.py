"""The 3-D view's legend: the loss colour bar with values, and one entry per run."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.style import UNDEFINED_LABEL, hatch_brush, lut
from saddlelab.core.numbers import fmt
from saddlelab.models.scene_scale import SceneScale


class ColourLegend(QtWidgets.QWidget):
    """Painted legend; readable from the back of a lecture hall (large type, high contrast)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._scale: SceneScale | None = None
        self._runs: list[tuple[str, str]] = []
        self.setMinimumWidth(150)
        self.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Fixed, QtWidgets.QSizePolicy.Policy.Expanding
        )
        self.setToolTip(
            "Colour legend: surface colour = loss (log scale when 'Log height' is on); "
            "below, the colour of each run's trajectory."
        )
        table = lut()
        self._gradient = QtGui.QLinearGradient()
        for k in range(0, 256, 16):
            r, g, b, _ = (int(c) for c in table[k])
            self._gradient.setColorAt(k / 255.0, QtGui.QColor(r, g, b))
        r, g, b, _ = (int(c) for c in table[255])
        self._gradient.setColorAt(1.0, QtGui.QColor(r, g, b))

    def sizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(150, 400)

    def set_scale(self, scale: SceneScale) -> None:
        self._scale = scale
        self.update()

    def set_runs(self, runs: list[tuple[str, str]]) -> None:
        """(colour, title) per visible run."""
        self._runs = list(runs)
        self.update()

    def _undefined(self) -> bool:
        return self._scale is not None and self._scale.undefined > 0

    def _paint_undefined(self, p: QtGui.QPainter, y: float, line: int) -> None:
        """The key to the hatched part of the surface: where the loss is undefined."""
        swatch = QtCore.QRectF(10, y - line + 4, 18, line)
        p.fillRect(swatch, QtGui.QColor(20, 20, 24))
        p.fillRect(swatch, hatch_brush())
        p.setPen(QtGui.QColor(200, 200, 200))
        p.drawRect(swatch)
        p.setPen(QtGui.QColor(235, 235, 235))
        head, _, tail = UNDEFINED_LABEL.partition(" (")
        p.drawText(QtCore.QPointF(34, y), head)
        p.drawText(QtCore.QPointF(34, y + line), f"({tail}" if tail else "")

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QtGui.QColor(20, 20, 24))
        font = p.font()
        fm = QtGui.QFontMetrics(font)
        line = fm.height()
        p.setPen(QtGui.QColor(235, 235, 235))
        title = "loss (log)" if self._scale is not None and self._scale.log else "loss"
        bold = QtGui.QFont(font)
        bold.setBold(True)
        p.setFont(bold)
        p.drawText(QtCore.QPointF(10, line + 4), title)
        p.setFont(font)
        run_block = (len(self._runs) + 1) * (line + 4) if self._runs else 0
        if self._undefined():
            run_block += 2 * line + 10
        top, bottom = 2 * line + 6, self.height() - run_block - line
        bar = QtCore.QRectF(10, top, 18, max(bottom - top, 40))
        self._gradient.setStart(bar.bottomLeft())
        self._gradient.setFinalStop(bar.topLeft())
        p.fillRect(bar, self._gradient)
        p.setPen(QtGui.QColor(200, 200, 200))
        p.drawRect(bar)
        if self._scale is not None:
            p.setPen(QtGui.QColor(235, 235, 235))
            for u in np.linspace(0.0, 1.0, 6):
                y = bar.bottom() - u * bar.height()
                p.drawLine(QtCore.QPointF(bar.right(), y), QtCore.QPointF(bar.right() + 5, y))
                text = fmt(float(self._scale.loss_at_unit(u)), 3)
                p.drawText(QtCore.QPointF(bar.right() + 8, y + fm.ascent() / 2 - 1), text)
        y = bar.bottom() + line + 6
        if self._undefined():
            self._paint_undefined(p, y, line)
            y += 2 * line + 10
        if self._runs:
            p.setFont(bold)
            p.setPen(QtGui.QColor(235, 235, 235))
            p.drawText(QtCore.QPointF(10, y), "runs")
            p.setFont(font)
        for colour, title in self._runs:
            y += line + 4
            p.setPen(QtGui.QPen(QtGui.QColor(colour), 4))
            p.drawLine(
                QtCore.QPointF(10, y - fm.ascent() / 2), QtCore.QPointF(28, y - fm.ascent() / 2)
            )
            p.setPen(QtGui.QColor(235, 235, 235))
            elided = fm.elidedText(title, QtCore.Qt.TextElideMode.ElideRight, self.width() - 36)
            p.drawText(QtCore.QPointF(34, y), elided)
        p.end()
