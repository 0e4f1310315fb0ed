"""Basins of attraction in the window: the Basins dock, its background job and the image layer.

``attach_basins(window)`` is the one call the window makes. The basins use the selected run's
optimizer and settings (its :class:`RunConfig` without the start), the critical points already
found, and for a 3-parameter surface the displayed slice. While the layer is shown, a plain
click on a cell adds a run from exactly that cell's start with the basins' settings (stopping
after the basins' K steps), so it ends where the cell's colour says. When the surface, the slice
or the selected run's settings change, the layer is hidden and the panel and view say why.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6 import QtCore, QtGui

from saddlelab.app.panels.basins_panel import BasinsPanel
from saddlelab.app.plots.basin_layer import BasinLayer
from saddlelab.app.runtime.basins_job import BasinsJob, BasinsRequest
from saddlelab.core.numbers import fmt
from saddlelab.models.basin_image import attractor_colours, legend_entries, step_scale
from saddlelab.models.runs import RunModel
from saddlelab.models.subscriptions import Subscriptions

LEFT = QtCore.Qt.DockWidgetArea.LeftDockWidgetArea
MENU_TEXT = "Basins of attraction\u2026"


@dataclass(frozen=True)
class Key:
    """What a basins picture depends on besides grid and K."""

    surface: object
    slice_value: float | None
    settings: tuple


def settings_of(run: RunModel) -> tuple:
    c = run.config()
    return (c.optimizer, tuple(sorted(c.params.items())), c.schedule.spec(), c.grad_noise,
            c.clip_norm, c.seed, c.early_stop)  # fmt: skip


def describe(run: RunModel) -> str:
    """The run's title (optimizer, lr, what differs from the defaults) and its options."""
    c = run.config()
    parts = [run.title]
    if c.schedule.spec() != "constant":
        parts.append(f"schedule {c.schedule.spec()}")
    if c.grad_noise:
        parts.append(f"gradient noise {fmt(c.grad_noise)}")
    if c.clip_norm is not None:
        parts.append(f"clip {fmt(c.clip_norm)}")
    return ", ".join(parts)


class BasinsDock(QtCore.QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.state = window.state
        self.panel = BasinsPanel()
        self.layer = BasinLayer(window.contour_view, self.start_run_at, self)
        worker = window.controller.worker
        self.job = BasinsJob(self, ready=worker.isRunning)
        self.basins = self.request = None
        self._started = 0.0
        self.dock = window._dock("Basins", self.panel, LEFT)
        window.tabifyDockWidget(window.runs_dock, self.dock)
        window.runs_dock.raise_()
        # closed until asked for (Analysis > Basins of attraction...): six tabs do not fit the
        # left column in presentation mode, and a newcomer's first minute needs neither
        self.dock.hide()
        self.action = QtGui.QAction(MENU_TEXT, window)
        self.action.setStatusTip("Which critical point each start of a grid ends at")
        self.action.triggered.connect(self.bring_forward)
        for menu_action in window.menuBar().actions():
            if menu_action.text() == "&Analysis" and menu_action.menu() is not None:
                menu_action.menu().addSeparator()
                menu_action.menu().addAction(self.action)
        p = self.panel
        p.computeRequested.connect(self.compute)
        p.cancelRequested.connect(self.job.cancel)
        p.showToggled.connect(self.layer.set_wanted)
        p.opacityChanged.connect(self.layer.set_opacity)
        self.job.progressed.connect(p.set_progress)
        self.job.runningChanged.connect(p.set_running)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(lambda message: p.set_status(message, warn=True))
        self.job.cancelled.connect(self._on_cancelled)
        self._subs = Subscriptions()
        on = self._subs.connect
        on(self.state.surface.changed, self._check)
        on(self.state.surface.slice_changed, self._check)
        on(self.state.runs.selected_changed, self._on_selected)
        self._on_selected(self.state.runs.selected)
        window.on_shutdown(self.shutdown)  # not on a close the save prompt cancels

    def bring_forward(self) -> None:
        self.dock.show()
        self.dock.raise_()

    # -- computing ------
    def key(self) -> Key | None:
        run = self.state.runs.selected
        if run is None:
            return None
        model = self.state.surface
        z = model.slice_value if model.ndim == 3 else None
        return Key(model.surface, z, settings_of(run))

    def compute(self, grid: int, steps: int) -> None:
        run = self.state.runs.selected
        if run is None:
            self.panel.set_status("Add a run first: the basins use its optimizer.", warn=True)
            return
        c, model = run.config(), self.state.surface
        critical = self.state.critical
        found = critical.points if critical.points and not critical.searching_now else None
        options = dict(schedule=c.schedule, grad_noise=c.grad_noise, clip_norm=c.clip_norm,
                       seed=c.seed, early_stop=c.early_stop)  # fmt: skip
        z = (model.slice_value,) if model.ndim == 3 else None
        request = BasinsRequest(model.surface, c.optimizer, dict(c.params), grid, steps, options,
                                z, found, self.key())  # fmt: skip
        self._started, self._title = time.monotonic(), run.title
        self.panel.set_status(f"Computing {grid} x {grid} starts, up to {steps} steps\u2026")
        self.job.start(request)

    def _on_finished(self, request: BasinsRequest, basins) -> None:
        self.request, self.basins = request, basins
        colours = attractor_colours(basins.attractors)
        self.layer.set_basins(basins, colours)
        self.entries = legend_entries(basins, colours)
        self._scale = step_scale(basins).text()
        seconds = time.monotonic() - self._started
        n = request.grid
        where = (
            ""
            if request.slice_values is None
            else f" on the slice z = {fmt(request.slice_values[0])}"
        )
        self._done = (f"{n} x {n} starts{where}, up to {request.steps} steps with "
                      f"{self._title} ({fmt(seconds, 2)} s).")  # fmt: skip
        self._check()

    def _on_cancelled(self) -> None:
        kept = " The previous basins stay." if self.basins is not None else ""
        self.panel.set_status("Cancelled." + kept)

    # -- staleness ------
    def stale_reason(self) -> str | None:
        if self.request is None:
            return None
        old, now = self.request.key, self.key()
        if self.state.surface.surface is not old.surface:
            return "the surface changed since they were computed"
        if now is not None and now.slice_value != old.slice_value:
            return f"the slice moved (computed at {fmt(old.slice_value)})"
        if now is not None and now.settings != old.settings:
            return "the selected run's optimizer or settings differ from theirs"
        return None

    def _check(self, *_) -> None:
        if self.basins is None:
            return
        reason = self.stale_reason()
        self.layer.set_stale(reason)
        self.panel.set_legend(self.entries, self._scale, stale=reason is not None)
        if reason is None:
            self.panel.set_status(self._done)
        else:
            self.panel.set_status(f"Out of date, hidden: {reason}. Compute again.", warn=True)

    def _on_selected(self, run) -> None:
        self._subs.clear("run")
        if run is not None:
            self._subs.connect(run.config_changed, self._on_config, key="run")
        self._describe()
        self._check()

    def _on_config(self, *_) -> None:
        self._describe()
        self._check()

    def _describe(self) -> None:
        run = self.state.runs.selected
        if run is None:
            self.panel.set_optimizer_text("Optimizer: add a run first (its settings are used)",
                                          False)  # fmt: skip
        else:
            self.panel.set_optimizer_text(f"Optimizer (selected run): {describe(run)}", True)

    # -- a click on a cell ------
    def start_run_at(self, i: int, j: int) -> RunModel:
        """A run from cell (i, j)'s start with exactly its configuration, stopping after K."""
        b = self.basins
        c = b.configs[j * len(b.xs) + i]
        run = RunModel(len(c.start), c.start, c.optimizer, dict(c.params),
                       colour=self.state.runs.next_colour(), seed=c.seed)  # fmt: skip
        run.schedule, run.schedule_text = c.schedule, c.schedule.spec()
        run.grad_noise, run.clip_norm, run.early_stop = c.grad_noise, c.clip_norm, c.early_stop
        run.max_steps = b.steps
        self.state.runs.add(run)
        return run

    # -- lifetime ------
    def shutdown(self) -> None:
        self.job.stop()
        self._subs.clear()


def attach_basins(window) -> BasinsDock:
    window.basins = BasinsDock(window)
    return window.basins
