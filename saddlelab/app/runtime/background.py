"""The bookkeeping of a GUI-side owner of cancellable worker threads (one live, old ones
finishing unreported): shared by the critical-point search and the isosurface job.

Each thread has a ``cancel_event`` (a ``threading.Event`` its work polls). A new start cancels
the live thread; a cancelled thread finishes in the background and whatever it still reports
is dropped (``_finish`` tells the owner's slots whether the sender is the live thread);
:meth:`stop` cancels and joins every thread before the owner goes away.
"""

from __future__ import annotations

from PySide6 import QtCore


class ThreadOwner(QtCore.QObject):
    """Subclasses define ``runningChanged = Signal(bool)`` and start threads with ``_adopt``."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QtCore.QThread | None = None
        self._old: list[QtCore.QThread] = []

    def is_running(self) -> bool:
        return self._thread is not None

    def _adopt(self, thread: QtCore.QThread, priority=None) -> None:
        thread.finished.connect(self._on_thread_finished)
        self._thread = thread
        if priority is None:
            thread.start()
        else:
            thread.start(priority)
        self.runningChanged.emit(True)

    def cancel(self, emit: bool = True) -> None:
        """Ask the live thread to stop; it finishes in the background, unreported."""
        thread = self._thread
        if thread is None:
            return
        thread.cancel_event.set()
        self._old.append(thread)
        self._thread = None
        self.runningChanged.emit(False)
        if emit:
            self._cancelled()

    def _cancelled(self) -> None:
        """Called after a cancel that should be announced (a subclass may emit a signal)."""

    def stop(self) -> None:
        """Cancel and join every thread (call before the owner goes away)."""
        self.cancel(emit=False)
        for thread in self._old:
            thread.cancel_event.set()
            thread.wait()
        self._old.clear()

    def _finish(self) -> bool:
        """In a slot of a thread's result: True (and the thread retired) if it is the live one."""
        if self.sender() is not self._thread or self._thread is None:
            return False
        self._old.append(self._thread)
        self._thread = None
        self.runningChanged.emit(False)
        return True

    def _on_thread_finished(self) -> None:
        thread = self.sender()
        if thread in self._old:
            self._old.remove(thread)
            thread.deleteLater()
