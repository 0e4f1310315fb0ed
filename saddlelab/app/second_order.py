"""Wires the second-order displays to the application state and the two views.

One object owns the analysis panel, the Taylor controls, the step-size plot, the critical-points
panel, the saddle-escape banner, and the overlay items in the 3-D view (eigenvector arrows,
Taylor patch, critical-point markers, legend) and in the contour view (dashed Taylor contours,
markers, legend). The window only places its widgets in docks and calls :meth:`close`.

Data flow: the probe point changes (the selected run moved, at the worker's batch rate, or the
user picked a point) -> one exact ``analyze()`` -> every display sets data. Nothing here steps
an optimizer or blocks: the critical-point finder runs on its own thread.
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
from saddlelab.core.advice import escape_point, escape_sentence
from saddlelab.core.analysis import AnalysisError, analyze
from saddlelab.core.numbers import fmt

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

        view3d.scale_changed.connect(self.refresh)
        contour.plot_widget.scene().sigMouseMoved.connect(self._on_hover)
        self.taylor_controls.radiusChanged.connect(lambda _: self.refresh())
        self.taylor_controls.showPatchChanged.connect(self._set_show_patch)
        self.taylor_controls.showContoursChanged.connect(self._set_show_contours)
        self.critical.probeRequested.connect(state.pick_probe)
        self.critical.startRunRequested.connect(self._start_run_at)
        self.critical.pointsChanged.connect(self._on_points)
        self.escape.stepRequested.connect(self._escape_step)
        self.escape.noiseRequested.connect(self._escape_noise)
        state.view.probe_changed.connect(self._on_probe)
        state.surface.changed.connect(self._on_surface)
        state.runs.added.connect(self._on_run_added)
        state.runs.removed.connect(self._on_run_removed)
        state.runs.selected_changed.connect(self._on_selected)
        for run in state.runs:
            self._on_run_added(run)
        self._on_surface(state.surface.surface)

    # -- surface and runs -------------------------------------------------------------------------
    def _span(self) -> float:
        return min(hi - lo for lo, hi in self.state.surface.surface.domain[:2])

    def _on_surface(self, surface) -> None:
        span = self._span()
        self.taylor_controls.set_radius(RADIUS_FRACTION * span, 0.6 * span)
        self.critical.set_surface(surface)
        lo = np.array([a for a, _ in surface.domain])
        hi = np.array([b for _, b in surface.domain])
        axes = [np.linspace(a, b, 9) for a, b in zip(lo, hi, strict=True)]
        grid = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, surface.ndim)
        norms = np.linalg.norm(surface.gradient(grid), axis=-1)
        typical = float(np.nanmedian(norms)) if np.isfinite(norms).any() else 1.0
        self.escape.set_defaults(0.1 * span, round(max(0.1 * typical, 1e-3), 3))
        self.escape.dismiss()
        self.refresh()

    def _on_run_added(self, run) -> None:
        run.status_changed.connect(self._on_status)
        run.config_changed.connect(self._on_config)

    def _on_run_removed(self, run) -> None:
        run.status_changed.disconnect(self._on_status)
        run.config_changed.disconnect(self._on_config)
        if self.escape.run_id == run.id:
            self.escape.dismiss()

    def _on_selected(self, run) -> None:
        self._show_lr()
        if run is not None:
            self._on_status(run)

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
    def _on_probe(self, point, source: str) -> None:
        self.update_probe(point, source)

    def update_probe(self, point, source: str = "run") -> None:
        """Analyse ``point`` and update every display (cheap enough for every GUI frame)."""
        if point is None:
            self._clear("No probe point: select a run, or Shift+click in the contour view.")
            return
        try:
            analysis = analyze(self.state.surface.surface, point)
        except AnalysisError as error:
            self._clear(f"Cannot analyse this point: {error}.")
            return
        if self.analysis is None:
            self.taylor_controls.clear_error()
        self.analysis = analysis
        run = self.state.runs.selected
        if source == "run" and run is not None:
            self.panel.set_source(f"Following {run.title}, step {run.steps}")
        else:
            self.panel.set_source("Picked point (Shift+click in the contour view to move it)")
        self.panel.show_analysis(analysis, self._run_lr())
        self._schedule_plot()
        self._draw_overlays()
        self.analysed.emit(analysis)

    def refresh(self) -> None:
        """Re-lift everything (new scale, slice or radius) for the current probe."""
        point = self.state.view.probe_point
        self.update_probe(point, self.state.view.probe_source)
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
        a, scale = self.analysis, self.view3d.scale
        if a is None or scale is None:
            return
        model = self.state.surface
        arrows = eigen_arrow_geometry(
            a.point, a.eigenvalues, a.eigenvectors, a.eigen_tolerance, ARROW_FRACTION * self._span()
        )
        self.arrows.setData(**lift_arrows(arrows, lambda xy: self.view3d.world(xy, ARROW_LIFT)))
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

    def _on_hover(self, scene_pos) -> None:
        a = self.analysis
        vb = self.contour.plot.vb
        if a is None or not vb.sceneBoundingRect().contains(scene_pos):
            return
        p = vb.mapSceneToView(scene_pos)
        full = self._plane_to_full(np.array([[p.x(), p.y()]]))[0]
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
        if self.view3d.scale is not None and len(points):
            self.markers3d.setData(self.view3d.world(xy, ARROW_LIFT), classes, isolated)
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
    def _on_status(self, run) -> None:
        """Offer the remedies when a run stalls at, or converges to, a saddle point."""
        at_saddle = False
        if run.status == "stalled" and run.stall_kind == "saddle":
            how = "is stalled at"
            at_saddle = True
        elif run.status == "converged":
            how = "has converged to"
            at_saddle = True  # confirmed below: plain GD can converge exactly onto a saddle
        if at_saddle and (run is self.state.runs.selected or self.escape.run_id in (None, run.id)):
            try:
                a = analyze(self.state.surface.surface, run.current_point)
            except AnalysisError:
                return
            if run.status == "stalled" or a.classification == "saddle":
                has_escape = bool(len(a.escape_directions))
                self.escape.show_stall(run.id, run.title, escape_sentence(a), has_escape, how)
                return
        if self.escape.run_id == run.id:
            self.escape.dismiss()

    def _escape_step(self, run_id, length: float) -> None:
        run = self.state.runs.by_id(run_id)
        if run is None:
            return
        a = analyze(self.state.surface.surface, run.current_point)
        target = escape_point(self.state.surface.surface, a, length)
        if target is None:
            return
        self.escape.dismiss()
        # The run jumps and carries on: trajectory and optimizer state are kept.
        run.request_move(tuple(target), "escape step along the negative-curvature direction")
        self.state.playback.set_playing(True)

    def _escape_noise(self, run_id, sigma: float) -> None:
        run = self.state.runs.by_id(run_id)
        if run is None:
            return
        self.escape.dismiss()
        run.set_grad_noise(repr(float(sigma)))  # takes effect mid-run; the worker resumes it
        self.state.playback.set_playing(True)

    # -- teardown ---------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the finder thread and disconnect from the state (the window is closing)."""
        self._plot.discard(None)
        self.critical.close_threads()
        for hook in self.close_hooks:
            hook()
        self.close_hooks.clear()
        s = self.state
        s.view.probe_changed.disconnect(self._on_probe)
        s.surface.changed.disconnect(self._on_surface)
        s.runs.added.disconnect(self._on_run_added)
        s.runs.removed.disconnect(self._on_run_removed)
        s.runs.selected_changed.disconnect(self._on_selected)
        for run in s.runs:
            run.status_changed.disconnect(self._on_status)
            run.config_changed.disconnect(self._on_config)
