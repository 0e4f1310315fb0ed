"""The surface bar: the built-in catalogue as a list and the current loss's formula.

It sits in the window's toolbar, always visible above the views. Choosing an entry switches the
state's surface (every run restarts at its suggested start); a typed loss (the Surface tab) is
listed as "Typed: ..." while it is shown. Reads and writes only the state.
"""

from __future__ import annotations

import html
import re

from PySide6 import QtCore, QtWidgets

from saddlelab.core import catalogue
from saddlelab.core.expressions import ExpressionError
from saddlelab.core.surface import Surface
from saddlelab.models.subscriptions import Subscriptions

COMBO_WIDTH = 300
NOTE_STYLE = "color: #ffb347; font-weight: bold;"
"""The surface bar's message (where the loss is undefined): amber, as the runs' statuses."""


def formula_html(text: str) -> str:
    """A formula as rich text: powers as superscripts, products as centred dots."""
    out = html.escape(text.replace("**", "^"))
    out = re.sub(r"\^\s*(\([^()]*\)|-?[\w.]+)", r"<sup>\1</sup>", out)
    return out.replace("*", "·").replace("-", "−")


class SurfaceBar(QtWidgets.QWidget):
    """Catalogue combo box and the formula of the shown surface."""

    surface_failed = QtCore.Signal(str)
    """A built-in surface could not be built (the last good one stays)."""

    def __init__(self, state, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        label = QtWidgets.QLabel(" Surface ")
        label.setToolTip("Choose the loss surface (details in the Surface tab)")
        self.combo = QtWidgets.QComboBox()
        for e in catalogue.entries():
            self.combo.addItem(e.name, e.id)
        self.combo.setToolTip("Built-in loss surfaces; each teaches one way training gets stuck")
        self.combo.setMinimumWidth(COMBO_WIDTH)
        self.combo.activated.connect(self._on_activated)
        self.formula = QtWidgets.QLabel()
        self.formula.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.formula.setToolTip("The loss of the current surface")
        self.formula.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.combo)
        layout.addSpacing(12)
        layout.addWidget(self.formula)
        self.note = QtWidgets.QLabel()
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
        )
        layout.addSpacing(16)
        layout.addWidget(self.note, 1)
        self._subs = Subscriptions()
        self._subs.connect(state.surface.changed, self._show_surface)
        self._show_surface(state.surface.surface)

    def choose(self, surface_id: str) -> bool:
        """Switch to a built-in surface by id; False (and ``surface_failed``) if it fails."""
        try:
            surface = catalogue.load(surface_id)
        except (KeyError, ExpressionError, ValueError) as error:
            self.surface_failed.emit(str(error))
            self._show_surface(self.state.surface.surface)
            return False
        self.state.choose_surface(surface)
        return True

    def _on_activated(self, index: int) -> None:
        surface_id = self.combo.itemData(index)
        if surface_id and surface_id != self.state.surface.surface.id:
            self.choose(surface_id)

    def _show_surface(self, surface: Surface) -> None:
        """Select the shown surface; a typed loss is listed only while it is the one shown."""
        typed = self.combo.findData("typed")
        if typed >= 0 and surface.id != "typed":
            self.combo.removeItem(typed)
        index = self.combo.findData(surface.id)
        if index < 0:
            label = f"Typed: {surface.expression}"
            index = self.combo.findData("typed")
            if index < 0:
                self.combo.addItem(label, "typed")
                index = self.combo.count() - 1
            else:
                self.combo.setItemText(index, label)
        self.combo.setCurrentIndex(index)
        args = ", ".join(surface.variables)
        formula = formula_html(surface.formula or surface.expression)
        self.formula.setText(f"<span style='font-size:13pt'>L({args}) = <b>{formula}</b></span>")
        sentence = self.state.surface.undefined.sentence()
        self.note.setText(f"\u26a0 {sentence}" if sentence else "")
        self.note.setToolTip(
            f"{sentence}: that part of the views is hatched and has no colour; a run cannot "
            "start there"
            if sentence
            else ""
        )

    def close_view(self) -> None:
        """Disconnect from the state (the window calls this when it closes)."""
        self._subs.clear()
