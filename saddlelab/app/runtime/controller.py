"""Connects the application state to the stepping worker, in both directions.

Model events become worker commands (surface, run resets, hyper-parameter and option changes,
playback); worker batches are applied to the run models on the GUI thread, which then notify
the views. This object owns the worker and stops it (sentinel + wait) in ``shutdown()``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from saddlelab.app.runtime.batches import RunUpdate
from saddlelab.app.runtime.pacing import RedrawThrottle
from saddlelab.app.runtime.worker import StepWorker
from saddlelab.models.app_state import AppState
from saddlelab.models.runs import RunModel
from saddlelab.models.subscriptions import Subscriptions

PROBE_INTERVAL_MS = 250
"""A probe that follows a streaming run moves at most this often: re-analysing it (Hessian,
Taylor patch, step-size plot) at the worker's 60 Hz kept the GUI thread busy for nothing."""


class RunController(QObject):
    """Model <-> worker glue; lives on the GUI thread."""

    batch_applied = Signal(int)
    """Emitted after a worker batch was applied to the models (argument: rows appended)."""

    def __init__(self, state: AppState, parent: QObject | None = None, start: bool = True) -> None:
        super().__init__(parent)
        self.state = state
        self.worker = StepWorker()
        self._stopped = False
        state.follow_on_data = False
        self._probe = RedrawThrottle(lambda _: state.refresh_probe(), PROBE_INTERVAL_MS, self)
        # Batches are applied as their queued signal arrives (issue 9's A/B: applying them in a
        # scheduler slot of their own met no GUI figure better).
        self.worker.batch_ready.connect(self._apply)
        self.worker.set_surface(state.surface.surface)
        self.worker.set_speed(state.playback.speed)
        self._subs = Subscriptions()
        on = self._subs.connect
        on(state.surface.changed, self._on_surface_changed)
        on(state.run_restarted, self._on_run_restarted)
        on(state.runs.added, self._on_run_added)
        on(state.runs.removed, self._on_run_removed)
        pb = state.playback
        on(pb.playing_changed, self._on_playing_changed)
        on(pb.speed_changed, self.worker.set_speed)
        on(pb.step_requested, self.worker.step)
        on(pb.reset_requested, state.reset_all)
        for run in state.runs:
            self._on_run_added(run)
            self._on_run_restarted(run)
        if start:
            self.start()

    def start(self) -> None:
        """Start the worker thread (the window does this once it is on screen, so numba's
        first compilation does not delay the first frame)."""
        if not self.worker.isRunning() and not self._stopped:
            self.worker.start()

    # -- model -> worker --------------------------------------------------------------------------
    def _on_surface_changed(self, surface) -> None:
        self.worker.set_surface(surface)

    def _on_run_added(self, run: RunModel) -> None:
        self._subs.connect(run.config_changed, self._on_config_changed, key=run)
        self._subs.connect(run.move_requested, self._on_move_requested, key=run)

    def _on_run_removed(self, run: RunModel) -> None:
        self._subs.clear(run)
        self.worker.remove_run(run.id)

    def _on_run_restarted(self, run: RunModel) -> None:
        config, record = run.engine_start()
        self.worker.reset_run(run.id, run.generation, config, record)

    def _on_config_changed(self, run: RunModel, what: str) -> None:
        if what == "params":
            self.worker.set_params(run.id, run.params)
        elif what == "options":
            self.worker.set_options(
                run.id, grad_noise=run.grad_noise, clip_norm=run.clip_norm, schedule=run.schedule
            )

    def _on_move_requested(self, run: RunModel, point: tuple, reason: str) -> None:
        self.worker.move_run(run.id, point, reason)

    def _on_playing_changed(self, playing: bool) -> None:
        self.worker.set_playing(self.state.playback.playing)  # the value now, after any rule

    # -- worker -> model --------------------------------------------------------------------------
    def _apply(self, updates: list[RunUpdate]) -> None:
        rows, results = 0, False
        try:
            runs = self.state.runs
            for update in updates:
                run = runs.by_id(update.run_id)
                if run is None or not run.append_chunk(update.chunk, update.generation):
                    continue
                run.add_edits(update.edits)
                if not len(update.chunk) and not update.error and update.edits:
                    continue  # only the record of a change: no new result
                results = True
                rows += len(update.chunk)
                detail = update.chunk.status_detail
                if update.error:
                    detail = f"The engine stopped this run: {update.error}"
                run.set_result_status(update.chunk.status, detail, update.stall_kind, update.done)
                if len(update.chunk):
                    run.data_changed.emit(run)
                    if run is runs.selected:
                        self._probe.mark(None)
            self.state.results_applied()
        finally:
            self.worker.acknowledge()
        if results:
            self.batch_applied.emit(rows)

    def shutdown(self) -> None:
        """Stop the worker thread and wait for it; safe to call twice."""
        self._stopped = True
        self.state.playback.set_playing(False)
        self.worker.stop()
        self._probe.discard(None)
        self._subs.clear()
