"""The frame scheduler's slots and the paint pacer (GUI-thread pacing, see ``app.runtime.pacing``).

The slot rules are checked on a fake clock, driven as the scheduler's timer would drive them:
which job runs next must not depend on the machine's speed or load."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from saddlelab.app.runtime import pacing


class FakeClock:
    """Seconds that move only when a test (or a job, to model its cost) says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _scheduler_with_jobs(cost: dict[str, float]):
    """A scheduler on a fake clock, two 2-D throttles and a 3-D frame that wants 3 frames."""
    owner = QtCore.QObject()
    clock = FakeClock()
    scheduler = pacing.FrameScheduler(owner, clock=clock)
    ran: list[tuple[str, int, float]] = []

    def job_body(name: str):
        def body(*_) -> None:
            ran.append((name, scheduler.slots_run, clock.now))
            clock.now += cost[name]

        return body

    contour = pacing.RedrawThrottle(job_body("contour"), 0, owner, scheduler=scheduler)
    loss = pacing.RedrawThrottle(job_body("loss"), 0, owner, scheduler=scheduler)
    frames = [0]
    draw_frame = job_body("frame")

    def frame() -> None:
        frames[0] += 1
        draw_frame()
        if frames[0] < 3:
            scheduler.request(frame_job)  # the camera keeps moving: another frame wanted

    frame_job = pacing.Job(frame, owner, frame=True)
    return owner, clock, scheduler, ran, contour, loss, frame_job


def _next_slot(scheduler, clock) -> None:
    """Move the fake clock to when the scheduler's timer would start the next slot, and run it."""
    clock.now = max(clock.now, scheduler.next_slot_at())
    scheduler.run_slot()


def _run_slots(scheduler, clock, ran, count: int) -> None:
    """Run slots as the scheduler's timer would until ``count`` jobs ran (no Qt timer)."""
    for _ in range(200):
        if len(ran) >= count:
            return
        _next_slot(scheduler, clock)
    raise AssertionError(f"only {len(ran)} of {count} jobs ran: {ran}")


def test_scheduler_gives_each_job_a_slot_and_paces_3d_frames(qapp):
    cost = {"frame": 0.012, "contour": 0.006, "loss": 0.006}
    owner, clock, scheduler, ran, contour, loss, frame_job = _scheduler_with_jobs(cost)
    scheduler.request(frame_job)
    contour.mark(1)
    loss.mark(2)
    _run_slots(scheduler, clock, ran, 5)
    assert len({slot for _, slot, _ in ran}) == 5  # costs not known yet: a slot each
    # A due frame goes first; the 2-D redraws take the slots until the next frame may start.
    assert [k for k, _, _ in ran] == ["frame", "contour", "loss", "frame", "frame"]
    starts = np.array([t for k, _, t in ran if k == "frame"])
    assert np.all(np.diff(starts) >= pacing.FRAME_INTERVAL_S - 1e-12)
    contour.mark(3)
    contour.flush()  # an explicit flush runs at once and leaves nothing scheduled
    assert ran[-1][0] == "contour" and not scheduler.pending(contour._job)
    owner.deleteLater()


def test_scheduler_runs_a_due_paint_pass_before_any_2d_redraw(qapp):
    cost = {"frame": 0.012, "contour": 0.002, "loss": 0.002}
    owner, clock, scheduler, ran, contour, loss, frame_job = _scheduler_with_jobs(cost)
    painted = []
    paint = pacing.Job(lambda: painted.append(len(ran)), owner, urgent=True)
    contour.mark(1)
    scheduler.request(paint)
    _next_slot(scheduler, clock)
    assert painted == [0] and ran == []  # the paint pass went first, alone
    _next_slot(scheduler, clock)
    assert [k for k, _, _ in ran] == ["contour"]
    owner.deleteLater()


def test_cheap_jobs_share_a_slot_heavy_ones_and_two_2d_changes_never_do(qapp) -> None:
    owner = QtCore.QObject()
    clock = FakeClock()
    scheduler = pacing.FrameScheduler(owner, clock=clock)
    ran: list[tuple[str, int]] = []

    def throttle(name: str, seconds: float, paints: bool = True) -> pacing.RedrawThrottle:
        def draw(key) -> None:
            clock.now += seconds  # what the redraw costs
            ran.append((name, scheduler.slots_run))

        return pacing.RedrawThrottle(draw, 0, owner, scheduler=scheduler, paints=paints)

    heavy = 0.75 * pacing.SLOT_BUDGET_S
    jobs = [
        throttle("heavy 1", heavy),
        throttle("heavy 2", heavy),
        throttle("cheap 2-D", 0.0),
        throttle("cheap 3-D", 0.0, paints=False),
    ]
    for job in jobs:
        job.mark(1)
    _run_slots(scheduler, clock, ran, 4)
    assert len({slot for _, slot in ran}) == 4  # costs not known yet: a slot each
    ran.clear()
    for job in jobs:
        job.mark(1)
    _run_slots(scheduler, clock, ran, 4)
    slots: dict[int, list[str]] = {}
    for name, slot in ran:
        slots.setdefault(slot, []).append(name)
    # The cheap 3-D redraw fits beside a heavy job; the cheap 2-D one would fit too, but its
    # widgets would then be painted in the same pass as the heavy job's: it waits.
    assert sorted(slots.values()) == [["cheap 2-D"], ["heavy 1", "cheap 3-D"], ["heavy 2"]]
    owner.deleteLater()


def test_the_window_paints_only_in_scheduled_paint_jobs(qtbot) -> None:
    scheduler = pacing.FrameScheduler(QtCore.QCoreApplication.instance())
    painted: list[bool] = []

    class Label(QtWidgets.QLabel):
        def paintEvent(self, event) -> None:  # noqa: N802 - Qt naming
            painted.append(pacer._passing)
            super().paintEvent(event)

    window = QtWidgets.QWidget()
    qtbot.addWidget(window)
    label = Label("first", window)
    pacer = pacing.PaintPacer(window, scheduler=scheduler)
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
