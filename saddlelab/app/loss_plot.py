"""Loss and gradient norm per step for every run, with a log-scale toggle.

A flattening loss is not proof of a minimum: the gradient norm beside it tells a plateau or a
saddle (small gradient, loss still high) from convergence.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from saddlelab.models.app_state import AppState
from saddlelab.models.runs import RunModel

from .redraw import RedrawThrottle


class LossPlot(QtWidgets.QWidget):
    """Two linked plots (loss, gradient norm) against the step number."""

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self._curves: dict[int, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        self._throttle = RedrawThrottle(self._redraw_run, 60, self)
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
        self.loss_plot.setToolTip("Loss per step, one curve per run (drag to pan, wheel to zoom)")
        self.grad_plot.setToolTip(
            "Gradient norm per step: small while the loss stays high means a saddle or a plateau"
        )
        self.grad_plot.setXLink(self.loss_plot)
        self.log_box = QtWidgets.QCheckBox("Log scale")
        self.log_box.setToolTip("Logarithmic y axes (values ≤ 0 are not drawn in log scale)")
        self.log_box.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.log_box.toggled.connect(self.set_log)
        self.follow_box = QtWidgets.QCheckBox("Auto range")
        self.follow_box.setChecked(True)
        self.follow_box.setToolTip("Keep every curve in view as runs advance")
        self.follow_box.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.follow_box.toggled.connect(self._on_follow)
        controls = QtWidgets.QVBoxLayout()
        controls.addWidget(self.log_box)
        controls.addWidget(self.follow_box)
        controls.addStretch(1)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.loss_plot, 1)
        layout.addWidget(self.grad_plot, 1)
        layout.addLayout(controls)
        state.runs.added.connect(self._on_run_added)
        state.runs.removed.connect(self._on_run_removed)
        for run in state.runs:
            self._on_run_added(run)

    def set_log(self, on: bool) -> None:
        if self.log_box.isChecked() != on:
            self.log_box.setChecked(on)
            return
        for w in (self.loss_plot, self.grad_plot):
            w.getPlotItem().setLogMode(y=bool(on))
        for run in self.state.runs:
            self._draw(run)

    def _on_follow(self, on: bool) -> None:
        if on:
            for w in (self.loss_plot, self.grad_plot):
                w.getPlotItem().enableAutoRange()

    def curves(self, run: RunModel) -> tuple[pg.PlotDataItem, pg.PlotDataItem]:
        return self._curves[run.id]

    def _on_run_added(self, run: RunModel) -> None:
        pen = pg.mkPen(run.colour, width=2)
        loss = self.loss_plot.plot(pen=pen)
        grad = self.grad_plot.plot(pen=pen)
        for c in (loss, grad):
            c.setClipToView(True)
            c.setDownsampling(auto=True, method="peak")
        self._curves[run.id] = (loss, grad)
        run.data_changed.connect(self._mark_run)
        run.appearance_changed.connect(self._on_appearance)
        self._draw(run)

    def _on_run_removed(self, run: RunModel) -> None:
        run.data_changed.disconnect(self._mark_run)
        run.appearance_changed.disconnect(self._on_appearance)
        self._throttle.discard(run.id)
        loss, grad = self._curves.pop(run.id)
        self.loss_plot.removeItem(loss)
        self.grad_plot.removeItem(grad)

    def _on_appearance(self, run: RunModel) -> None:
        for c in self._curves[run.id]:
            c.setPen(pg.mkPen(run.colour, width=2))
            c.setVisible(run.visible)

    def _mark_run(self, run: RunModel) -> None:
        self._throttle.mark(run.id)

    def _redraw_run(self, run_id: int) -> None:
        run = self.state.runs.by_id(run_id)
        if run is not None:
            self._draw(run)

    def flush(self) -> None:
        """Draw pending curve updates now."""
        self._throttle.flush()

    def _draw(self, run: RunModel) -> None:
        curves = self._curves.get(run.id)
        if curves is None:
            return
        t = run.trajectory
        step = t.step.astype(float)
        log = self.log_box.isChecked()
        for curve, y in zip(curves, (t.loss, t.grad_norm), strict=True):
            y = np.asarray(y, dtype=float)
            if log:
                # Log axes cannot show values <= 0: leave gaps there instead of warnings.
                y = np.where(y > 0, y, np.nan)
            curve.setData(step, y, connect="finite")

    def close_view(self) -> None:
        self.state.runs.added.disconnect(self._on_run_added)
        self.state.runs.removed.disconnect(self._on_run_removed)
        self._throttle.flush()
        for run in self.state.runs:
            run.data_changed.disconnect(self._mark_run)
            run.appearance_changed.disconnect(self._on_appearance)
