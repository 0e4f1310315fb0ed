"""The background export job: the file appears only when the export finished; Cancel stops it
and leaves nothing; errors are one line; GL frames are made on the GUI thread and encoded on
the worker; the GUI thread keeps running its timers meanwhile."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets

from saddlelab.app.runtime.export_job import ExportJob, FramePump, one_line
from saddlelab.export.options import Cancelled, ExportError


@pytest.fixture
def folder(tmp_path):
    """An empty folder for the exports (tmp_path also holds the test's settings)."""
    out = tmp_path / "out"
    out.mkdir()
    return out


@pytest.fixture
def parent(qtbot):
    widget = QtWidgets.QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _finish(qtbot, job: ExportJob) -> None:
    qtbot.waitUntil(lambda: job.outcome is not None, timeout=20000)


def _slow_writer(steps: int, started: threading.Event | None = None):
    """Writes a line per step, asking ``progress`` each time (raises Cancelled on False)."""

    def write(path: str, progress) -> None:
        with open(path, "w") as handle:
            for i in range(steps):
                handle.write(f"{i}\n")
                handle.flush()
                if started is not None:
                    started.set()
                if not progress(i + 1, steps):
                    raise Cancelled()
                time.sleep(0.005)

    return write


def test_the_file_appears_once_written_and_nothing_else_is_left(qtbot, parent, folder):
    target = folder / "out.txt"
    job = ExportJob(_slow_writer(20), target, "Writing out.txt", parent)
    messages: list[str] = []
    job.done.connect(messages.append)
    job.start()
    assert job.running
    _finish(qtbot, job)
    assert job.outcome == "done" and messages == ["Exported out.txt"]
    assert target.read_text().splitlines() == [str(i) for i in range(20)]
    assert sorted(p.name for p in folder.iterdir()) == ["out.txt"]


def test_cancel_stops_the_writer_and_leaves_no_file_nor_clobbers_the_old_one(qtbot, parent, folder):
    target = folder / "out.txt"
    target.write_text("the old file\n")
    started = threading.Event()
    job = ExportJob(_slow_writer(3000, started), target, "Writing", parent).start()
    qtbot.waitUntil(started.is_set, timeout=5000)
    job.dialog.findChild(QtWidgets.QPushButton).click()  # the progress dialog's Cancel
    _finish(qtbot, job)
    assert job.outcome == "cancelled"
    assert target.read_text() == "the old file\n"
    assert sorted(p.name for p in folder.iterdir()) == ["out.txt"]


def test_an_error_is_one_line_and_leaves_no_file(qtbot, parent, folder):
    def write(path, progress):
        open(path, "w").write("half")
        raise ValueError("bad frame size\nTraceback and more")

    failed: list[str] = []
    job = ExportJob(write, folder / "out.png", "Writing", parent)
    job.failed.connect(failed.append)
    job.start()
    _finish(qtbot, job)
    assert failed == ["Export failed: ValueError: bad frame size"]
    assert list(folder.iterdir()) == []
    assert one_line(ExportError("cannot tell the format\nmore")) == "cannot tell the format"


def test_stop_waits_for_the_worker_so_no_thread_outlives_the_window(qtbot, parent, folder):
    started = threading.Event()
    job = ExportJob(_slow_writer(3000, started), folder / "out.txt", "W", parent).start()
    qtbot.waitUntil(started.is_set, timeout=5000)
    job.stop()
    assert job.outcome == "cancelled" and not job._worker.isRunning()
    assert list(folder.iterdir()) == []


def test_frames_are_made_on_the_gui_thread_and_encoded_on_the_worker(qtbot, parent, folder):
    gui = threading.get_ident()
    made_on, read_on = set(), set()

    def frames():
        for i in range(40):
            made_on.add(threading.get_ident())
            yield np.full((8, 10, 3), i, np.uint8)

    pump = FramePump(frames(), parent)
    ticks = [0]
    timer = QtCore.QTimer(parent)
    timer.setInterval(1)
    timer.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    timer.start()

    def write(path, progress):
        values = []
        for k, frame in enumerate(pump.frames()):
            read_on.add(threading.get_ident())
            values.append(int(frame[0, 0, 0]))
            if not progress(k + 1, 40):
                raise Cancelled()
            time.sleep(0.01)  # a slow encoder: the GUI thread must keep turning meanwhile
        np.save(path, np.array(values))

    job = ExportJob(write, folder / "frames.npy", "Encoding", parent, pump).start()
    _finish(qtbot, job)
    timer.stop()
    assert job.outcome == "done"
    assert np.load(folder / "frames.npy").tolist() == list(range(40))
    assert made_on == {gui} and read_on and gui not in read_on
    assert ticks[0] > 5  # the event loop kept running while the worker encoded


def test_an_error_while_making_frames_reaches_the_worker_as_one_line(qtbot, parent, folder):
    def frames():
        yield np.zeros((4, 4, 3), np.uint8)
        raise RuntimeError("no GL context")

    pump = FramePump(frames(), parent)
    job = ExportJob(lambda p, pr: list(pump.frames()), folder / "a.gif", "W", parent, pump)
    job.start()
    _finish(qtbot, job)
    assert job.outcome == "failed" and job.message == "Export failed: RuntimeError: no GL context"
    assert list(folder.iterdir()) == []
