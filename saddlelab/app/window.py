"""The SaddleLab main window: 3-D and contour views in the centre, panels in docks.

Layout (fits 1280 x 800): the 3-D view and the contour view side by side in a splitter; the
surface picker and the runs panel in docks on the left; loss curves in a dock at the bottom.
The second-order displays (issue 5: analysis panel, step-size plot, critical points, overlays
in both views, Analysis menu) are placed by ``window_docks.install``. Space plays/pauses,
N steps, R resets; T/F/0 move the camera; P follows the selected run, C finds critical points.

Closing the window stops the worker thread (sentinel + wait) before anything is destroyed.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.panels.runs_panel import RunsPanel
from saddlelab.app.panels.surface_picker import SurfacePicker
from saddlelab.app.plots.contour_view import ContourView
from saddlelab.app.plots.loss_plot import LossPlot
from saddlelab.app.runtime.controller import RunController
from saddlelab.app.runtime.pacing import PaintPacer
from saddlelab.app.scene3d.view import View3D
from saddlelab.app.window_docks import install as install_second_order
from saddlelab.core.surface import Surface
from saddlelab.models.app_state import AppState

DEFAULT_LR = 0.05
"""Learning rate of the run the window opens with: slow enough to watch the saddle."""
DEFAULT_SPEED = 30.0
WORKER_START_AFTER_FRAME_MS = 50
WORKER_START_LATEST_MS = 1500


class MainWindow(QtWidgets.QMainWindow):
    """Owns the state, the worker controller, the views and the panels."""

    def __init__(self, surface: Surface, resolution: int = 200, state: AppState | None = None):
        super().__init__()
        self.setWindowTitle("SaddleLab — why training gets stuck")
        self.state = state if state is not None else AppState(surface)
        self.controller = RunController(self.state, self, start=False)
        self.view3d = View3D(self.state, resolution)
        self.contour_view = ContourView(self.state, resolution)
        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
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

        self.surface_picker = SurfacePicker(self.state)
        self.runs_panel = RunsPanel(self.state)
        self.loss_plot = LossPlot(self.state)
        self.surface_dock = self._dock(
            "Surface", self.surface_picker, QtCore.Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.runs_dock = self._dock(
            "Runs", self.runs_panel, QtCore.Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.loss_dock = self._dock(
            "Loss and gradient norm", self.loss_plot, QtCore.Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.setCorner(
            QtCore.Qt.Corner.BottomLeftCorner, QtCore.Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.tabifyDockWidget(self.surface_dock, self.runs_dock)
        self.runs_dock.raise_()
        self.resizeDocks([self.runs_dock], [340], QtCore.Qt.Orientation.Horizontal)
        self.resizeDocks([self.loss_dock], [190], QtCore.Qt.Orientation.Vertical)
        self._toolbar()
        self._actions()
        self.second_order = install_second_order(self)
        self.status = self.statusBar()
        self.controller.worker.busy.connect(self._on_busy)
        self.surface_picker.surface_failed.connect(
            lambda msg: self.status.showMessage(f"Surface not changed: {msg}", 6000)
        )
        self.state.surface.changed.connect(self._on_surface_changed)
        self._closed = False
        self._worker_start_armed = False

    def _dock(self, title: str, widget: QtWidgets.QWidget, area) -> QtWidgets.QDockWidget:
        dock = QtWidgets.QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        dock.setFeatures(
            QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _toolbar(self) -> None:
        """Surface choice and formula, always visible above the views."""
        bar = QtWidgets.QToolBar("Surface")
        bar.setObjectName("surface toolbar")
        bar.setMovable(False)
        label = QtWidgets.QLabel(" Surface ")
        label.setToolTip("Choose the loss surface (details in the Surface tab)")
        bar.addWidget(label)
        self.surface_picker.combo.setMinimumWidth(300)
        bar.addWidget(self.surface_picker.combo)
        bar.addSeparator()
        bar.addWidget(self.surface_picker.formula)
        self.addToolBar(QtCore.Qt.ToolBarArea.TopToolBarArea, bar)

    def add_panel(
        self,
        title: str,
        widget: QtWidgets.QWidget,
        area=QtCore.Qt.DockWidgetArea.RightDockWidgetArea,
    ) -> QtWidgets.QDockWidget:
        """Add a panel as a dock (analysis panels go on the right by default)."""
        return self._dock(title, widget, area)

    def _actions(self) -> None:
        pb = self.state.playback
        specs = [
            ("Play / pause", "Space", pb.toggle),
            ("Step", "N", lambda: pb.step(1)),
            ("Reset runs", "R", pb.reset),
        ]
        menu = self.menuBar().addMenu("&Run")
        self.actions_by_name: dict[str, QtGui.QAction] = {}
        for text, key, slot in specs:
            action = QtGui.QAction(text, self)
            action.setShortcut(QtGui.QKeySequence(key))
            action.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
            action.setToolTip(f"{text} ({key})")
            action.triggered.connect(slot)
            self.addAction(action)
            menu.addAction(action)
            self.actions_by_name[text] = action
        add = QtGui.QAction("Add run", self)
        add.triggered.connect(self.runs_panel.add_run)
        menu.addAction(add)
        view = self.menuBar().addMenu("&View")
        for text, key, slot in (
            ("Top view", "T", self.view3d.top_view),
            ("Front view", "F", self.view3d.front_view),
            ("Reset camera", "0", self.view3d.reset_camera),
        ):
            action = QtGui.QAction(f"{text}\t{key}", self)
            action.triggered.connect(slot)
            view.addAction(action)
        for dock in (self.surface_dock, self.runs_dock, self.loss_dock):
            view.addAction(dock.toggleViewAction())

    def _on_busy(self, message: str) -> None:
        if message:
            self.status.showMessage(message)
        else:
            self.status.clearMessage()

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
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

    def _on_surface_changed(self, surface: Surface) -> None:
        self.status.showMessage(f"{surface.name}: runs reset to the suggested start", 4000)

    # -- lifetime --------
    def shutdown(self) -> None:
        """Stop the worker and disconnect views from the state (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.second_order.close()
        self.controller.shutdown()
        self.controller.worker.busy.disconnect(self._on_busy)
        self.state.surface.changed.disconnect(self._on_surface_changed)
        for view in (
            self.view3d,
            self.contour_view,
            self.loss_plot,
            self.runs_panel,
            self.surface_picker,
        ):
            view.close_view()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)


def lecture_window(resolution: int = 200) -> MainWindow:
    """The window ``saddlelab`` opens: the lecture example with a GD run ready at its start."""
    from saddlelab.core import catalogue

    surface = catalogue.load("w1w2-mse")
    state = AppState(surface)
    state.playback.set_speed(DEFAULT_SPEED)
    state.add_run("sgd", {"lr": DEFAULT_LR})
    return MainWindow(surface, resolution, state=state)
