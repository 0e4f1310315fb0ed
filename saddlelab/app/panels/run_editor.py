"""Edit the selected run: optimizer, every hyper-parameter (torch defaults shown), schedule,
gradient noise, clipping, seed, start point and colour.

Each field validates through the run model when it is committed (Enter or leaving the field).
A bad value shows its message in red directly under the field and the run keeps its last good
setting. Hyper-parameters and options take effect mid-run; optimizer, start and seed restart it.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.style import ERROR, HINT, tint
from saddlelab.app.widgets.wrapped_label import WrappedLabel
from saddlelab.core.optim import OPTIMIZERS
from saddlelab.models.runs import RunModel, format_hyper_value


class _Field:
    """An input widget with its error label; ``commit`` returns the model's error or None."""

    def __init__(self, widget: QtWidgets.QWidget, commit, value=None) -> None:
        self.widget = widget
        self.commit = commit
        self.value = value
        """The model's value now, as shown in the field (None: the field is not refreshed)."""
        self._shown = None if value is None else value()
        self.error = WrappedLabel()  # shown whole, however long the message
        tint(self.error, ERROR, bold=True)
        self.error.hide()

    def apply(self, *args) -> None:
        message = self.commit(*args)
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def show_value(self) -> None:
        """Show the model's value (set from code or by another view), unless being edited."""
        if self.value is None or self.widget.hasFocus():
            return
        value = self.value()
        if value == self._shown:
            return  # unchanged: a refused entry keeps its text and message
        self._shown = value
        self.widget.blockSignals(True)
        if isinstance(self.widget, QtWidgets.QCheckBox):
            self.widget.setChecked(bool(value))
        elif self.widget.text() != value:
            self.widget.setText(value)
            self.error.hide()
        self.widget.blockSignals(False)


class RunEditor(QtWidgets.QWidget):
    """Form for one run; ``set_run(None)`` empties it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.run: RunModel | None = None
        self.fields: dict[str, _Field] = {}
        self._outer = QtWidgets.QVBoxLayout(self)
        self._outer.setContentsMargins(0, 0, 0, 0)
        self._content: QtWidgets.QWidget | None = None
        self.optimizer: QtWidgets.QComboBox | None = None
        self.setEnabled(False)

    # -- building -----------------------------------------------------------------------------
    def set_run(self, run: RunModel | None) -> None:
        if self.run is not None:
            self.run.config_changed.disconnect(self._on_config_changed)
        self.run = run
        if run is not None:
            run.config_changed.connect(self._on_config_changed)
        self._rebuild()

    def _rebuild(self) -> None:
        """Replace the whole form (a new optimizer has different hyper-parameters)."""
        if self._content is not None:
            self._content.hide()
            self._outer.removeWidget(self._content)
            self._content.deleteLater()
        self.fields.clear()
        self._content = QtWidgets.QWidget()
        self._layout = QtWidgets.QFormLayout(self._content)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._layout.setFieldGrowthPolicy(
            QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow
        )
        # A field too wide beside its name (large type in presentation mode) goes under it.
        self._layout.setRowWrapPolicy(QtWidgets.QFormLayout.RowWrapPolicy.WrapLongRows)
        self._outer.addWidget(self._content)
        run = self.run
        self.setEnabled(run is not None)
        if run is None:
            return
        spec = OPTIMIZERS[run.optimizer]
        self.optimizer = QtWidgets.QComboBox()
        for other in OPTIMIZERS.values():
            self.optimizer.addItem(other.label, other.name)
            self.optimizer.setItemData(
                self.optimizer.count() - 1, other.description, QtCore.Qt.ItemDataRole.ToolTipRole
            )
        self.optimizer.setToolTip("Optimizer of this run (changing it restarts the run)")
        self.optimizer.setCurrentIndex(self.optimizer.findData(run.optimizer))
        self.optimizer.activated.connect(self._on_optimizer)
        self._layout.addRow(self._label("optimizer", "Optimizer of this run"), self.optimizer)
        self.description = WrappedLabel(spec.description)
        tint(self.description, HINT)
        self._layout.addRow(self.description)
        for hp in spec.hyper:
            self._add_hyper(run, hp)
        self._add_text(
            "schedule",
            lambda: run.schedule_text,
            run.set_schedule,
            "Learning-rate schedule, e.g. constant · step:step_size=100,gamma=0.5 · "
            "exponential:gamma=0.99 · cosine:T_max=500,eta_min=0 · warmup=20+cosine:T_max=500",
            "constant",
        )
        self._add_text(
            "grad noise",
            lambda: f"{run.grad_noise:g}",
            run.set_grad_noise,
            "Standard deviation of Gaussian noise added to every gradient: the simplest model of "
            "mini-batch noise, which helps leave saddles",
            "0",
        )
        self._add_text(
            "clip norm",
            lambda: "" if run.clip_norm is None else f"{run.clip_norm:g}",
            run.set_clip_norm,
            "Clip the gradient to at most this norm (empty: no clipping)",
            "none",
        )
        self._add_text(
            "seed",
            lambda: str(run.seed),
            run.set_seed,
            "Seed of the gradient noise (same seed, same run); changing it restarts",
            "0",
        )
        self._add_text(
            "start",
            lambda: ", ".join(f"{v:.6g}" for v in run.start),
            run.set_start_text,
            "Start point (also: click in the contour view, or drag the start ring); "
            "changing it restarts the run",
            "",
        )
        colour = QtWidgets.QPushButton("change…")
        colour.setToolTip("Colour of this run's trajectory and curves")
        colour.setStyleSheet(
            f"QPushButton {{ background: {run.colour}; color: black; min-height: 20px; }}"
        )
        colour.clicked.connect(self._pick_colour)
        self._layout.addRow(self._label("colour", "Trajectory colour"), colour)

    def _label(self, text: str, tip: str) -> QtWidgets.QLabel:
        label = QtWidgets.QLabel(text)
        label.setToolTip(tip)
        return label

    def _add_hyper(self, run: RunModel, hp) -> None:
        default = format_hyper_value(hp.default)
        tip = f"{hp.doc}. torch default: {default}"
        value = run.params.get(hp.name, hp.default)
        if hp.kind == "bool":
            widget = QtWidgets.QCheckBox(f"(torch default: {default})")
            widget.setChecked(bool(value))
            field = _Field(
                widget,
                lambda on, n=hp.name: self._commit(n, "true" if on else "false"),
                lambda n=hp.name: run.params.get(n),
            )
            widget.toggled.connect(field.apply)
        else:
            widget = QtWidgets.QLineEdit(format_hyper_value(value))
            widget.setPlaceholderText(f"torch default: {default}")
            field = _Field(
                widget,
                lambda n=hp.name, w=widget: self._commit(n, w.text()),
                lambda n=hp.name: format_hyper_value(run.params.get(n)),
            )
            widget.editingFinished.connect(field.apply)
            widget.setToolTip(tip)
        widget.setToolTip(tip)
        row = QtWidgets.QWidget()
        box = QtWidgets.QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(widget, 1)
        if hp.kind != "bool":
            hint = QtWidgets.QLabel(f"torch {default}")
            tint(hint, HINT)
            hint.setToolTip(tip)
            box.addWidget(hint)
        self._layout.addRow(self._label(hp.name, tip), row)
        self._layout.addRow(field.error)
        self.fields[hp.name] = field

    def _add_text(self, name: str, value, setter, tip: str, placeholder: str) -> None:
        edit = QtWidgets.QLineEdit(value())
        edit.setToolTip(tip)
        edit.setPlaceholderText(placeholder)
        field = _Field(edit, lambda: setter(edit.text()), value)
        edit.editingFinished.connect(field.apply)
        self._layout.addRow(self._label(name, tip), edit)
        self._layout.addRow(field.error)
        self.fields[name] = field

    def _commit(self, name: str, text: str) -> str | None:
        return self.run.set_param(name, text) if self.run is not None else None

    # -- reacting --------
    def _on_optimizer(self, index: int) -> None:
        if self.run is not None and self.optimizer is not None:
            self.run.set_optimizer(self.optimizer.itemData(index))

    def _on_config_changed(self, run: RunModel, what: str) -> None:
        """The form follows the run, whoever changed it (a field, another view, code)."""
        if what == "optimizer":
            self._rebuild()
            return
        for field in self.fields.values():
            field.show_value()

    def _pick_colour(self) -> None:
        if self.run is None:
            return
        colour = QtWidgets.QColorDialog.getColor(QtGui.QColor(self.run.colour), self, "Run colour")
        if colour.isValid():
            self.run.set_colour(colour.name())
            self._rebuild()
