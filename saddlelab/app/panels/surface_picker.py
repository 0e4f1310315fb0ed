"""The Surface tab: what the shown surface teaches, a loss the user types, and the slice.

The built-in catalogue is chosen in the toolbar's :mod:`.surface_bar`. A typed loss is parsed
by the core's whitelist parser (never evaluated); any problem is shown under the field it came
from and the last good surface stays. For 3-variable surfaces a slider picks the slice the views
show.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from saddlelab.app.style import ERROR, UNDEFINED, WARNING, tint
from saddlelab.core.domain import default_range_note, domain_defaults
from saddlelab.core.expressions import ExpressionError
from saddlelab.core.numbers import fmt
from saddlelab.core.surface import Surface
from saddlelab.models.app_state import AppState
from saddlelab.models.subscriptions import Subscriptions

SLICE_STEPS = 200


class SurfacePicker(QtWidgets.QWidget):
    """Lesson, typed-loss form, slice slider."""

    surface_failed = QtCore.Signal(str)
    """A surface could not be built; the message is also shown in the panel."""

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.lesson = QtWidgets.QLabel()
        self.lesson.setWordWrap(True)
        self.lesson.setToolTip("What this surface teaches")
        self.lesson.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)

        self.slice_label = QtWidgets.QLabel()
        self.slice_label.setWordWrap(True)
        tint(self.slice_label, WARNING)
        self.slice_slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slice_slider.setRange(0, SLICE_STEPS)
        self.slice_slider.setToolTip(
            "Value of the third variable: the 3-D and contour views show this 2-D slice of the "
            "3-parameter loss; trajectories are projected onto it"
        )
        self.slice_slider.valueChanged.connect(self._on_slice_slider)
        self.slice_name = QtWidgets.QLabel()
        self.slice_name.setToolTip("The variable the slider sets")
        self.slice_value = QtWidgets.QLabel()
        self.slice_value.setToolTip("The value of that variable in the slice the views show")
        self.slice_value.setMinimumWidth(self.fontMetrics().horizontalAdvance("−0.0000") + 4)
        self.slice_row = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(self.slice_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.slice_name)
        row.addWidget(self.slice_slider, 1)
        row.addWidget(self.slice_value)

        self.expr_edit = QtWidgets.QLineEdit()
        self.expr_edit.setPlaceholderText("e.g. (1 - w1*w2)^2 or sin(x)*cos(y) + 0.1*(x^2 + y^2)")
        self.expr_edit.setToolTip(
            "Type a loss: numbers, variables, + - * / ^, parentheses, sin cos tan exp log sqrt "
            "tanh sigmoid softplus abs …, pi, e. Press Enter to use it."
        )
        self.vars_edit = QtWidgets.QLineEdit("x, y")
        self.vars_edit.setToolTip("The 2 or 3 variables of the typed loss, separated by commas")
        self.domain_edit = QtWidgets.QLineEdit()
        self.domain_edit.setPlaceholderText("x=-2:2, y=-2:2")
        self.domain_edit.setToolTip("Range of each variable (default -2:2)")
        self.apply_button = QtWidgets.QPushButton("Use typed loss")
        self.apply_button.setToolTip(
            "Parse the typed loss and show it (the last good one stays on error)"
        )
        self.apply_button.clicked.connect(self.apply_typed)
        for edit in (self.expr_edit, self.vars_edit, self.domain_edit):
            edit.returnPressed.connect(self.apply_typed)
        self.error_label = QtWidgets.QLabel()
        self.error_label.setWordWrap(True)
        tint(self.error_label, ERROR, bold=True)
        self.error_label.hide()
        self.note_label = QtWidgets.QLabel()
        self.note_label.setWordWrap(True)
        tint(self.note_label, UNDEFINED)
        self.note_label.hide()

        typed = QtWidgets.QGroupBox("Type a loss")
        form = QtWidgets.QFormLayout(typed)
        form.setContentsMargins(6, 4, 6, 4)
        form.addRow("L =", self.expr_edit)
        form.addRow(self.error_label)
        form.addRow("variables", self.vars_edit)
        form.addRow("domain", self.domain_edit)
        form.addRow(self.apply_button)
        form.addRow(self.note_label)

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        heading = QtWidgets.QLabel("<b>What it teaches</b>")
        layout.addWidget(heading)
        layout.addWidget(self.lesson)
        layout.addWidget(self.slice_label)
        layout.addWidget(self.slice_row)
        layout.addWidget(typed)
        layout.addStretch(1)
        self._completed = ""
        """The default ranges the last typed domain was completed with, as a sentence."""
        self._subs = Subscriptions()
        self._subs.connect(state.surface.changed, self._show_surface)
        self._subs.connect(state.surface.slice_changed, self._show_slice)
        self._show_surface(state.surface.surface)

    # -- typing --------
    def apply_typed(self) -> bool:
        """Build the typed surface; on error show it under the field and keep the last one."""
        text = self.expr_edit.text()
        variables = [v.strip() for v in self.vars_edit.text().split(",") if v.strip()]
        domain = self.domain_edit.text().strip() or None
        try:
            surface = Surface.from_expression(
                text,
                variables,
                domain,
                id="typed",
                name="Typed loss",
                description="A loss you typed.",
            )
        except ExpressionError as error:
            self._fail(error.message, error.column)
            return False
        except (ValueError, TypeError, OverflowError) as error:
            self._fail(str(error))
            return False
        self.error_label.hide()
        self._completed = default_range_note(domain_defaults(domain, surface.variables))
        self.state.choose_surface(surface)
        return True

    def _fail(self, message: str, column: int | None = None) -> None:
        where = f" (column {column})" if column else ""
        self.error_label.setText(f"{message}{where}. The last good surface is still shown.")
        self.error_label.show()
        if column:
            self.expr_edit.setCursorPosition(max(column - 1, 0))
        self.surface_failed.emit(message)

    # -- showing --------
    def _show_surface(self, surface: Surface) -> None:
        self.lesson.setText(surface.description or "")
        notes = [self.state.surface.undefined.sentence()]
        if surface.id == "typed":
            notes.append(self._completed)
        text = ". ".join(n for n in notes if n)
        self.note_label.setText(f"\u26a0 {text}." if text else "")
        self.note_label.setVisible(bool(text))
        three = surface.ndim == 3
        self.slice_label.setVisible(three)
        self.slice_row.setVisible(three)
        if three:
            self._show_slice(self.state.surface.slice_value)

    def _show_slice(self, value: float) -> None:
        lo, hi = self.state.surface.slice_range
        pos = round((value - lo) / (hi - lo) * SLICE_STEPS) if hi > lo else 0
        self.slice_slider.blockSignals(True)
        self.slice_slider.setValue(pos)
        self.slice_slider.blockSignals(False)
        self.slice_label.setText(self.state.surface.slice_label())
        name = self.state.surface.surface.variables[2]
        self.slice_name.setText(f"{name} =")
        self.slice_value.setText(fmt(value, 3))
        self.slice_slider.setAccessibleName(f"slice {name}")

    def _on_slice_slider(self, pos: int) -> None:
        lo, hi = self.state.surface.slice_range
        self.state.surface.set_slice(lo + (hi - lo) * pos / SLICE_STEPS)

    def close_view(self) -> None:
        """Disconnect from the state (the window calls this when it closes)."""
        self._subs.clear()
