"""The frame scheduler's slots and the paint pacer (GUI-thread pacing, see ``app.redraw``)."""

from __future__ import annotations

import time

from PySide6 import QtCore, QtWidgets

from saddlelab.app import redraw


def _busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_cheap_jobs_share_a_slot_heavy_ones_and_two_2d_changes_never_do(qtbot) -> None:
    owner = QtCore.QObject()
    scheduler = redraw.FrameScheduler(owner)
    ran: list[tuple[str, int]] = []

    def throttle(name: str, seconds: float, paints: bool = True) -> redraw.RedrawThrottle:
        def draw(key) -> None:
            _busy(seconds)
            ran.append((name, scheduler.slots_run))

        return redraw.RedrawThrottle(draw, 0, owner, scheduler=scheduler, paints=paints)

    heavy = 0.75 * redraw.SLOT_BUDGET_S
    jobs = [
        throttle("heavy 1", heavy),
        throttle("heavy 2", heavy),
        throttle("cheap 2-D", 0.0),
        throttle("cheap 3-D", 0.0, paints=False),
    ]
    for job in jobs:
        job.mark(1)
    qtbot.waitUntil(lambda: len(ran) == 4)
    assert len({slot for _, slot in ran}) == 4  # costs not known yet: a slot each
    ran.clear()
    for job in jobs:
        job.mark(1)
    qtbot.waitUntil(lambda: len(ran) == 4)
    slots: dict[int, list[str]] = {}
    for name, slot in ran:
        slots.setdefault(slot, []).append(name)
    # The cheap 3-D redraw fits beside a heavy job; the cheap 2-D one would fit too, but its
    # widgets would then be painted in the same pass as the heavy job's: it waits.
    assert sorted(slots.values()) == [["cheap 2-D"], ["heavy 1", "cheap 3-D"], ["heavy 2"]]


def test_the_window_paints_only_in_scheduled_paint_jobs(qtbot) -> None:
    scheduler = redraw.FrameScheduler(QtCore.QCoreApplication.instance())
    painted: list[bool] = []

    class Label(QtWidgets.QLabel):
        def paintEvent(self, event) -> None:  # noqa: N802 - Qt naming
            painted.append(pacer._passing)
            super().paintEvent(event)

    window = QtWidgets.QWidget()
    qtbot.addWidget(window)
    label = Label("first", window)
    pacer = redraw.PaintPacer(window, scheduler=scheduler)
    window.resize(200, 80)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: bool(painted))  # the first paint answers the window's exposure
    painted.clear()
    jobs = scheduler.jobs_run
    for text in ("second", "third"):
        label.setText(text)
        qtbot.waitUntil(lambda: bool(painted))
        assert all(painted), "a paint pass ran outside the scheduler"
        painted.clear()
    assert scheduler.jobs_run >= jobs + 2
    label.setText("fourth")
    pacer.paint_now()  # at once, no scheduler slot needed
    assert painted == [True]
