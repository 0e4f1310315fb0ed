"""A push button whose title wraps onto as many lines as the button's width needs."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets


def wrap_words(text: str, metrics: QtGui.QFontMetrics, width: int) -> str:
    """``text`` with line breaks between words so no line is wider than ``width`` pixels
    (a single word wider than that keeps a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and metrics.horizontalAdvance(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return "\n".join(lines)


class WrappingButton(QtWidgets.QPushButton):
    """A QPushButton that re-wraps its title whenever its width or font changes, so a long
    title in a narrow dock (or in presentation mode's larger type) is never cut off."""

    PADDING = 16
    """Pixels of the button's width not available to the text (frame and margins)."""

    def __init__(self, title: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._title = title
        policy = self.sizePolicy()
        policy.setHorizontalPolicy(QtWidgets.QSizePolicy.Policy.Ignored)
        self.setSizePolicy(policy)

    def title(self) -> str:
        return self._title

    def _rewrap(self) -> None:
        text = wrap_words(self._title, self.fontMetrics(), max(self.width() - self.PADDING, 40))
        if text != self.text():
            self.setText(text)
            self.updateGeometry()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        self._rewrap()

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt naming
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:
            self._rewrap()
