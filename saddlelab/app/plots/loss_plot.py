"""Loss and gradient norm per step for every run, with a log-scale toggle.

A flattening loss is not proof of a minimum: the gradient norm beside it tells a plateau or a
saddle (small gradient, loss still high) from convergence.

Log scale and losses <= 0 (slice trap, monkey saddle): a log axis cannot show them, so the
loss plot then shows ``loss + shift`` with a round shift just above ``-min(loss)`` and says so
in its axis label and a note; curves keep their shape and nothing disappears.

Drawing is bounded: each curve is thinned to ``DRAW_POINTS`` (min and max of each bin of older
rows, the newest rows exactly), independent of the view range. pyqtgraph's clip-to-view and
automatic downsampling depend on the range, which auto-range changes in turn: that loop
repainted both plots several times per update while runs streamed.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from saddlelab.app.runtime.pacing import RedrawThrottle
from saddlelab.app.style import WARNING, scale_plot_axes, tint
from saddlelab.models.app_state import AppState
from saddlelab.models.runs import RunModel
from saddlelab.models.subscriptions import Subscriptions

DRAW_POINTS = 1200
"""Most points drawn per curve (the plots are a few hundred pixels wide)."""
RECENT = 300
"""Newest rows drawn exactly, so the head of a curve never jumps."""
CURVE_WIDTH = 1
"""Curves are 1 px: Qt's raster engine draws 1-px lines on a fast path, wider ones through
its stroker (measured: most of a loss-plot repaint with 2-px pens)."""
REDRAW_MS = 150
"""Curves are redrawn at most ~7 times a second while runs stream: enough to watch a loss fall,
and each redraw repaints both plots."""


def thin_curve(x: np.ndarray, y: np.ndarray, limit: int = DRAW_POINTS, recent: int = RECENT):
    """At most about ``limit`` points: the first, min and max of each bin of the older rows
    (spikes survive), the newest ``recent`` rows exactly."""
    n = len(x)
    if n <= limit:
        return x, y
    old = n - recent
    bins = (limit - recent) // 2
    size = -(-old // bins)
    pad = bins * size - old
    yy = np.concatenate([y[:old], np.full(pad, np.nan)]).reshape(bins, size)
    filled = np.where(np.isnan(yy), np.inf, yy)
    lo = np.argmin(filled, axis=1) + np.arange(bins) * size
    hi = np.argmax(np.where(np.isnan(yy), -np.inf, yy), axis=1) + np.arange(bins) * size
    keep = np.unique(np.concatenate([[0], lo, hi, np.arange(old, n)]))
    keep = keep[keep < n]
    return x[keep], y[keep]


def nice_shift(minimum: float) -> float:
    """A round number 1, 2 or 5 x 10^k strictly above ``-minimum`` (for ``minimum <= 0``)."""
    need = max(-minimum, 1e-12) * 1.05
    k = np.floor(np.log10(need))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10**k >= need:
            return float(m * 10**k)
    return float(10 ** (k + 1))


def _settle_range(vb: pg.ViewBox, axis: int, lo: float, hi: float, grow: float = 1.0) -> None:
    """Set an axis range only when the data left it or fills less than half of it.

    Every range change re-lays out the axes and costs a second repaint of the plot (and of
    the x-linked one), so a range that keeps still while curves grow halves the painting.
    ``grow`` > 1 leaves head room on the high side (the step axis only grows).
    """
    cur_lo, cur_hi = vb.viewRange()[axis]
    span = hi - lo
    if cur_lo <= lo and hi <= cur_hi and (cur_hi - cur_lo) <= 2.0 * max(span, 1e-300) * grow:
        return
    hi_set = lo + span * grow
    if axis == 0:
        vb.setXRange(lo, hi_set, padding=0)
    else:
        vb.setYRange(lo, hi_set, padding=0)


class LossPlot(QtWidgets.QWidget):
    """Two linked plots (loss, gradient norm) against the step number."""

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        # A click anywhere in the view (its buttons and labels too) takes the keyboard focus
        # from the last edited field, so that the single-key shortcuts act.
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.ClickFocus)
        self.state = state
        self._curves: dict[int, tuple[pg.PlotCurveItem, pg.PlotCurveItem]] = {}
        # One throttle per plot: the frame scheduler then redraws (and Qt repaints) the loss
        # plot and the gradient plot in different slots, never both in one event-loop pass.
        self._throttle = RedrawThrottle(
            lambda rid: self._redraw_run(rid, (0,)), REDRAW_MS, self, after=lambda: self._fit((0,))
        )
        self._grad_throttle = RedrawThrottle(
            lambda rid: self._redraw_run(rid, (1,)), REDRAW_MS, self, after=lambda: self._fit((1,))
        )
        self.shift = 0.0
        self.curve_width = CURVE_WIDTH * state.view.look.line_scale
        """Pen width of the curves (presentation mode: thicker)."""
        """What the loss plot adds to every loss in log scale (0 unless some loss is <= 0)."""
        self.loss_plot = pg.PlotWidget(background=(20, 20, 24))
        self.grad_plot = pg.PlotWidget(background=(20, 20, 24))
        for w, name in ((self.loss_plot, "loss"), (self.grad_plot, "‖gradient‖")):
            w.setMenuEnabled(False)
            item = w.getPlotItem()
            item.setLabel("left", name)
            item.setLabel("bottom", "step")
            item.showGrid(x=True, y=True, alpha=0.25)
            item.hideButtons()
            for side in ("left", "bottom"):
                # Automatic SI prefixes relabel the axis as values grow, which re-lays out the
                # plot and can feed back into another repaint while runs stream in.
                item.getAxis(side).enableAutoSIPrefix(False)
            # Ranges are fitted here after each redraw (see ``_fit``): pyqtgraph's auto-range
            # runs lazily at paint time and asks for a second paint of both plots.
            item.disableAutoRange()
            item.vb.sigRangeChangedManually.connect(self._on_manual_range)
        self.loss_plot.setToolTip("Loss per step, one curve per run (drag to pan, wheel to zoom)")
        self.grad_plot.setToolTip(
            "Gradient norm per step: small while the loss stays high means a saddle or a plateau"
        )
        self.grad_plot.setXLink(self.loss_plot)
        self.log_box = QtWidgets.QCheckBox("Log scale")
        self.log_box.setToolTip(
            "Logarithmic y axes. Losses ≤ 0 cannot be drawn on a log axis: the loss plot then "
            "shows loss + a round shift and says so on its axis"
        )
        self.log_box.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.log_box.toggled.connect(self.set_log)
        self.follow_box = QtWidgets.QCheckBox("Auto range")
        self.follow_box.setChecked(True)
        self.follow_box.setToolTip("Keep every curve in view as runs advance")
        self.follow_box.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.follow_box.toggled.connect(self._on_follow)
        self.shift_note = QtWidgets.QLabel()
        self.shift_note.setWordWrap(True)
        tint(self.shift_note, WARNING)
        self.shift_note.setToolTip("The log axis cannot show losses ≤ 0, so they are shifted")
        self.shift_note.setMaximumWidth(150)  # wraps; the plots keep their width
        self.shift_note.hide()
        controls = QtWidgets.QVBoxLayout()
        controls.addWidget(self.log_box)
        controls.addWidget(self.follow_box)
        controls.addWidget(self.shift_note)
        controls.addStretch(1)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.loss_plot, 1)
        layout.addWidget(self.grad_plot, 1)
        layout.addLayout(controls)
        self._subs = Subscriptions()
        self._subs.connect(state.runs.added, self._on_run_added)
        self._subs.connect(state.runs.removed, self._on_run_removed)
        self._subs.connect(state.view.events.look, self._on_look)
        for run in state.runs:
            self._on_run_added(run)
        self._on_look(state.view.look)

    def set_log(self, on: bool) -> None:
        if self.log_box.isChecked() != on:
            self.log_box.setChecked(on)
            return
        for w in (self.loss_plot, self.grad_plot):
            w.getPlotItem().setLogMode(y=bool(on))
        self._update_shift(force=True)

    def _on_follow(self, on: bool) -> None:
        if on:
            self._fit()

    def _on_manual_range(self, *_) -> None:
        """The user panned or zoomed: stop following until Auto range is ticked again."""
        self.follow_box.setChecked(False)

    def _fit(self, which: tuple[int, ...] = (0, 1)) -> None:
        """Show every visible curve of the plots ``which`` (0 loss, 1 gradient norm; both
        share the step axis)."""
        if not self.follow_box.isChecked():
            return
        xmax = 1.0
        for plot, index in ((self.loss_plot, 0), (self.grad_plot, 1)):
            if index not in which:
                continue
            lo, hi = np.inf, -np.inf
            for run in self.state.runs:
                curve = self._curves.get(run.id, (None, None))[index]
                if curve is None or not run.visible or curve.yData is None or not len(curve.yData):
                    continue
                y = curve.yData  # already log10 in log scale (see ``_draw``)
                y = y[np.isfinite(y)]
                if len(y):
                    lo, hi = min(lo, float(y.min())), max(hi, float(y.max()))
                xmax = max(xmax, float(curve.xData[-1]))
            if np.isfinite(lo):
                pad = 0.05 * (hi - lo) if hi > lo else max(abs(hi), 1.0) * 0.05
                _settle_range(plot.getPlotItem().vb, 1, lo - pad, hi + pad)
        if 0 in which:
            # The shared step axis moves only in the loss plot's own slot, and by doubling:
            # every move re-lays out both (x-linked) plots' axes in one pass.
            _settle_range(self.loss_plot.getPlotItem().vb, 0, 0.0, xmax * 1.02, grow=2.0)
        for plot in (self.loss_plot, self.grad_plot):
            # Apply a new range now: pyqtgraph would do it while painting and paint again.
            plot.getPlotItem().vb.updateMatrix()

    def curves(self, run: RunModel) -> tuple[pg.PlotCurveItem, pg.PlotCurveItem]:
        return self._curves[run.id]

    def _on_run_added(self, run: RunModel) -> None:
        pen = pg.mkPen(run.colour, width=self.curve_width)
        # Plain curve items: PlotDataItem's lazily computed display data (log, clipping,
        # downsampling) asked for a second repaint after every update.
        loss, grad = pg.PlotCurveItem(pen=pen), pg.PlotCurveItem(pen=pen)
        self.loss_plot.addItem(loss)
        self.grad_plot.addItem(grad)
        self._curves[run.id] = (loss, grad)
        self._subs.connect(run.data_changed, self._mark_run, key=run)
        self._subs.connect(run.appearance_changed, self._on_appearance, key=run)
        self._draw(run)
        self._fit()

    def _on_run_removed(self, run: RunModel) -> None:
        self._subs.clear(run)
        self._throttle.discard(run.id)
        self._grad_throttle.discard(run.id)
        loss, grad = self._curves.pop(run.id)
        self.loss_plot.removeItem(loss)
        self.grad_plot.removeItem(grad)

    def _on_appearance(self, run: RunModel) -> None:
        for c in self._curves[run.id]:
            c.setPen(pg.mkPen(run.colour, width=self.curve_width))
            c.setVisible(run.visible)
        self._fit()

    def _on_look(self, look) -> None:
        for plot in (self.loss_plot, self.grad_plot):
            scale_plot_axes(plot.getPlotItem(), look.type_scale)
        self.curve_width = CURVE_WIDTH * look.line_scale
        for run in self.state.runs:
            if run.id in self._curves:
                self._on_appearance(run)

    def _mark_run(self, run: RunModel) -> None:
        self._throttle.mark(run.id)
        self._grad_throttle.mark(run.id)

    def _redraw_run(self, run_id: int, which: tuple[int, ...] = (0, 1)) -> None:
        run = self.state.runs.by_id(run_id)
        if run is not None and not (0 in which and self._update_shift()):
            self._draw(run, which)

    def _update_shift(self, force: bool = False) -> bool:
        """Recompute the log-scale shift; redraw every curve if it (or ``force``) changed."""
        shift = 0.0
        if self.log_box.isChecked():
            lows = [np.nanmin(r.trajectory.loss) for r in self.state.runs if len(r.trajectory)]
            low = min((v for v in lows if np.isfinite(v)), default=1.0)
            if low <= 0:
                shift = nice_shift(low)
        if shift == self.shift and not force:
            return False
        self.shift = shift
        label = "loss" if shift == 0 else f"loss + {shift:g}"
        self.loss_plot.getPlotItem().setLabel("left", label)
        self.shift_note.setText(f"Losses ≤ 0: drawn as loss + {shift:g}")
        self.shift_note.setVisible(shift != 0)
        for run in self.state.runs:
            self._draw(run)
        self._fit()
        return True

    def flush(self) -> None:
        """Draw pending curve updates now."""
        self._throttle.flush()
        self._grad_throttle.flush()

    def _draw(self, run: RunModel, which: tuple[int, ...] = (0, 1)) -> None:
        curves = self._curves.get(run.id)
        if curves is None:
            return
        t = run.trajectory
        step = t.step.astype(float)
        log = self.log_box.isChecked()
        for index, (curve, y, shift) in enumerate(
            zip(curves, (t.loss, t.grad_norm), (self.shift, 0.0), strict=True)
        ):
            if index not in which:
                continue
            y = np.asarray(y, dtype=float) + shift
            if log:
                # The axes only label in log scale; the curves get log10 values. A zero
                # gradient norm (exact convergence) has no logarithm: a gap, no warning.
                with np.errstate(divide="ignore", invalid="ignore"):
                    y = np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan)
            curve.setData(*thin_curve(step, y), connect="finite")

    def close_view(self) -> None:
        """Disconnect from the state (the window calls this when it closes)."""
        self._subs.clear()
        self.flush()
