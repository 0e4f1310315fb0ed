"""The 3-D view's legend: the loss colour bar with values, and one entry per run.

Sized to its content: every run title is shown in full (the legend grows to the longest title,
up to ``MAX_WIDTH``; longer titles wrap onto more lines), never cut to "Newton lr=0...".
Values that are zero at the surface's scale (a sampled minimum of 8.73e-07 on a surface
spanning 0 to 25) read 0.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.style import TEXT, UNDEFINED_LABEL, hatch_brush, lut
from saddlelab.core.numbers import fmt_on_scale
from saddlelab.models.scene_scale import SceneScale

LEFT = 10
BAR_WIDTH = 18
SWATCH = 18
"""Length of a run's colour swatch (the text starts after it)."""
MIN_WIDTH = 150
MAX_WIDTH = 260
"""Widest the legend grows for long run titles (beyond it titles wrap)."""
TICKS = 6
BACKGROUND = "#141418"
OUTLINE = "#c8c8c8"


class ColourLegend(QtWidgets.QWidget):
    """Painted legend; readable from the back of a lecture hall (large type, high contrast)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._scale: SceneScale | None = None
        self._runs: list[tuple[str, str]] = []
        self.line_width = 4.0
        """Width of the run swatches (presentation mode makes them thicker)."""
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
        self._fit()

    # -- content ----------------------------------------------------------------------------------
    def set_scale(self, scale: SceneScale) -> None:
        self._scale = scale
        self._fit()
        self.update()

    def set_runs(self, runs: list[tuple[str, str]]) -> None:
        """(colour, title) per visible run."""
        self._runs = list(runs)
        self._fit()
        self.update()

    def _undefined(self) -> bool:
        return self._scale is not None and self._scale.undefined > 0

    def _paint_undefined(self, p: QtGui.QPainter, y: float, line: int, ink, outline) -> None:
        """The key to the hatched part of the surface: where the loss is undefined."""
        swatch = QtCore.QRectF(LEFT, y - line + 4, SWATCH, line)
        p.fillRect(swatch, QtGui.QColor(BACKGROUND))
        p.fillRect(swatch, hatch_brush())
        p.setPen(QtGui.QColor(outline))
        p.drawRect(swatch)
        p.setPen(QtGui.QColor(ink))
        for i, text in enumerate(self._undefined_lines()):
            p.drawText(QtCore.QPointF(self._text_left(), y + i * line), text)

    @staticmethod
    def _undefined_lines() -> list[str]:
        head, _, tail = UNDEFINED_LABEL.partition(" (")
        return [head, f"({tail}" if tail else ""]

    def tick_texts(self) -> list[str]:
        """The colour bar's values, bottom to top."""
        if self._scale is None:
            return []
        s = self._scale
        return [fmt_on_scale(float(s.loss_at_unit(u)), s.fmin, s.fmax) for u in self._units()]

    def run_titles(self) -> list[str]:
        """The run entries as drawn (whole titles; a long one wraps, it is never cut)."""
        return [title for _, title in self._runs]

    @staticmethod
    def _units() -> np.ndarray:
        return np.linspace(0.0, 1.0, TICKS)

    # -- size ------------------------------------------------------------------------------------
    def _text_left(self) -> int:
        return LEFT + SWATCH + 6

    def _fit(self) -> None:
        """Width for the longest run title and value (up to MAX_WIDTH)."""
        fm = self.fontMetrics()
        bold = QtGui.QFont(self.font())
        bold.setBold(True)
        bfm = QtGui.QFontMetrics(bold)
        widths = [bfm.horizontalAdvance("loss (log)") + 2 * LEFT]
        widths += [LEFT + BAR_WIDTH + 8 + fm.horizontalAdvance(t) + 8 for t in self.tick_texts()]
        texts = self.run_titles() + (self._undefined_lines() if self._undefined() else [])
        widths += [self._text_left() + fm.horizontalAdvance(t) + 8 for t in texts]
        width = int(min(MAX_WIDTH, max(MIN_WIDTH, *widths)))
        if width != self.width() or self.minimumWidth() != width:
            self.setFixedWidth(width)

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt naming
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:
            self._fit()

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt naming
        return QtCore.QSize(self.width(), 400)

    def _run_rects(self, fm: QtGui.QFontMetrics) -> list[QtCore.QRect]:
        """Bounding boxes of the run titles (wrapped to the legend's width), top at 0."""
        width = max(40, self.width() - self._text_left() - 4)
        flags = int(QtCore.Qt.TextFlag.TextWordWrap)
        return [
            fm.boundingRect(QtCore.QRect(0, 0, width, 10_000), flags, t) for t in self.run_titles()
        ]

    # -- painting --------------------------------------------------------------------------------
    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 - Qt naming
        p = QtGui.QPainter(self)
        self.draw(p, self.height())
        p.end()

    def draw(
        self,
        p: QtGui.QPainter,
        height: float,
        background: str | None = BACKGROUND,
        ink: str = TEXT,
        outline: str = OUTLINE,
    ) -> None:
        """Paint the legend, ``height`` tall, with ``p`` (an export paints it at its 1x-4x,
        beside the scene, in its theme's colours; ``background`` None: transparent)."""
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        if background is not None:
            p.fillRect(QtCore.QRectF(0, 0, self.width(), height), QtGui.QColor(background))
        font = self.font()
        fm = QtGui.QFontMetrics(font)
        line = fm.height()
        text = QtGui.QColor(ink)
        p.setPen(text)
        title = "loss (log)" if self._scale is not None and self._scale.log else "loss"
        bold = QtGui.QFont(font)
        bold.setBold(True)
        p.setFont(bold)
        p.drawText(QtCore.QPointF(LEFT, line + 4), title)
        p.setFont(font)
        rects = self._run_rects(fm)
        run_block = sum(r.height() + 4 for r in rects) + line + 4 if rects else 0
        if self._undefined():
            run_block += 2 * line + 10
        top, bottom = 2 * line + 6, height - run_block - line
        bar = QtCore.QRectF(LEFT, top, BAR_WIDTH, max(bottom - top, 40))
        self._gradient.setStart(bar.bottomLeft())
        self._gradient.setFinalStop(bar.topLeft())
        p.fillRect(bar, self._gradient)
        p.setPen(QtGui.QColor(outline))
        p.drawRect(bar)
        p.setPen(text)
        for u, label in zip(self._units(), self.tick_texts(), strict=False):
            y = bar.bottom() - u * bar.height()
            p.drawLine(QtCore.QPointF(bar.right(), y), QtCore.QPointF(bar.right() + 5, y))
            p.drawText(QtCore.QPointF(bar.right() + 8, y + fm.ascent() / 2 - 1), label)
        y = bar.bottom() + line + 6
        if self._undefined():
            self._paint_undefined(p, y, line, ink, outline)
            y += 2 * line + 10
        if self._runs:
            p.setFont(bold)
            p.drawText(QtCore.QPointF(LEFT, y), "runs")
            p.setFont(font)
            y += 6
        for (colour, title), rect in zip(self._runs, rects, strict=True):
            mid = y + fm.height() / 2
            p.setPen(QtGui.QPen(QtGui.QColor(colour), self.line_width))
            p.drawLine(QtCore.QPointF(LEFT, mid), QtCore.QPointF(LEFT + SWATCH, mid))
            p.setPen(text)
            box = QtCore.QRectF(self._text_left(), y, rect.width() + 2, rect.height())
            p.drawText(box, int(QtCore.Qt.TextFlag.TextWordWrap), title)
            y += rect.height() + 4
