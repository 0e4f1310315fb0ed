"""Wires the second-order displays to the application state and the two views.

One object owns the analysis panel, the Taylor controls, the step-size plot, the critical-points
panel, the saddle-escape banner, and the overlay items in the 3-D view (eigenvector arrows,
Taylor patch, critical-point markers, legend) and in the contour view (dashed Taylor contours,
markers, legend). The window only places its widgets in docks and calls :meth:`close`.

Data flow: the probe point changes (the selected run moved, at the worker's batch rate, or the
user picked a point) -> the state's ``ProbeModel`` runs one exact ``analyze()`` -> every display
here sets data from it. Overlays are placed with the state's scene scale (never another view's
attributes); the saddle-escape banner shows the state's ``EscapeModel`` offer and calls its
remedies. Nothing here steps an optimizer or blocks: the critical-point finder runs on its own
thread.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore

from saddlelab.app.panels.analysis_panel import AnalysisPanel
from saddlelab.app.panels.critical_points import CriticalPointsPanel
from saddlelab.app.panels.escape_banner import EscapeAdvice
from saddlelab.app.panels.taylor_controls import TaylorControls
from saddlelab.app.plots.critical_markers import CriticalMarkers2D
from saddlelab.app.plots.legend import SecondOrderLegend
from saddlelab.app.plots.step_size_plot import StepSizePlot
from saddlelab.app.plots.taylor_contours import TaylorContoursItem, taylor_contour_lines
from saddlelab.app.runtime.pacing import RedrawThrottle
from saddlelab.app.scene3d.critical_markers import GLCriticalMarkersItem
from saddlelab.app.scene3d.eigen_arrows import GLEigenArrowsItem, eigen_arrow_geometry, lift_arrows
from saddlelab.app.scene3d.legend import GLLegendItem
from saddlelab.app.scene3d.taylor_patch import GLTaylorPatchItem, patch_grid
from saddlelab.core.numbers import fmt
from saddlelab.models.subscriptions import Subscriptions

ARROW_FRACTION = 0.2
"""Longest eigenvector arrow (half-length) as a fraction of the domain's narrowest side."""
RADIUS_FRACTION = 0.15
"""Default Taylor radius as a fraction of the domain's narrowest side."""
PLOT_INTERVAL_MS = 80
"""The step-size plot redraws at most this often (it is a summary, not a live trace)."""
ARROW_LIFT = 0.012
PATCH_LIFT = 0.004


class SecondOrder(QtCore.QObject):
    """Everything of issue 5 for one window; ``state`` is the AppState, views are the app's."""

    analysed = QtCore.Signal(object)
    """A new PointAnalysis was shown (None when the probe was cleared)."""

    def __init__(self, state, view3d, contour, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.state, self.view3d, self.contour = state, view3d, contour
        self.analysis = None
        self._points: list = []
        self._show_patch = self._show_contours = self._show_arrows = True
        self.docks: dict = {}
        """Filled by window_docks.install: the docks this object's widgets live in."""
        self.close_hooks: list = []
        """Callables run by :meth:`close` (disconnections made by whoever placed the widgets)."""
        # Paced with the other 2-D redraws by the frame scheduler, not a timer of its own.
        self._plot = RedrawThrottle(lambda _: self._draw_plot(), PLOT_INTERVAL_MS, self)

        self.panel = AnalysisPanel()
        self.taylor_controls = TaylorControls()
        self.step_plot = StepSizePlot()
        self.critical = CriticalPointsPanel()
        self.escape = EscapeAdvice()

        self.arrows = GLEigenArrowsItem()
        self.patch = GLTaylorPatchItem()
        self.markers3d = GLCriticalMarkersItem()
        for item in (self.patch, self.markers3d, self.arrows):
            view3d.add_item(item)
        self.contours = TaylorContoursItem()
        self.markers2d = CriticalMarkers2D()
        for item in (self.contours, self.markers2d):
            contour.add_item(item)
        self.legend3d = GLLegendItem()  # painted in the scene: the 3-D view is a native GL window
        view3d.add_item(self.legend3d)
        self.legend2d = SecondOrderLegend(contour.plot_widget, corner="bottom-right")

        self.taylor_controls.radiusChanged.connect(lambda _: self.refresh())
        self.taylor_controls.showPatchChanged.connect(self._set_show_patch)
        self.taylor_controls.showContoursChanged.connect(self._set_show_contours)
        self.critical.probeRequested.connect(state.pick_probe)
        self.critical.startRunRequested.connect(self._start_run_at)
        self.critical.pointsChanged.connect(self._on_points)
        self.escape.stepRequested.connect(state.escape.step)
        self.escape.noiseRequested.connect(state.escape.add_noise)
        self._subs = Subscriptions()
        on = self._subs.connect
        on(state.scene.changed, self.refresh)
        on(state.probe.changed, self._on_probe)
        on(state.view.hover_changed, self._on_hover)
        on(state.surface.changed, self._on_surface)
        on(state.escape.changed, self._on_escape_offer)
        on(state.escape.defaults_changed, self.escape.set_defaults)
        on(state.runs.added, self._on_run_added)
        on(state.runs.removed, self._on_run_removed)
        on(state.runs.selected_changed, self._on_selected)
        for run in state.runs:
            self._on_run_added(run)
        self.escape.set_defaults(state.escape.step_length, state.escape.noise_sigma)
        self._on_surface(state.surface.surface)
        self._on_escape_offer(state.escape.offer)

    # -- surface and runs -------------------------------------------------------------------------
    def _span(self) -> float:
        return min(hi - lo for lo, hi in self.state.surface.surface.domain[:2])

    def _on_surface(self, surface) -> None:
        span = self._span()
        self.taylor_controls.set_radius(RADIUS_FRACTION * span, 0.6 * span)
        self.critical.set_surface(surface)
        self.refresh()

    def _on_run_added(self, run) -> None:
        self._subs.connect(run.config_changed, self._on_config, key=run)

    def _on_run_removed(self, run) -> None:
        self._subs.clear(run)

    def _on_selected(self, run) -> None:
        self._show_lr()

    def _on_config(self, run, what: str) -> None:
        if run is self.state.runs.selected and what == "params":
            self._show_lr()

    def _run_lr(self) -> float | None:
        run = self.state.runs.selected
        if run is None:
            return None
        base = run.params.get("lr")
        if not isinstance(base, int | float) or base <= 0:
            return None
        try:  # the schedule's rate at the run's current step, as the next update will use
            lr = float(run.schedule.lr_at(float(base), run.steps))
        except (AttributeError, TypeError, ValueError):
            lr = float(base)
        return lr if lr > 0 else None

    def _show_lr(self) -> None:
        self.panel.set_learning_rate(self._run_lr())
        self._schedule_plot()

    def _schedule_plot(self) -> None:
        """Redraw the step-size plot soon: changes arriving at 60 Hz merge into one per 80 ms."""
        self._plot.mark(None)

    def _draw_plot(self) -> None:
        a = self.analysis
        if a is not None:
            self.step_plot.show_model(a.eigenvalues, self._run_lr(), a.eigen_tolerance)

    # -- probe ------------------------------------------------------------------------------------
    def _on_probe(self, probe) -> None:
        """Show the probe's analysis (computed once, by the state) on every display."""
        analysis = probe.analysis
        if analysis is None:
            self._clear(probe.message)
            return
        if self.analysis is None:
            self.taylor_controls.clear_error()
        self.analysis = analysis
        run = self.state.runs.selected
        if probe.source == "run" and run is not None:
            self.panel.set_source(f"Following {run.title}, step {run.steps}")
        else:
            self.panel.set_source("Picked point (Shift+click in the contour view to move it)")
        self.panel.show_analysis(analysis, self._run_lr())
        self._schedule_plot()
        self._draw_overlays()
        self.analysed.emit(analysis)

    def refresh(self) -> None:
        """Re-lift everything (new scale, slice or radius) for the current probe."""
        if self.state.probe.surface is not self.state.surface.surface:
            return  # a surface switch under way: the probe announces its new analysis itself
        self._on_probe(self.state.probe)
        self._draw_markers()

    def _clear(self, message: str) -> None:
        self.analysis = None
        self.panel.clear(message)
        self.taylor_controls.clear_error("No probe point, so no Taylor model to compare.")
        self.arrows.clear()
        self.patch.clear()
        self.contours.clear()
        self.legend3d.set_arrows()
        self.legend3d.set_overlay("")
        self.legend2d.set_overlay("")
        self.analysed.emit(None)

    def _plane_to_full(self, xy: np.ndarray) -> np.ndarray:
        model = self.state.surface
        if model.ndim == 2:
            return xy
        full = np.empty((len(xy), 3))
        full[:, :2] = xy
        full[:, 2] = model.slice_value
        return full

    def _draw_overlays(self) -> None:
        a, scale = self.analysis, self.state.scene.scale
        if a is None:
            return
        model = self.state.surface
        arrows = eigen_arrow_geometry(
            a.point, a.eigenvalues, a.eigenvectors, a.eigen_tolerance, ARROW_FRACTION * self._span()
        )
        self.arrows.setData(**lift_arrows(arrows, lambda xy: self._world(xy, ARROW_LIFT)))
        note = ""
        if model.ndim == 3:
            names = model.surface.variables
            note = (
                f"3 parameters: arrows show the ({names[0]}, {names[1]}) parts in the slice "
                f"{names[2]} = {fmt(model.slice_value, 3)}"
            )
            hidden = len(a.eigenvalues) - len(arrows)
            if hidden:
                note += f"; {hidden} eigenvector{'s' if hidden > 1 else ''} point out of it"
        shown = [x.eigenvalue for x in arrows] if self._show_arrows else []
        self.legend3d.set_arrows(shown, a.eigen_tolerance, note, refresh=False)

        radius = self.taylor_controls.radius.value()
        taylor = a.taylor

        def on_plane(xy: np.ndarray) -> np.ndarray:
            return taylor(self._plane_to_full(xy))

        if self._show_patch:
            xy, faces, wires = patch_grid(a.point, radius)
            values = on_plane(xy)
            pad = 0.02 * (scale.fmax - scale.fmin)
            visible = (
                np.isfinite(values) & (values >= scale.fmin - pad) & (values <= scale.fmax + pad)
            )
            self.patch.setData(scale.world(xy, values, PATCH_LIFT), faces, wires, visible)
            self.legend3d.set_overlay(f"Taylor model within r = {fmt(radius, 3)}", refresh=False)
        else:
            self.patch.clear()
            self.legend3d.set_overlay("", refresh=False)
        self.legend3d.refresh()
        if self._show_contours:
            lines = taylor_contour_lines(on_plane, a.point, radius)
            self.contours.setData(lines, a.point[:2], radius)
            self.legend2d.set_overlay(f"Taylor model contours (dashed), r = {fmt(radius, 3)}")
        else:
            self.contours.clear()
            self.legend2d.set_overlay("")

    def _world(self, xy: np.ndarray, lift: float) -> np.ndarray:
        """World points on the surface for plane points (k, 2), in the state's scene scale."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        return self.state.scene.scale.world(xy, self.state.surface.plane_loss(xy), lift)

    def set_show_arrows(self, on: bool) -> None:
        """Show or hide the eigenvector arrows (and their legend rows)."""
        self._show_arrows = bool(on)
        self.arrows.setVisible(self._show_arrows)
        if self.analysis is not None:
            self._draw_overlays()

    def _set_show_patch(self, on: bool) -> None:
        self._show_patch = bool(on)
        self._draw_overlays() if self.analysis is not None else self.patch.clear()

    def _set_show_contours(self, on: bool) -> None:
        self._show_contours = bool(on)
        self._draw_overlays() if self.analysis is not None else self.contours.clear()

    def _on_hover(self, point) -> None:
        a = self.analysis
        if a is None or point is None or len(point) != a.point.size:
            return
        full = np.asarray(point, dtype=float)
        true_loss = float(self.state.surface.surface.loss(full))
        self.taylor_controls.show_error(full, true_loss, float(a.taylor(full)))

    # -- critical points --------------------------------------------------------------------------
    def _on_points(self, points: list) -> None:
        self._points = list(points)
        self._draw_markers()

    def _draw_markers(self) -> None:
        points, model = self._points, self.state.surface
        if model.ndim == 3:  # only the points near the displayed slice
            lo, hi = model.surface.domain[2]
            near = 0.02 * (hi - lo)
            points = [p for p in points if abs(p.point[2] - model.slice_value) <= near]
        classes = [p.classification for p in points]
        isolated = [getattr(p, "isolated", True) for p in points]
        xy = np.array([p.point[:2] for p in points]).reshape(-1, 2)
        self.markers2d.set_points(xy, classes, isolated)
        if len(points):
            self.markers3d.setData(self._world(xy, ARROW_LIFT), classes, isolated)
        else:
            self.markers3d.clear()
        self.legend3d.set_markers(classes)
        self.legend2d.set_markers(classes)

    def _start_run_at(self, start) -> None:
        selected = self.state.runs.selected
        if selected is not None:
            self.state.add_run(selected.optimizer, dict(selected.overrides), start=tuple(start))
        else:
            self.state.add_run(start=tuple(start))

    # -- saddle escape ----------------------------------------------------------------------------
    def _on_escape_offer(self, offer) -> None:
        """Show the state's offer of the two remedies (or take the banner away)."""
        if offer is None:
            self.escape.dismiss()
        else:
            self.escape.show_stall(
                offer.run_id, offer.title, offer.sentence, offer.has_escape, offer.how
            )

    # -- teardown ---------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the finder thread and disconnect from the state (the window is closing)."""
        self._plot.discard(None)
        self.critical.close_threads()
        for hook in self.close_hooks:
            hook()
        self.close_hooks.clear()
        self._subs.clear()
