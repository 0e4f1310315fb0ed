"""The surface bar: the built-in catalogue as a list and the current loss's formula.

It sits in the window's toolbar, always visible above the views. Choosing an entry switches the
state's surface (every run restarts at its suggested start); a typed loss (the Surface tab) is
listed as "Typed: ..." while it is shown. Reads and writes only the state.

The formula takes the room the bar has left and never asks for more: a formula longer than
that is cut with "…" (the whole of it in the tooltip, and editable in the Surface tab), so it
never disappears into the toolbar's overflow arrow or widens the window.
"""

from __future__ import annotations

import html
import re

from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.style import UNDEFINED, tint
from saddlelab.core import catalogue
from saddlelab.core.expressions import ExpressionError
from saddlelab.core.surface import Surface
from saddlelab.models.subscriptions import Subscriptions

COMBO_WIDTH = 300
FORMULA_POINTS = 13


def formula_html(text: str) -> str:
    """A formula as rich text: powers as superscripts, products as centred dots."""
    out = html.escape(text.replace("**", "^"))
    out = re.sub(r"\^\s*(\([^()]*\)|-?[\w.]+)", r"<sup>\1</sup>", out)
    return out.replace("*", "·").replace("-", "−")


class FormulaLabel(QtWidgets.QLabel):
    """The formula as rich text while it fits, else as plain text cut with "…"."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._html = ""
        self._plain = ""
        self._points = FORMULA_POINTS
        self.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
        )
        self.setMinimumWidth(120)

    def set_formula(self, html_text: str, plain: str, points: float = FORMULA_POINTS) -> None:
        self._html, self._plain, self._points = html_text, plain, points
        self.setToolTip(f"The loss of the current surface: {plain}")
        self._fit()

    def full_text(self) -> str:
        return self._plain

    def is_elided(self) -> bool:
        return self.text() != self._html

    def _fit(self) -> None:
        doc = QtGui.QTextDocument()
        doc.setDefaultFont(self.font())
        doc.setHtml(self._html)
        room = self.contentsRect().width()
        if doc.idealWidth() <= room or not self._plain:
            text = self._html
        else:
            big = QtGui.QFont(self.font())
            big.setPointSizeF(self._points)
            metrics = QtGui.QFontMetrics(big)
            cut = metrics.elidedText(self._plain, QtCore.Qt.TextElideMode.ElideRight, room)
            text = f"<span style='font-size:{self._points}pt'>{html.escape(cut)}</span>"
        if text != self.text():
            self.setText(text)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        self._fit()


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
        # A long typed loss's entry must not widen the bar (the list shows it whole); the
        # built-in names fit (see ``_fit_combo``).
        self.combo.setSizeAdjustPolicy(
            QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(8)
        self._fit_combo()
        self.combo.activated.connect(self._on_activated)
        self.formula = FormulaLabel()
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.combo)
        layout.addSpacing(12)
        layout.addWidget(self.formula, 2)
        self.note = QtWidgets.QLabel()
        tint(self.note, UNDEFINED, bold=True)  # amber, as the runs' statuses
        self.note.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
        )
        layout.addSpacing(16)
        layout.addWidget(self.note, 1)
        self._subs = Subscriptions()
        self._subs.connect(state.surface.changed, self._show_surface)
        self._subs.connect(state.view.events.look, lambda _: self._show_surface())
        self._show_surface(state.surface.surface)

    def _fit_combo(self) -> None:
        """Wide enough for the longest built-in surface's name in the current type."""
        metrics = self.combo.fontMetrics()
        widest = max(metrics.horizontalAdvance(e.name) for e in catalogue.entries())
        self.combo.setMinimumWidth(max(COMBO_WIDTH, widest + 40))

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt naming
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:  # presentation mode, zoom
            self._fit_combo()

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

    def _show_surface(self, surface: Surface | None = None) -> None:
        """Select the shown surface; a typed loss is listed only while it is the one shown."""
        surface = surface or self.state.surface.surface
        typed = self.combo.findData("typed")
        if typed >= 0 and surface.id != "typed":
            self.combo.removeItem(typed)
        points = round(FORMULA_POINTS * self.state.view.look.type_scale, 1)
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
        text = surface.formula or surface.expression
        self.formula.set_formula(
            f"<span style='font-size:{points}pt'>L({args}) = <b>{formula_html(text)}</b></span>",
            f"L({args}) = " + text.replace("**", "^").replace("*", "·").replace("-", "−"),
            points,
        )
        sentence = self.state.surface.undefined.sentence()
        self.note.setText(f"\u26a0 {sentence}" if sentence else "")
        self.note.setVisible(bool(sentence))
        self.note.setToolTip(
            f"{sentence}: that part of the views is hatched and has no colour; a run cannot "
            "start there"
            if sentence
            else ""
        )

    def close_view(self) -> None:
        """Disconnect from the state (the window calls this when it closes)."""
        self._subs.clear()
