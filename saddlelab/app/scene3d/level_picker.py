"""The isosurface levels as an editable list of numbers, with "Default levels".

The field shows the current levels (``core.numbers.fmt``) separated by commas; typing a new
list and pressing Enter asks for it. Text is hostile: each entry must be a plain decimal
number (no names, no expressions: nothing is evaluated), finite, at most MAX_LEVELS distinct
ones; otherwise one line says what is wrong and the last good levels stay.
"""

from __future__ import annotations

import math
import re

from PySide6 import QtCore, QtWidgets

from saddlelab.app.style import ERROR, tint
from saddlelab.core.numbers import fmt

MAX_LEVELS = 8
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?")
MAX_TEXT = 400


def parse_levels(text: str) -> list[float]:
    """Increasing distinct levels from ``text``; ValueError with one clear line otherwise."""
    if len(text) > MAX_TEXT:
        raise ValueError(f"at most {MAX_LEVELS} numbers, separated by commas")
    parts = [p for p in re.split(r"[,;\s]+", text.strip().replace("\u2212", "-")) if p]
    if not parts:
        raise ValueError("give at least one level (a number), or press Default levels")
    values = []
    for part in parts:
        if not NUMBER.fullmatch(part):
            shown = part if len(part) <= 20 else part[:20] + "\u2026"
            raise ValueError(f"'{shown}' is not a number")
        value = float(part)
        if not math.isfinite(value):
            raise ValueError(f"'{part}' is too large")
        values.append(value)
    levels = sorted(set(values))
    if len(levels) > MAX_LEVELS:
        raise ValueError(f"at most {MAX_LEVELS} levels")
    return levels


class LevelPicker(QtWidgets.QWidget):
    """Emits ``levels_chosen(list)`` for a good list, ``defaults_chosen()`` for the defaults."""

    levels_chosen = QtCore.Signal(list)
    defaults_chosen = QtCore.Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.field = QtWidgets.QLineEdit()
        self.field.setMaxLength(MAX_TEXT)
        self.field.setToolTip(
            "Loss levels of the isosurfaces, separated by commas: add, remove or edit "
            f"numbers and press Enter (at most {MAX_LEVELS})"
        )
        self.field.setMinimumWidth(80)
        self.field.returnPressed.connect(self._apply)
        self.defaults = QtWidgets.QPushButton("Default levels")
        self.defaults.setToolTip("Levels at the 5 %, 15 %, 35 % and 60 % quantiles of the loss")
        self.defaults.clicked.connect(self.defaults_chosen)
        self.message = QtWidgets.QLabel()
        tint(self.message, ERROR)
        self.message.hide()
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QtWidgets.QLabel("Levels"))
        layout.addWidget(self.field, 1)
        layout.addWidget(self.defaults)
        layout.addWidget(self.message)
        self._levels: list[float] = []

    def show_levels(self, levels) -> None:
        """Show the levels now drawn (the last good ones)."""
        self._levels = [float(v) for v in levels]
        self.field.setText(", ".join(fmt(v, 4) for v in self._levels))
        self.field.setCursorPosition(0)
        self.message.hide()

    def levels(self) -> list[float]:
        return list(self._levels)

    def _apply(self) -> None:
        try:
            levels = parse_levels(self.field.text())
        except ValueError as error:
            self.message.setText(f"Levels not changed: {error}")
            self.message.show()
            return
        self.message.hide()
        self.levels_chosen.emit(levels)
