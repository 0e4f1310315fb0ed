"""An export in the background: a worker thread, a progress dialog with Cancel, no half files.

``ExportJob(write, path, title, parent)`` runs ``write(staging_path, progress)`` on a QThread.
It writes to a hidden sibling of ``path`` (same suffix, so the format reads the same) and
renames it over ``path`` only when it succeeded: a cancelled or failed export leaves no file and
never clobbers the file it was going to replace. ``progress(done, total)`` is the export
package's protocol: the worker calls it now and then; it returns False once Cancel was pressed,
the exporter raises ``Cancelled``. The GUI thread never waits for the worker: a timer reads the
progress the worker left and moves the bar; the thread's ``finished`` signal ends the job.

GL frames must be made on the GUI thread (the context belongs to it). ``FramePump`` pulls them
from an iterator in small slices from a 0 ms timer (a few milliseconds per tick, so the window
keeps painting), hands them to the worker through a bounded queue, and the worker encodes them.

Errors become one line (``finished_with``); a job still running when its window closes is
cancelled and waited for (``stop``), as every thread of this house is.
"""

from __future__ import annotations

import contextlib
import os
import queue
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtWidgets

from saddlelab.export.options import Cancelled, ExportError

POLL_MS = 50
"""How often the GUI thread reads the worker's progress."""
PUMP_BUDGET_S = 0.012
"""GL frames made per timer tick: as many as fit in this time (at least one)."""
QUEUE_FRAMES = 6
"""Frames waiting for the encoder at most (memory: six 4K frames are 200 MB)."""
_END = object()


def one_line(error: BaseException) -> str:
    """The user's line for an error: an ExportError's own words, else its type and message."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if isinstance(error, ExportError | OSError):
        return text or type(error).__name__
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def staging_path(path: str | Path) -> Path:
    """A hidden sibling of ``path`` with the same suffix, for writing before the rename."""
    path = Path(path)
    return path.with_name(f".{path.stem}.part-{uuid.uuid4().hex[:8]}{path.suffix}")


class _Worker(QtCore.QThread):
    """Runs ``call()`` once; keeps what it returned or raised for the GUI thread."""

    def __init__(self, call: Callable[[], object], parent: QtCore.QObject) -> None:
        super().__init__(parent)
        self.call = call
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.call()
        except BaseException as error:  # noqa: BLE001 - handed to the GUI thread as one line
            self.error = error


class FramePump(QtCore.QObject):
    """Frames made on the GUI thread (a timer's slices), consumed by the worker (``frames``)."""

    def __init__(self, source: Iterator[np.ndarray], parent: QtCore.QObject) -> None:
        super().__init__(parent)
        self._source = iter(source)
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_FRAMES)
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)
        self.cancelled = False
        self.made = 0
        self._last: object | None = None

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.cancelled = True

    def _tick(self) -> None:
        deadline = time.perf_counter() + PUMP_BUDGET_S
        while not self._queue.full():
            if self._last is not None:  # the end (or an error), put once there is room
                self._queue.put_nowait(self._last)
                self._timer.stop()
                return
            try:
                frame = next(self._source)
            except StopIteration:
                self._last = _END
                continue
            except Exception as error:  # noqa: BLE001 - the worker raises it as one line
                self._last = ExportError(one_line(error))
                continue
            self._queue.put_nowait(np.ascontiguousarray(frame))
            self.made += 1
            if time.perf_counter() > deadline:
                return

    def frames(self) -> Iterator[np.ndarray]:
        """The frames as the worker reads them (blocks the worker, never the GUI thread)."""
        while True:
            if self.cancelled:
                raise Cancelled()
            try:
                item = self._queue.get(timeout=0.05)
            except queue.Empty:
                continue
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item


class ExportJob(QtCore.QObject):
    """One export: ``write(path, progress)`` on a worker thread with a progress dialog.

    ``done(message)`` when the file is there, ``failed(line)`` on an error, ``cancelled()``
    after Cancel; exactly one of them, once. ``pump`` (optional) is started with the worker and
    stopped with the job. ``prepare`` (optional) runs on the GUI thread first (a 3-D render).
    """

    done = QtCore.Signal(str)
    failed = QtCore.Signal(str)
    cancelled = QtCore.Signal()

    def __init__(
        self,
        write: Callable[[str, Callable[[int, int], bool]], object],
        path: str | Path,
        title: str,
        parent: QtWidgets.QWidget,
        pump: FramePump | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.staging = staging_path(self.path)
        self.title = title
        self.pump = pump
        self._write = write
        self._cancel = False
        self._done, self._total = 0, 0
        self.outcome: str | None = None
        """None while running; then 'done', 'failed' or 'cancelled'."""
        self.message = ""
        self.dialog = QtWidgets.QProgressDialog(title, "Cancel", 0, 1000, parent)
        self.dialog.setWindowTitle("Exporting")
        self.dialog.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumDuration(0)
        self.dialog.setMinimumWidth(420)
        self.dialog.canceled.connect(self.cancel)
        self._poll = QtCore.QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._show_progress)
        self._worker = _Worker(self._run, self)
        self._worker.finished.connect(self._on_finished)

    # -- the worker's side ------------------------------------------------------------------------
    def _progress(self, done: int, total: int) -> bool:
        self._done, self._total = int(done), int(total)
        return not self._cancel

    def _run(self) -> None:
        self._write(str(self.staging), self._progress)
        if self._cancel:
            raise Cancelled()

    # -- the GUI thread's side --------------------------------------------------------------------
    def start(self) -> ExportJob:
        self.dialog.setValue(0)
        self.dialog.show()
        self._poll.start()
        if self.pump is not None:
            self.pump.start()
        self._worker.start()
        return self

    @property
    def running(self) -> bool:
        return self.outcome is None

    def cancel(self) -> None:
        """Ask the export to stop (it stops at its next progress call)."""
        if self.outcome is not None:
            return
        self._cancel = True
        if self.pump is not None:
            self.pump.stop()
        self.dialog.setLabelText(f"{self.title}\nCancelling…")

    def stop(self) -> None:
        """Cancel and wait for the worker (the window is closing): no thread outlives it."""
        self.cancel()
        if self._worker.isRunning():
            self._worker.wait()
        self._on_finished()

    def _show_progress(self) -> None:
        if self.dialog.wasCanceled() and not self._cancel:
            self.cancel()
        if self._total > 0 and not self._cancel:
            self.dialog.setValue(min(999, round(1000 * self._done / self._total)))
            self.dialog.setLabelText(f"{self.title}\n{self._done} of {self._total}")

    def _on_finished(self) -> None:
        if self.outcome is not None:
            return
        self._worker.wait()  # its run() has returned: this only lets the thread end
        self._poll.stop()
        if self.pump is not None:
            self.pump.stop()
        error = self._worker.error
        if error is None and not self._cancel:
            try:
                os.replace(self.staging, self.path)
            except OSError as move_error:
                error = move_error
        if error is not None or self._cancel:
            with contextlib.suppress(OSError):
                self.staging.unlink(missing_ok=True)
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.close()
        self.dialog.deleteLater()
        if self._cancel or isinstance(error, Cancelled):
            self.outcome, self.message = "cancelled", f"Export cancelled: {self.path.name}"
            self.cancelled.emit()
        elif error is not None:
            self.outcome = "failed"
            self.message = f"Export failed: {one_line(error)}"
            self.failed.emit(self.message)
        else:
            self.outcome, self.message = "done", f"Exported {self.path.name}"
            self.done.emit(self.message)
