"""Controls of the Taylor overlay: radius, which views show it, and its error at the cursor."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from saddlelab.core.numbers import fmt, fmt_vector
from saddlelab.models.subscriptions import Subscriptions


class TaylorControls(QtWidgets.QWidget):
    """Radius spin box, two toggles and a read-out of true loss vs model at the cursor."""

    radiusChanged = QtCore.Signal(float)  # noqa: N815
    showPatchChanged = QtCore.Signal(bool)  # noqa: N815
    showContoursChanged = QtCore.Signal(bool)  # noqa: N815

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._subs = Subscriptions()
        """What :meth:`follow` connected (cleared by :meth:`close_view`)."""
        layout = QtWidgets.QGridLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.radius = QtWidgets.QDoubleSpinBox()
        self.radius.setDecimals(3)
        self.radius.setRange(0.001, 1000.0)
        self.radius.setSingleStep(0.05)
        self.radius.setKeyboardTracking(False)
        self.radius.setToolTip(
            "Radius of the Taylor patch (3-D) and dashed contours (2-D) around the probe point, "
            "in parameter units"
        )
        self.radius.lineEdit().setToolTip(self.radius.toolTip())
        self.patch = QtWidgets.QCheckBox("3-D patch")
        self.patch.setChecked(True)
        self.patch.setToolTip("Show the quadratic model as a translucent patch on the surface")
        self.contours = QtWidgets.QCheckBox("2-D contours")
        self.contours.setChecked(True)
        self.contours.setToolTip(
            "Show the quadratic model's level sets as dashed contours in the contour view"
        )
        self.readout = QtWidgets.QLabel("Move the mouse over the contour view to compare.")
        self.readout.setWordWrap(True)
        self.readout.setToolTip(
            "At the cursor: the true loss, the Taylor model, and their difference. The model is "
            "exact to second order, so the error grows like the cube of the distance."
        )
        layout.addWidget(QtWidgets.QLabel("Taylor radius"), 0, 0)
        layout.addWidget(self.radius, 0, 1)
        layout.addWidget(self.patch, 1, 0)
        layout.addWidget(self.contours, 1, 1)
        layout.addWidget(self.readout, 2, 0, 1, 2)
        self.radius.valueChanged.connect(self.radiusChanged)
        self.patch.toggled.connect(self.showPatchChanged)
        self.contours.toggled.connect(self.showContoursChanged)

    def set_radius(self, radius: float, maximum: float) -> None:
        """A new default radius and range (on a surface change), without emitting."""
        blocked = self.radius.blockSignals(True)
        self.radius.setRange(maximum / 200.0, maximum)
        self.radius.setSingleStep(maximum / 40.0)
        self.radius.setValue(radius)
        self.radius.blockSignals(blocked)

    def show_error(self, point, true_loss: float, model_value: float) -> None:
        """Report the model against the true loss at ``point`` (the cursor)."""
        if not np.isfinite(true_loss):
            self.readout.setText(f"At {fmt_vector(point)} L is undefined: nothing to compare.")
            return
        error = model_value - true_loss
        self.readout.setText(
            f"At {fmt_vector(point)}: loss {fmt(true_loss)}, model {fmt(model_value)}, "
            f"error {fmt(error, 3)}"
        )

    def clear_error(
        self, message: str = "Move the mouse over the contour view to compare."
    ) -> None:
        self.readout.setText(message)

    # -- following the state ----------------------------------------------------------------------
    def follow(self, state) -> None:
        """Edit the state's Taylor settings and compare the model with the loss under the
        pointer; until :meth:`close_view`."""
        self._state = state
        view = state.view
        on = self._subs.connect
        on(state.surface.changed, self._on_surface)
        on(view.events.taylor_radius, self._show_radius)
        on(view.events.show_taylor_patch, lambda checked: self.patch.setChecked(checked))
        on(view.events.show_taylor_contours, lambda checked: self.contours.setChecked(checked))
        on(view.hover_changed, self._on_hover)
        on(state.probe.changed, self._on_probe)
        self.radiusChanged.connect(view.set_taylor_radius)
        self.showPatchChanged.connect(lambda on_: setattr(view, "show_taylor_patch", on_))
        self.showContoursChanged.connect(lambda on_: setattr(view, "show_taylor_contours", on_))
        self._on_surface()

    def _on_surface(self, *_) -> None:
        self.set_radius(self._state.view.taylor_radius, 0.6 * self._state.span())

    def _show_radius(self, radius: float) -> None:
        if abs(self.radius.value() - radius) > 1e-12:
            blocked = self.radius.blockSignals(True)
            self.radius.setValue(radius)
            self.radius.blockSignals(blocked)

    def _on_probe(self, probe) -> None:
        if probe.analysis is None and probe.undefined:
            self.clear_error("No Taylor model: L is undefined at the probe point.")
        elif probe.analysis is None:
            self.clear_error("No probe point, so no Taylor model to compare.")
        elif self.readout.text().startswith(("No probe point", "No Taylor model")):
            self.clear_error()

    def _on_hover(self, point) -> None:
        a = self._state.probe.analysis
        if a is None or point is None or len(point) != a.point.size:
            return
        full = np.asarray(point, dtype=float)
        true_loss = float(self._state.surface.surface.loss(full))
        self.show_error(full, true_loss, float(a.taylor(full)))

    def close_view(self) -> None:
        self._subs.clear()
