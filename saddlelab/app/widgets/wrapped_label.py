"""A word-wrapped label that always gets the height its text needs at its width."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets


class WrappedLabel(QtWidgets.QLabel):
    """A word-wrapped QLabel that is never clipped to fewer lines than its text needs.

    Why: a form layout (or a scroll area around one) sizes a spanning word-wrapped label by
    its one-line size hint, so a message of two lines shows half a line. Here the label asks
    for the height its text takes at the width it was given, every time the width or the
    text changes.
    """

    def __init__(self, text: str = "", parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt naming
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:  # presentation mode, zoom
            self._fit()

    def _fit(self) -> None:
        needed = self.heightForWidth(max(self.width(), 1)) if self.text() else 0
        if needed != self.minimumHeight():
            self.setMinimumHeight(max(needed, 0))
