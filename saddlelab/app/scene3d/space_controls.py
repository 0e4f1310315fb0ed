"""Three sliders for the parameter-space view's slice planes, each with its value and a
check box that shows or hides its plane (θ3's slider moves the slice the 2-D views show)."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from saddlelab.app.scene3d.slice_planes import FRAME_COLOURS
from saddlelab.app.style import tint
from saddlelab.core.numbers import fmt

STEPS = 300


class SliceSliders(QtWidgets.QWidget):
    """``moved(axis, value)`` while a slider moves; ``toggled(axis, shown)``."""

    moved = QtCore.Signal(int, float)
    toggled = QtCore.Signal(int, bool)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.domain = [(-1.0, 1.0)] * 3
        self.names = ("θ1", "θ2", "θ3")
        self.checks, self.sliders, self.values = [], [], []
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for axis in range(3):
            check = QtWidgets.QCheckBox()
            check.setChecked(True)
            check.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
            check.toggled.connect(lambda on, a=axis: self.toggled.emit(a, bool(on)))
            tint(check, FRAME_COLOURS[axis], bold=True)
            slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
            slider.setRange(0, STEPS)
            slider.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
            slider.valueChanged.connect(lambda k, a=axis: self._on_slider(a, k))
            value = QtWidgets.QLabel()
            value.setMinimumWidth(40)
            slider.setMinimumWidth(40)
            self.checks.append(check)
            self.sliders.append(slider)
            self.values.append(value)
            layout.addWidget(check)
            layout.addWidget(slider, 1)
            layout.addWidget(value)

    def set_domain(self, domain, names) -> None:
        self.domain = [tuple(map(float, d)) for d in domain]
        self.names = tuple(str(n) for n in names)
        for axis, check in enumerate(self.checks):
            check.setText(f"{self.names[axis]} plane")
            check.setToolTip(
                f"Show the plane {self.names[axis]} = const with the loss on it"
                + (" (the slice the contour view shows)" if axis == 2 else "")
            )
            self.sliders[axis].setToolTip(f"Move the plane {self.names[axis]} = const")

    def _on_slider(self, axis: int, k: int) -> None:
        lo, hi = self.domain[axis]
        self.moved.emit(axis, lo + (hi - lo) * k / STEPS)

    def show_value(self, axis: int, value: float) -> None:
        """Follow a plane moved elsewhere (dragged, or the slice set by another view)."""
        lo, hi = self.domain[axis]
        slider = self.sliders[axis]
        k = round((value - lo) / (hi - lo) * STEPS) if hi > lo else 0
        if slider.value() != k:
            slider.blockSignals(True)
            slider.setValue(k)
            slider.blockSignals(False)
        self.values[axis].setText(f"= {fmt(value, 3)}")
