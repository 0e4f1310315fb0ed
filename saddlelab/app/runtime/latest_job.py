"""One background job at a time: the thread bookkeeping the critical-point search, the
basins job and the isosurface job share.

A new job cancels the running one first: a cancelled thread finishes in the background and
its results never land (slots check :meth:`LatestJob._current`). :meth:`LatestJob.stop`
cancels and joins every thread before the owner is destroyed. Threads carry a
``cancel_event`` (a :class:`threading.Event`) that their work polls.
"""

from __future__ import annotations

from PySide6 import QtCore


class LatestJob(QtCore.QObject):
    cancelled = QtCore.Signal()
    runningChanged = QtCore.Signal(bool)  # noqa: N815

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QtCore.QThread | None = None
        self._old: list[QtCore.QThread] = []

    def is_running(self) -> bool:
        return self._thread is not None

    def _launch(self, thread: QtCore.QThread) -> None:
        """Cancel the running job (unreported) and start ``thread`` as the current one."""
        self.cancel(emit=False)
        thread.finished.connect(self._on_thread_finished)
        self._thread = thread
        thread.start()
        self.runningChanged.emit(True)

    def cancel(self, emit: bool = True) -> None:
        """Ask the running job to stop; it finishes in the background, unreported."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        thread.cancel_event.set()
        self._old.append(thread)
        self.runningChanged.emit(False)
        if emit:
            self.cancelled.emit()

    def stop(self) -> None:
        """Cancel and join every thread (call before the owner goes away)."""
        self.cancel(emit=False)
        for thread in self._old:
            thread.cancel_event.set()
            thread.wait()
        self._old.clear()

    def _current(self) -> bool:
        """Is the sender of the signal being handled the current job's thread?"""
        return self._thread is not None and self.sender() is self._thread

    def _retire(self) -> QtCore.QThread:
        """The current job has reported its end: it is no longer running."""
        thread, self._thread = self._thread, None
        self._old.append(thread)
        self.runningChanged.emit(False)
        return thread

    def _finish(self) -> bool:
        """In a slot of a job's last signal: True (and the job retired) if it is the current one."""
        if not self._current():
            return False
        self._retire()
        return True

    def _on_thread_finished(self) -> None:
        thread = self.sender()
        if thread in self._old:
            self._old.remove(thread)
            thread.deleteLater()
