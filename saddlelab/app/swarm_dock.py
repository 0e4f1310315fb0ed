"""The window's swarm: its model, worker, contour and 3-D layers and its dock panel.

``attach_swarm(window)`` (one call in ``MainWindow.__init__``) adds the "Swarm" dock as a tab
of the left dock group, draws the swarm in the contour view, the height-map view and (for
3-parameter losses) the parameter-space view at the particles' true positions, and stops
the swarm's thread when the window closes. A new surface (or a new scene scale) rebuilds the
swarm there, paused at its starts; a moved slice redraws the 3-D points on the new slice.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.panels.swarm_panel import DEFAULT_SPEED_INDEX, SPEEDS, SwarmPanel
from saddlelab.app.plots.swarm_layer import SwarmLayer
from saddlelab.app.runtime.pacing import RedrawThrottle
from saddlelab.app.runtime.swarm_controller import SwarmController
from saddlelab.app.scene3d.swarm_points import SwarmPoints
from saddlelab.models.subscriptions import Subscriptions
from saddlelab.models.swarm import SwarmModel

LIFT = 0.01
"""How far above the surface the 3-D particles float (scene units, as the trajectories)."""
REDRAW_3D_MS = 8


class SwarmParts(QtCore.QObject):
    """Everything the swarm adds to a window (kept as ``window.swarm``)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        state = window.state
        self.window = window
        self.model = SwarmModel(state.surface.surface)
        runs_worker = window.controller.worker
        self.controller = SwarmController(self.model, self, gate=runs_worker.isRunning)
        self.controller.set_speed(SPEEDS[DEFAULT_SPEED_INDEX][1])
        self.layer = SwarmLayer(window.contour_view, self.model, self)
        view3d = window.view3d
        self.points3d = SwarmPoints(lambda p: view3d.world(p[:, :2], LIFT))
        view3d.add_item(self.points3d)
        self.points_space: SwarmPoints | None = None
        switch = getattr(window, "space_switch", None)  # attached before the swarm
        if switch is not None:
            if switch.space is not None:
                self._attach_space(switch.space)
            switch.space_created.connect(self._attach_space)
        self._throttle3d = RedrawThrottle(lambda _: self.redraw_3d(), REDRAW_3D_MS, self,
                                          paints=False)  # fmt: skip
        self.panel = SwarmPanel(
            self.model,
            lambda: state.runs.selected,
            lambda: state.view.probe_point,
        )
        self.panel.speed_changed.connect(self.controller.set_speed)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.panel)
        self.dock = window._dock("Swarm", scroll, QtCore.Qt.DockWidgetArea.LeftDockWidgetArea)
        window.tabifyDockWidget(window.runs_dock, self.dock)
        window.runs_dock.raise_()
        self.dock.hide()  # closed until asked for (Run > Swarm of starts...), as the basins
        self.action = QtGui.QAction("Swarm of starts…", window)
        self.action.setStatusTip("Many starts at once: where they go and where they crawl")
        self.action.triggered.connect(self.bring_forward)
        window.run_menu.addSeparator()
        window.run_menu.addAction(self.action)
        window.view_menu.addAction(self.dock.toggleViewAction())
        self._subs = Subscriptions()
        on = self._subs.connect
        on(state.surface.changed, self._on_surface)
        on(state.surface.slice_changed, lambda *_: self._throttle3d.mark("swarm"))
        on(state.scene.changed, lambda *_: self._throttle3d.mark("swarm"))
        on(self.model.snapshot_changed, lambda *_: self._throttle3d.mark("swarm"))
        on(self.model.rebuild_requested, lambda *_: self.points3d.clear())
        # stop the thread when the window shuts down (a close the save prompt cancels does not)
        window.on_shutdown(self.shutdown)

    def _on_surface(self, surface) -> None:
        self.model.set_playing(False)
        if self.model.generation == 0:  # never launched: just the new surface's settings
            self.model.surface = surface
            self.model.set_message(f"{self.model.describe()}: press Play swarm or Step.")
            return
        self.model.set_surface(surface)
        self.model.set_message(f"New surface: the swarm starts again ({self.model.describe()}).")

    def bring_forward(self) -> None:
        self.dock.show()
        self.dock.raise_()

    def _attach_space(self, space) -> None:
        self.points_space = SwarmPoints(space.world)
        space.add_item(self.points_space)
        self._throttle3d.mark("swarm")

    def redraw_3d(self) -> None:
        snap = self.model.snapshot
        views = [v for v in (self.points3d, self.points_space) if v is not None]
        if snap is None or snap.points.shape[1] != self.model.surface.ndim:
            for view in views:
                view.clear()
            return
        colours = self.model.colours()
        self.points3d.set_points(snap.points, self.model.colour_key, colours)
        if self.points_space is not None:
            if snap.points.shape[1] == 3:
                self.points_space.set_points(snap.points, self.model.colour_key, colours)
            else:
                self.points_space.clear()

    def flush(self) -> None:
        """Draw the latest snapshot in both views now (tests, screenshots)."""
        self.layer.flush()
        self._throttle3d.flush()

    def shutdown(self) -> None:
        self._subs.clear()
        self.controller.shutdown()


def attach_swarm(window) -> SwarmParts:
    """Add the swarm to ``window`` (see the module docstring)."""
    window.swarm = SwarmParts(window)
    return window.swarm
