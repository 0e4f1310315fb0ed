"""The 3-D area's two views for 3-parameter losses: the parameter space and the height map.

For a loss of 3 parameters the area offers "Parameter space (θ1, θ2, θ3)" (the default) and
"Height map of the slice θ3 = v", as two toggle buttons above the view and a View menu action;
for 2 parameters only the height map exists and the toggle is hidden. The parameter-space view
is made the first time a 3-parameter loss is shown (its GL window and isosurface job cost
nothing before), and keeps working through surface switches; the window's shutdown stops its
job and disconnects it.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.scene3d.param_space import ParameterSpaceView
from saddlelab.core.numbers import fmt
from saddlelab.models.subscriptions import Subscriptions


class SpaceSwitch(QtCore.QObject):
    space_created = QtCore.Signal(object)
    """The parameter-space view was made (it is made the first time it is shown)."""
    """Owns the 3-D area: the toggle bar and a stack of the height map and the space view."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window, self.state = window, window.state
        self.space: ParameterSpaceView | None = None
        self.prefer_space = True
        self.area = QtWidgets.QWidget()
        self.stack = QtWidgets.QStackedWidget()
        self.bar = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(self.bar)
        row.setContentsMargins(2, 2, 2, 0)
        self.space_button = self._button("Show the loss in the whole parameter space")
        self.height_button = self._button(
            "Show the loss on the slice as a height map (what the contour view shows)"
        )
        group = QtWidgets.QButtonGroup(self)
        group.setExclusive(True)
        for b in (self.space_button, self.height_button):
            group.addButton(b)
            row.addWidget(b)
        row.addStretch(1)
        self.space_button.clicked.connect(lambda: self.show_space(True))
        self.height_button.clicked.connect(lambda: self.show_space(False))
        layout = QtWidgets.QVBoxLayout(self.area)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.bar)
        layout.addWidget(self.stack, 1)
        index = window.splitter.indexOf(window.view3d)
        self.area.setSizePolicy(window.view3d.sizePolicy())  # its stretch in the splitter
        window.splitter.replaceWidget(index, self.area)
        self.stack.addWidget(window.view3d)
        self.action = QtGui.QAction("Parameter space view (3 parameters)", self)
        self.action.setCheckable(True)
        self.action.setStatusTip("3-parameter losses: the whole parameter space, or the slice")
        self.action.toggled.connect(self.show_space)
        window.view_menu.insertAction(window.view_menu.actions()[0], self.action)
        self._subs = Subscriptions()
        self._subs.connect(self.state.surface.changed, self._on_surface)
        self._subs.connect(self.state.surface.slice_changed, self._label)
        self._on_surface()

    @staticmethod
    def _button(tip: str) -> QtWidgets.QToolButton:
        b = QtWidgets.QToolButton()
        b.setCheckable(True)
        b.setToolTip(tip)
        b.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        return b

    @property
    def three(self) -> bool:
        return self.state.surface.ndim == 3

    def _ensure_space(self) -> ParameterSpaceView:
        if self.space is None:
            self.space = ParameterSpaceView(self.state)
            self.stack.addWidget(self.space)
            self.space_created.emit(self.space)
        return self.space

    def _on_surface(self, *_) -> None:
        self.bar.setVisible(self.three)
        self.action.setEnabled(self.three)
        self._label()
        self._show(self.prefer_space and self.three)

    def _label(self, *_) -> None:
        names = self.state.surface.surface.variables
        if len(names) == 3:
            value = fmt(self.state.surface.slice_value, 3)
            self.space_button.setText(f"Parameter space ({', '.join(names)})")
            self.height_button.setText(f"Height map of the slice {names[2]} = {value}")

    def show_space(self, on: bool) -> None:
        """Show the parameter space (``on``) or the height map; remembered for later surfaces."""
        if not self.three:
            on = False
        else:
            self.prefer_space = bool(on)
        self._show(on)

    def _show(self, on: bool) -> None:
        view = self._ensure_space() if on else self.window.view3d
        self.stack.setCurrentWidget(view)
        for widget, checked in ((self.space_button, on), (self.height_button, not on)):
            widget.setChecked(checked)
        if self.action.isChecked() != on:
            self.action.blockSignals(True)
            self.action.setChecked(on)
            self.action.blockSignals(False)

    def current(self) -> QtWidgets.QWidget:
        return self.stack.currentWidget()

    def close(self) -> None:
        """Stop the isosurface job and disconnect (before the window goes away)."""
        self._subs.clear()
        if self.space is not None:
            self.space.close_view()


def attach_space_switch(window) -> SpaceSwitch:
    """Give ``window`` the parameter-space view and the switch; closed with the window."""
    switch = SpaceSwitch(window)
    window.space_switch = switch
    window.on_shutdown(switch.close)
    return switch
