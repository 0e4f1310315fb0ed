"""A text widget for text that changes while runs stream, whose size never does."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets


class LinesLabel(QtWidgets.QWidget):
    """Word-wrapped rich text in a box of ``lines`` lines, whatever the text.

    Why not a QLabel: ``QLabel.setText`` always asks its layout to recompute (its size hints
    follow the text), and the request climbs through the dock to the main window, whose
    re-layout repaints every widget of the window (measured: 40-60 ms paint passes while runs
    stream). A new text here only repaints this widget. Text beyond the last line is cut off:
    callers keep it short. ``setText`` takes Qt rich text (escape what is not markup).
    """

    def __init__(self, lines: int, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines = lines
        self._text = ""
        self._doc = QtGui.QTextDocument(self)
        self._doc.setDocumentMargin(0)
        self.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Fixed
        )
        self._fit()

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        if text != self._text:
            self._text = text
            self._doc.setHtml(text)
            self.update()

    def _fit(self) -> None:
        self._doc.setDefaultFont(self.font())
        self.setFixedHeight(self.lines * self.fontMetrics().lineSpacing() + 2)

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt naming
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:
            self._fit()

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt naming
        return QtCore.QSize(120, self.height())

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt naming
        return QtCore.QSize(0, self.height())

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 - Qt naming
        painter = QtGui.QPainter(self)
        painter.setClipRect(self.rect())
        self._doc.setTextWidth(self.width())
        palette = self.palette()  # the document draws in Text; a label's text is WindowText
        palette.setColor(
            QtGui.QPalette.ColorRole.Text, palette.color(QtGui.QPalette.ColorRole.WindowText)
        )
        context = QtGui.QAbstractTextDocumentLayout.PaintContext()
        context.palette = palette
        self._doc.documentLayout().draw(painter, context)
