"""Runs the critical-point finder on a QThread, with progress and cancel.

The finder is pure numpy/scipy (saddlelab.core.critical); this thread only calls it and hands
the result back through queued signals, so the GUI thread never waits and never touches data
another thread is writing. A new search cancels the previous one first (stale jobs never land),
and :meth:`CriticalSearch.stop` cancels and joins the thread before its owner is destroyed
(the bookkeeping of :class:`~saddlelab.app.runtime.latest_job.LatestJob`).
"""

from __future__ import annotations

import threading

from PySide6 import QtCore

from saddlelab.app.runtime.latest_job import LatestJob
from saddlelab.core.critical import find_critical_points


class _FinderThread(QtCore.QThread):
    """One search; emits at most ~100 progress updates."""

    progressed = QtCore.Signal(float)
    found = QtCore.Signal(object)
    failed = QtCore.Signal(str)

    def __init__(self, surface, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.surface = surface
        self.cancel_event = threading.Event()
        self._last = -1.0

    def _progress(self, fraction: float) -> None:
        if fraction - self._last >= 0.01 or fraction >= 1.0:
            self._last = fraction
            self.progressed.emit(float(fraction))

    def run(self) -> None:
        try:
            result = find_critical_points(
                self.surface, cancel=self.cancel_event.is_set, progress=self._progress
            )
        except Exception as error:  # the finder must never take the window down
            self.failed.emit(f"The critical-point search failed: {error}")
            return
        self.found.emit(result)


class CriticalSearch(LatestJob):
    """Owns at most one running search; results of cancelled searches are dropped."""

    progressed = QtCore.Signal(float)
    finished = QtCore.Signal(object)
    """A CriticalPointResult (never from a cancelled search)."""
    failed = QtCore.Signal(str)

    def start(self, surface) -> None:
        """Search ``surface``; a search still running is cancelled and its result dropped."""
        thread = _FinderThread(surface, self)
        thread.progressed.connect(self._on_progress)
        thread.found.connect(self._on_found)
        thread.failed.connect(self._on_failed)
        self._launch(thread)

    def _on_progress(self, fraction: float) -> None:
        if self._current():
            self.progressed.emit(fraction)

    def _on_found(self, result) -> None:
        if not result.cancelled and self._finish():
            self.finished.emit(result)

    def _on_failed(self, message: str) -> None:
        if self._finish():
            self.failed.emit(message)
