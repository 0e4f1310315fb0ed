"""Connects the swarm model to its worker thread, in both directions (GUI thread).

The thread starts on the first command that needs it (a window whose swarm is never used runs
no extra thread) and is stopped (sentinel + wait) by ``shutdown()``. Each snapshot is handed to
the model, then acknowledged, so the worker sends the next one only after the GUI took this
one.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from saddlelab.app.runtime.swarm_worker import SwarmWorker
from saddlelab.models.subscriptions import Subscriptions
from saddlelab.models.swarm import SwarmModel


class SwarmController(QObject):
    def __init__(self, model: SwarmModel, parent: QObject | None = None, gate=lambda: True):
        """``gate()``: whether the runs' worker thread has started (the swarm's waits for its
        numba import, see :func:`~.swarm_worker.wait_for_importers`)."""
        super().__init__(parent)
        self.model = model
        self.worker = SwarmWorker(gate=gate)
        self._stopped = False
        self.worker.snapshot_ready.connect(self._on_snapshot)
        self.worker.failed.connect(self._on_failed)
        self.worker.busy.connect(lambda text: model.set_message(text or model.describe()))
        self._subs = Subscriptions()
        on = self._subs.connect
        on(model.rebuild_requested, self._on_rebuild)
        on(model.playing_changed, self._on_playing)
        on(model.step_requested, self._on_step)
        on(model.reset_requested, self._on_reset)

    def _started(self) -> SwarmWorker:
        if not self.worker.isRunning() and not self._stopped:
            self.worker.start()
        return self.worker

    def _on_rebuild(self, surface, config, starts, generation: int) -> None:
        self._started().build(surface, config, starts, generation)

    def _on_playing(self, playing: bool) -> None:
        self._started().set_playing(playing)

    def _on_step(self, n: int) -> None:
        self._started().step(n)

    def _on_reset(self, generation: int) -> None:
        self._started().reset(generation)

    def set_speed(self, speed: float) -> None:
        self.worker.set_speed(speed)

    def _on_snapshot(self, snapshot) -> None:
        try:
            self.model.show(snapshot)
        finally:
            self.worker.acknowledge()

    def _on_failed(self, message: str) -> None:
        self.model.set_playing(False)
        self.model.snapshot = None
        self.model.set_message(message)

    def shutdown(self) -> None:
        """Stop the thread (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        self._subs.clear()
        self.worker.stop()
