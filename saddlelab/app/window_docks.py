"""Places the second-order displays in the main window: docks, menu and shortcuts.

The analysis column (saddle-escape banner, two action buttons, the analysis panel, the Taylor
controls) is one dock, a tab next to Surface and Runs on the left: at 1280 x 800 (projectors;
the window opens at that size) a third column would leave the views too narrow. It comes
forward when there is something to read (a run stalls at a saddle, the user picks a point or a
critical point). The step-size plot is the next tab (tall, readable); the critical-points list
sits beside the loss curves. Docks are movable: on a wide screen drag them out. An
"Analysis" menu holds the actions (follow the selected run, find critical points, overlay
toggles, the docks).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.second_order import SecondOrder

CRITICAL_WIDTH = 400
"""Width of the critical-points dock beside the loss curves."""
ANALYSIS_WIDTH = 360
"""Width of the analysis dock: the panel fits 2-parameter surfaces without scrolling."""


class AnalysisColumn(QtWidgets.QWidget):
    """A row of actions, then (scrolling) the saddle-escape banner and the analysis panel,
    then the Taylor controls."""

    def __init__(self, so: SecondOrder, actions: list[QtGui.QAction]) -> None:
        super().__init__()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(4, 0, 4, 0)
        for action in actions:
            button = QtWidgets.QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextOnly)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        # Banner and panel scroll together: a tall banner never squeezes the panel to nothing.
        content = QtWidgets.QWidget()
        inner = QtWidgets.QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(4)
        inner.addWidget(so.escape)
        inner.addWidget(so.panel, 1)
        self.scroll = QtWidgets.QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        # The column follows the dock's width (everything wraps); only vertical scrolling.
        self.scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
        )
        self.scroll.setWidget(content)
        layout.addWidget(self.scroll, 1)
        so.taylor_controls.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Maximum
        )
        layout.addWidget(so.taylor_controls)
        so.escape.shown.connect(lambda: self.scroll.verticalScrollBar().setValue(0))


def install(window) -> SecondOrder:
    """Create the second-order displays for ``window`` (a MainWindow) and dock them."""
    so = SecondOrder(window.state, window.view3d, window.contour_view, window)
    state = window.state

    def action(text: str, tip: str, slot, key: str | None = None, checked=None) -> QtGui.QAction:
        act = QtGui.QAction(text, window)
        act.setToolTip(tip + (f" ({key})" if key else ""))
        act.setStatusTip(tip)
        if key:
            act.setShortcut(QtGui.QKeySequence(key))
            act.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
            window.addAction(act)
        if checked is not None:
            act.setCheckable(True)
            act.setChecked(checked)
            act.toggled.connect(slot)
        else:
            act.triggered.connect(slot)
        return act

    column_actions = [
        action(
            "Follow run",
            "Analyse the selected run's current point again (after picking a point)",
            state.follow_selected_run,
            "P",
        ),
        action(
            "Find critical points",
            "Find, classify and mark every critical point of the surface",
            lambda: so.critical.find(),
            "C",
        ),
    ]
    column = AnalysisColumn(so, column_actions)
    analysis_dock = window.add_panel(
        "Analysis", column, QtCore.Qt.DockWidgetArea.LeftDockWidgetArea
    )
    window.tabifyDockWidget(window.runs_dock, analysis_dock)
    window.runs_dock.raise_()

    def show_analysis(*_) -> None:
        analysis_dock.raise_()

    def on_probe(probe) -> None:
        if probe.source == "picked":
            analysis_dock.raise_()

    so.escape.shown.connect(show_analysis)
    so.critical.probeRequested.connect(show_analysis)
    state.view.events.probe.connect(on_probe)
    so.close_hooks.append(lambda: state.view.events.probe.disconnect(on_probe))
    # The step-size plot is a tall tab of the left group; the critical points sit beside the
    # loss curves. (A second tab group, e.g. tabs next to the loss curves, trips a Qt bug seen
    # with 6.11 and 6.12: a stale copy of its tab bar stays visible over the dock's content.)
    left = QtCore.Qt.DockWidgetArea.LeftDockWidgetArea
    step_dock = window.add_panel("Step size", so.step_plot, left)
    window.tabifyDockWidget(analysis_dock, step_dock)
    window.runs_dock.raise_()
    bottom = QtCore.Qt.DockWidgetArea.BottomDockWidgetArea
    critical_dock = window.add_panel("Critical points", so.critical, bottom)
    window.splitDockWidget(window.loss_dock, critical_dock, QtCore.Qt.Orientation.Horizontal)
    horizontal = QtCore.Qt.Orientation.Horizontal
    window.resizeDocks([analysis_dock], [ANALYSIS_WIDTH], horizontal)
    window.resizeDocks([window.loss_dock, critical_dock], [520, CRITICAL_WIDTH], horizontal)

    menu = window.menuBar().addMenu("&Analysis")
    for act in column_actions:
        menu.addAction(act)
    menu.addSeparator()
    for text, tip, slot in (
        (
            "Eigenvector arrows",
            "Hessian eigenvectors at the probe point in 3-D",
            so.set_show_arrows,
        ),
        (
            "Taylor patch (3-D)",
            "The quadratic model as a patch in 3-D",
            so.taylor_controls.patch.setChecked,
        ),
        (
            "Taylor contours (2-D)",
            "The quadratic model's dashed contours",
            so.taylor_controls.contours.setChecked,
        ),
    ):
        menu.addAction(action(text, tip, slot, checked=True))
    menu.addSeparator()
    for dock in (analysis_dock, step_dock, critical_dock):
        menu.addAction(dock.toggleViewAction())
    so.docks = {"analysis": analysis_dock, "step": step_dock, "critical": critical_dock}
    return so
