"""The SaddleLab main window: where the views and panels go, its menus and actions.

Layout (fits 1280 x 800, the size it opens at on projectors): the 3-D and contour views side by
side in a splitter; the surface bar in the toolbar; on the left, tabs for the Surface, the Runs,
the Analysis column (escape banner, analysis panel, Taylor controls) and the Step-size plot; at
the bottom the loss curves beside the critical points. The analysis tab comes forward when
there is something to read (a run stalls at a saddle, a point or critical point is picked).
Docks are movable (on a wide screen drag them out) and closable (the View and Analysis menus
bring them back). Space plays/pauses, N steps, R resets;
T/F/0 move the camera; P follows the selected run, C finds critical points.

Every view and panel reads the models itself; the window only places them, turns menu actions
into model changes, and on close stops the worker thread (sentinel + wait) and disconnects
every part before anything is destroyed.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.basins_dock import attach_basins
from saddlelab.app.file_menu import attach_file_menu
from saddlelab.app.panels.analysis_column import AnalysisColumn
from saddlelab.app.panels.runs_panel import RunsPanel
from saddlelab.app.panels.surface_bar import SurfaceBar
from saddlelab.app.panels.surface_picker import SurfacePicker
from saddlelab.app.plots.contour_view import ContourView
from saddlelab.app.plots.loss_plot import LossPlot
from saddlelab.app.presentation import PresentationControl
from saddlelab.app.runtime.controller import RunController
from saddlelab.app.runtime.pacing import PaintPacer
from saddlelab.app.scene3d.view import View3D
from saddlelab.app.second_order import SecondOrder
from saddlelab.app.space_switch import attach_space_switch
from saddlelab.app.swarm_dock import attach_swarm
from saddlelab.core.surface import Surface
from saddlelab.models.app_state import AppState
from saddlelab.models.subscriptions import Subscriptions

DEFAULT_LR = 0.05
"""Learning rate of the run the window opens with: slow enough to watch the saddle."""
DEFAULT_SPEED = 30.0
WORKER_START_AFTER_FRAME_MS = 50
WORKER_START_LATEST_MS = 1500
LEFT_WIDTH = 340
ANALYSIS_WIDTH = 360
"""Width of the analysis dock: the panel fits 2-parameter surfaces without scrolling."""
CRITICAL_WIDTH = 400
"""Width of the critical-points dock beside the loss curves."""
BOTTOM_SHARE = 0.33
"""Share of the window's height the loss curves and the critical-points table open with (at
1280 x 800: six table rows); a resized window keeps the share the user left them at."""
LEFT = QtCore.Qt.DockWidgetArea.LeftDockWidgetArea
BOTTOM = QtCore.Qt.DockWidgetArea.BottomDockWidgetArea
HORIZONTAL = QtCore.Qt.Orientation.Horizontal
VERTICAL = QtCore.Qt.Orientation.Vertical


class MainWindow(QtWidgets.QMainWindow):
    """Owns the state, the worker controller, the views and the panels."""

    def __init__(self, surface: Surface, resolution: int = 200, state: AppState | None = None):
        super().__init__()
        self.setWindowTitle("SaddleLab — why training gets stuck")
        self.state = state if state is not None else AppState(surface)
        self.controller = RunController(self.state, self, start=False)
        self.view3d = View3D(self.state, resolution)
        self.contour_view = ContourView(self.state, resolution)
        splitter = QtWidgets.QSplitter(HORIZONTAL)
        splitter.addWidget(self.view3d)
        splitter.addWidget(self.contour_view)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        self.setCentralWidget(splitter)
        # Paint passes of this window run in the frame scheduler's slots (see ``runtime.pacing``).
        self.paint_pacer = PaintPacer(self)
        # No dock animations: with them every re-layout of the window (a panel's text grows
        # by a line while runs stream) animates every dock and repaints the whole window.
        self.setAnimated(False)

        self.surface_bar = SurfaceBar(self.state)
        self.surface_picker = SurfacePicker(self.state)
        self.runs_panel = RunsPanel(self.state)
        self.loss_plot = LossPlot(self.state)
        self.second_order = SecondOrder(self.state, self.view3d, self.contour_view)
        self._subs = Subscriptions()
        self._toolbar()
        self._docks()
        self._menus()
        self.presentation = PresentationControl(self, self.state.view)
        self.view_menu.addSeparator()
        for action in self.presentation.actions:
            self.view_menu.addAction(action)
        self.status = self.statusBar()
        self.controller.worker.busy.connect(self._on_busy)
        for source in (self.surface_bar, self.surface_picker):
            source.surface_failed.connect(
                lambda msg: self.status.showMessage(f"Surface not changed: {msg}", 6000)
            )
        self._subs.connect(self.state.surface.changed, self._on_surface_changed)
        self._subs.connect(self.state.view.events.probe, self._on_probe)
        self._subs.connect(self.state.runs.selected_changed, self._on_follow_possible)
        self._on_follow_possible()
        self._closed = False
        self._on_shutdown: list = []
        self._worker_start_armed = False
        attach_file_menu(self)  # File (first) and Edit menus, exports, context menus, close prompt
        attach_space_switch(self)  # 3 parameters: the parameter-space view beside the height map
        attach_basins(self)  # the Basins dock, its job and the contour view's basins layer
        attach_swarm(self)  # the Swarm dock, its layers in both views and its thread

    # -- placing ----------------------------------------------------------------------------------
    def _dock(self, title: str, widget: QtWidgets.QWidget, area) -> QtWidgets.QDockWidget:
        dock = QtWidgets.QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        dock.setFeatures(
            QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetClosable
        )  # closable: the View and Analysis menus' toggles hide and show it again
        toggle = dock.toggleViewAction()
        tip = f"Show or hide the {title} panel"
        toggle.setToolTip(tip)
        toggle.setStatusTip(tip)
        self.addDockWidget(area, dock)
        return dock

    def _toolbar(self) -> None:
        """Surface choice and formula, always visible above the views."""
        bar = QtWidgets.QToolBar("Surface")
        bar.setObjectName("surface toolbar")
        bar.setMovable(False)
        bar.addWidget(self.surface_bar)
        self.addToolBar(QtCore.Qt.ToolBarArea.TopToolBarArea, bar)

    def _docks(self) -> None:
        so = self.second_order
        self.analysis_actions = [
            self._action(
                "Follow run",
                "Analyse the selected run's current point again (after picking a point)",
                self.state.follow_selected_run,
                "P",
            ),
            self._action(
                "Find critical points",
                "Find, classify and mark every critical point of the surface",
                lambda: so.critical.find(),
                "C",
            ),
        ]
        column = AnalysisColumn(so.escape, so.panel, so.taylor_controls, self.analysis_actions)
        self.surface_dock = self._dock("Surface", self.surface_picker, LEFT)
        self.runs_dock = self._dock("Runs", self.runs_panel, LEFT)
        self.loss_dock = self._dock("Loss and gradient norm", self.loss_plot, BOTTOM)
        analysis_dock = self._dock("Analysis", column, LEFT)
        # The step-size plot is a tall tab of the left group; the critical points sit beside the
        # loss curves. (A second tab group, e.g. tabs next to the loss curves, trips a Qt bug
        # seen with 6.11 and 6.12: a stale copy of its tab bar stays over the dock's content.)
        step_dock = self._dock("Step size", so.step_plot, LEFT)
        critical_dock = self._dock("Critical points", so.critical, BOTTOM)
        self.setCorner(QtCore.Qt.Corner.BottomLeftCorner, LEFT)
        self.tabifyDockWidget(self.surface_dock, self.runs_dock)
        self.tabifyDockWidget(self.runs_dock, analysis_dock)
        self.tabifyDockWidget(analysis_dock, step_dock)
        self.splitDockWidget(self.loss_dock, critical_dock, HORIZONTAL)
        self.runs_dock.raise_()
        self.resizeDocks([self.runs_dock], [LEFT_WIDTH], HORIZONTAL)
        self.resizeDocks([self.loss_dock], [190], VERTICAL)
        self.resizeDocks([analysis_dock], [ANALYSIS_WIDTH], HORIZONTAL)
        self.resizeDocks([self.loss_dock, critical_dock], [520, CRITICAL_WIDTH], HORIZONTAL)
        so.docks = {"analysis": analysis_dock, "step": step_dock, "critical": critical_dock}
        so.escape.shown.connect(lambda *_: bring_forward(analysis_dock))
        so.critical.probeRequested.connect(lambda *_: bring_forward(analysis_dock))

    def _action(self, text: str, tip: str, slot, key: str | None = None) -> QtGui.QAction:
        action = QtGui.QAction(text, self)
        action.setToolTip(tip + (f" ({key})" if key else ""))
        action.setStatusTip(tip)
        if key:
            action.setShortcut(QtGui.QKeySequence(key))
            action.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
        action.triggered.connect(slot)
        return action

    def _menus(self) -> None:
        pb = self.state.playback
        menu = self.run_menu = self.menuBar().addMenu("&Run")
        self.actions_by_name: dict[str, QtGui.QAction] = {}
        for text, tip, key, slot in (
            ("Play / pause", "Play or pause every run", "Space", pb.toggle),
            ("Step", "One optimizer step of every unfinished run", "N", lambda: pb.step(1)),
            ("Reset runs", "Put every run back at its start", "R", pb.reset),
            ("Add run", "Add a run to compare (next optimizer)", None, self.runs_panel.add_run),
        ):
            action = self._action(text, tip, slot, key)
            menu.addAction(action)
            self.actions_by_name[text] = action
        self.actions_by_name["Play / pause"].setCheckable(True)
        self._subs.connect(pb.playing_changed, self._on_playback)
        self._subs.connect(pb.can_move_changed, self._on_playback)
        self._subs.connect(self.state.runs.added, self._on_playback)
        self._subs.connect(self.state.runs.removed, self._on_playback)
        self._on_playback()
        view = self.menuBar().addMenu("&View")
        for text, key, slot in (
            ("Top view", "T", self.view3d.top_view),
            ("Front view", "F", self.view3d.front_view),
            ("Reset camera", "0", self.view3d.reset_camera),
        ):
            action = QtGui.QAction(f"{text}\t{key}", self)
            action.setStatusTip(f"3-D camera: {text.lower()} (key {key})")
            action.triggered.connect(slot)
            view.addAction(action)
        view.addSeparator()
        for dock in (self.surface_dock, self.runs_dock, self.loss_dock):
            view.addAction(dock.toggleViewAction())
        self.view_menu = view
        analysis = self.menuBar().addMenu("&Analysis")
        for action in self.analysis_actions:
            analysis.addAction(action)
        analysis.addSeparator()
        for text, tip, field in (
            ("Eigenvector arrows", "Hessian eigenvectors at the probe point in 3-D",
             "show_eigen_arrows"),
            ("Taylor patch (3-D)", "The quadratic model as a patch in 3-D", "show_taylor_patch"),
            ("Taylor contours (2-D)", "The quadratic model's dashed contours",
             "show_taylor_contours"),
        ):  # fmt: skip
            analysis.addAction(self._toggle(text, tip, field))
        analysis.addSeparator()
        for dock in self.second_order.docks.values():
            analysis.addAction(dock.toggleViewAction())
        for each in (menu, view, analysis):
            each.setToolTipsVisible(True)  # an entry that cannot act says why

    def _toggle(self, text: str, tip: str, field: str) -> QtGui.QAction:
        """A checkable action bound both ways to a boolean field of the view settings."""
        view = self.state.view
        action = QtGui.QAction(text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.setCheckable(True)
        action.setChecked(getattr(view, field))
        action.toggled.connect(lambda on: setattr(view, field, bool(on)))
        self._subs.connect(getattr(view.events, field), lambda on: action.setChecked(on))
        return action

    # -- what the window itself shows -------------------------------------------------------------
    def _on_playback(self, *_) -> None:
        """The Run menu follows whether anything moves: Play / pause is checked while playing,
        and with nothing to move Play and Step are off and say why."""
        pb, actions = self.state.playback, self.actions_by_name
        play, step, reset = actions["Play / pause"], actions["Step"], actions["Reset runs"]
        play.setChecked(pb.playing)
        play.setText("Pause" if pb.playing else "Play")
        play.setEnabled(pb.playing or pb.can_move)
        step.setEnabled(pb.can_move)
        reset.setEnabled(len(self.state.runs) > 0)
        why = self.state.nothing_to_move()
        play.setStatusTip(why or ("Pause every run" if pb.playing else "Play every run"))
        step.setStatusTip(why or "One optimizer step of every unfinished run")
        for action in (play, step):
            action.setToolTip(f"{action.statusTip()} ({action.shortcut().toString()})")

    def _on_busy(self, message: str) -> None:
        if message:
            self.status.showMessage(message)
        else:
            self.status.clearMessage()

    def _on_surface_changed(self, surface: Surface) -> None:
        self.status.showMessage(f"{surface.name}: runs reset to the suggested start", 4000)

    def _on_probe(self, probe) -> None:
        if probe.source == "picked":
            bring_forward(self.second_order.docks["analysis"])
        self._on_follow_possible()

    def _on_follow_possible(self, *_) -> None:
        """ "Follow run" acts only when a picked point can be given back to a selected run."""
        follow = self.analysis_actions[0]
        if self.state.runs.selected is None:
            why = "Select a run to follow it (Runs tab)"
        elif self.state.view.probe_source != "picked":
            why = "The analysis already follows the selected run (Shift+click picks a point)"
        else:
            why = ""
        follow.setEnabled(not why)
        follow.setStatusTip(why or "Analyse the selected run's current point again")
        follow.setToolTip(f"{follow.statusTip()} (P)")

    def _bottom_docked(self) -> bool:
        dock = self.loss_dock
        return dock.isVisible() and not dock.isFloating() and self.dockWidgetArea(dock) == BOTTOM

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        old, new = event.oldSize().height(), event.size().height()
        share = self.loss_dock.height() / old if old > 0 and self._bottom_docked() else None
        super().resizeEvent(event)
        if share is not None and new != old:
            self.resizeDocks([self.loss_dock], [round(share * new)], VERTICAL)
        self.presentation.fit_tab_bars()

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        if not self._worker_start_armed and self._bottom_docked():
            self.resizeDocks([self.loss_dock], [round(BOTTOM_SHARE * self.height())], VERTICAL)
        # Once the docks are laid out:
        QtCore.QTimer.singleShot(0, self.presentation, self.presentation.fit_tab_bars)
        # Start stepping once the first 3-D frame is on screen: loading or compiling the
        # optimizer loops holds Python's GIL for up to a second, and the first frame would
        # wait for it. (If no frame comes, e.g. no OpenGL, start a little later anyway.)
        if not self._worker_start_armed:
            self._worker_start_armed = True
            self.view3d.gl.frameSwapped.connect(self._first_frame_shown)
            QtCore.QTimer.singleShot(WORKER_START_LATEST_MS, self.controller.start)

    def _first_frame_shown(self) -> None:
        self.view3d.gl.frameSwapped.disconnect(self._first_frame_shown)
        QtCore.QTimer.singleShot(WORKER_START_AFTER_FRAME_MS, self.controller.start)

    # -- lifetime ---------------------------------------------------------------------------------
    def on_shutdown(self, stop) -> None:
        """Call ``stop()`` first when the window shuts down (a part attached from its own module:
        its threads and subscriptions end before the views it draws in)."""
        self._on_shutdown.append(stop)

    def shutdown(self) -> None:
        """Stop the worker and disconnect every view and panel from the state (idempotent)."""
        if self._closed:
            return
        self._closed = True
        for stop in self._on_shutdown:
            stop()
        self.second_order.close()
        self.presentation.close()
        self.controller.shutdown()
        self.controller.worker.busy.disconnect(self._on_busy)
        self._subs.clear()
        for view in (
            self.view3d,
            self.contour_view,
            self.loss_plot,
            self.runs_panel,
            self.surface_picker,
            self.surface_bar,
        ):
            view.close_view()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)


def bring_forward(dock: QtWidgets.QDockWidget) -> None:
    """Show a dock (the user may have closed it) and bring its tab to the front."""
    dock.show()
    dock.raise_()


def lecture_state() -> AppState:
    """The lecture example with a GD run ready at its start (the opening state, File ▸ New)."""
    from saddlelab.core import catalogue

    state = AppState(catalogue.load("w1w2-mse"))
    state.playback.set_speed(DEFAULT_SPEED)
    state.add_run("sgd", {"lr": DEFAULT_LR})
    return state


def lecture_window(resolution: int = 200) -> MainWindow:
    """The window ``saddlelab`` opens: the lecture example."""
    state = lecture_state()
    return MainWindow(state.surface.surface, resolution, state=state)
