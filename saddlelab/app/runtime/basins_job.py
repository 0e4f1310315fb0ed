"""Basins of attraction computed on a QThread, with throttled progress and Cancel.

The thread only calls :func:`saddlelab.core.basins.compute_basins` (the batch engine) and hands
the result back through queued signals; it never touches a widget. Cancel makes the progress
callback return False, so the core raises :class:`BasinsCancelled` at its next chunk. A new
request cancels a running one (its result never lands), and :meth:`BasinsJob.stop` cancels and
joins every thread before the window goes away.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from PySide6 import QtCore

from saddlelab.app.runtime.latest_job import LatestJob
from saddlelab.core.basins import BasinsCancelled, compute_basins

PROGRESS_EVERY_S = 0.05
"""At most 20 progress signals a second reach the GUI thread."""
NUMBA_THREAD = "saddlelab-numba"
"""The name of :func:`saddlelab.core.optim.warmup.prepare_numba`'s thread."""
READY_WAIT_S = 3.0
"""Longest wait for the window's stepping worker to start its numba warm-up."""
THREAD_APPEARS_S = 0.3
"""Longest wait, once the worker runs, for its warm-up thread to appear."""


def _warm_up() -> list[threading.Thread]:
    me = threading.current_thread()
    return [t for t in threading.enumerate() if t.name == NUMBA_THREAD and t is not me]


def import_engine(ready=None, cancelled=lambda: False) -> None:
    """Import the compiled batch engine (and numba) on this thread, never at the same time as
    the window's numba warm-up thread: two threads importing numba at once can each meet one of
    its modules half initialised, and numba stays broken for the process. So first wait until
    ``ready()`` says the stepping worker has started (it starts the warm-up first thing; at most
    :data:`READY_WAIT_S`), then for the warm-up thread to end."""
    if "saddlelab.core.optim._kernels" in sys.modules:  # imported in full already
        return
    deadline = time.monotonic() + READY_WAIT_S
    while ready is not None and not ready() and time.monotonic() < deadline and not cancelled():
        time.sleep(0.02)
    appear = time.monotonic() + THREAD_APPEARS_S  # the worker starts it first thing
    while ready is not None and ready() and time.monotonic() < appear and not _warm_up():
        time.sleep(0.01)
    for thread in _warm_up():
        thread.join()
    from saddlelab.core.optim import _batch, _kernels, run  # noqa: F401


@dataclass(frozen=True, eq=False)
class BasinsRequest:
    """Everything one computation needs (read on the GUI thread, never changed after)."""

    surface: Any
    optimizer: str
    params: dict
    grid: int
    steps: int
    options: dict = field(default_factory=dict)
    """schedule, grad_noise, clip_norm, seed (the selected run's)."""
    slice_values: tuple[float, ...] | None = None
    critical: Any = None
    key: Any = None
    """What the result depends on, to tell later whether it is still current."""


class _BasinsThread(QtCore.QThread):
    progressed = QtCore.Signal(int, int)
    computed = QtCore.Signal(object)
    failed = QtCore.Signal(str)
    stopped = QtCore.Signal()

    def __init__(self, request: BasinsRequest, ready, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.request = request
        self.ready = ready
        self.cancel_event = threading.Event()
        self._last = 0.0

    def _progress(self, done: int, total: int) -> bool:
        if self.cancel_event.is_set():
            return False
        now = time.monotonic()
        if now - self._last >= PROGRESS_EVERY_S or done >= total:
            self._last = now
            self.progressed.emit(int(done), int(total))
        return True

    def run(self) -> None:
        r = self.request
        try:
            import_engine(self.ready, self.cancel_event.is_set)
            basins = compute_basins(r.surface, r.optimizer, r.params, grid=r.grid, steps=r.steps,
                                    slice_values=r.slice_values, progress=self._progress,
                                    critical=r.critical, **r.options)  # fmt: skip
        except BasinsCancelled:
            self.stopped.emit()
            return
        except Exception as error:  # a bad surface or setting must never take the window down
            self.failed.emit(f"Basins not computed: {error}")
            return
        self.computed.emit(basins)


class BasinsJob(LatestJob):
    """At most one computation reports; cancelled ones finish in the background, unheard."""

    progressed = QtCore.Signal(int, int)
    finished = QtCore.Signal(object, object)
    """(request, Basins)"""
    failed = QtCore.Signal(str)

    def __init__(self, parent: QtCore.QObject | None = None, ready=None) -> None:
        """``ready()`` (called from the job's thread): may numba be imported now (see
        :func:`import_engine`)?"""
        super().__init__(parent)
        self.ready = ready

    def start(self, request: BasinsRequest) -> None:
        thread = _BasinsThread(request, self.ready, self)
        thread.progressed.connect(self._on_progress)
        thread.computed.connect(self._on_computed)
        thread.failed.connect(self._on_failed)
        self._launch(thread)

    def _on_progress(self, done: int, total: int) -> None:
        if self._current():
            self.progressed.emit(done, total)

    def _on_computed(self, basins) -> None:
        if self._current():
            self.finished.emit(self._retire().request, basins)

    def _on_failed(self, message: str) -> None:
        if self._finish():
            self.failed.emit(message)
