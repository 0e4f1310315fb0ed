"""Merge redraw requests and pace the GUI thread's heavy work in one frame scheduler.

Views mark what changed (usually a run) when the worker delivers rows; the redraw of every
marked thing happens once, later. This keeps the GUI thread's drawing bounded however fast the
runs step.

Why one scheduler: with runs streaming, the 3-D frame (12-20 ms under software OpenGL), a
contour or loss-plot redraw and paint (15-25 ms) and the probe analysis (7-10 ms) each fit in
a frame budget, but when their own timers expire together they run back to back in one
event-loop pass and the GUI stalls for 50-90 ms (mouse, keys and the timer probe wait). The
``FrameScheduler`` owns that timing: it runs at most **one** heavy job per slot of
``SLOT_S``, re-arming itself only after the job returned, so input and other timers are served
between any two jobs. A 3-D frame is preferred in every other slot (the camera must stay
smooth); the other due jobs take turns, least recently served first.

Explicit ``flush()`` calls (surface switches, tests) still run at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer

SLOT_S = 0.016
"""Least time from the start of one scheduled job to the start of the next (seconds)."""


class _Job:
    """Something the scheduler runs when it is due (a throttle's flush or a 3-D frame)."""

    def __init__(self, run: Callable[[], None], owner: QObject, frame: bool = False) -> None:
        self.run = run
        self.owner = owner
        self.frame = frame
        self.served = 0.0


class FrameScheduler(QObject):
    """One heavy job per slot on the GUI thread (see the module docstring)."""

    _instance: FrameScheduler | None = None

    @classmethod
    def instance(cls) -> FrameScheduler:
        """The application's scheduler (made on first use, owned by the application)."""
        app = QCoreApplication.instance()
        inst = cls._instance
        if inst is None or not shiboken6.isValid(inst) or inst.parent() is not app:
            inst = cls._instance = cls(app)
        return inst

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._due: dict[_Job, float] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._slot_start = 0.0
        self._last_was_frame = False
        self.jobs_run = 0
        """Jobs run so far (tests read it to see that scheduling happened)."""

    def request(self, job: _Job, delay_s: float = 0.0) -> None:
        """Run ``job`` once, no sooner than ``delay_s`` from now (an earlier request wins)."""
        due = time.perf_counter() + delay_s
        if job not in self._due or due < self._due[job]:
            self._due[job] = due
        self._arm()

    def cancel(self, job: _Job) -> None:
        self._due.pop(job, None)
        if not self._due:
            self._timer.stop()

    def pending(self, job: _Job) -> bool:
        return job in self._due

    def _arm(self) -> None:
        if not self._due:
            self._timer.stop()
            return
        start = max(self._slot_start + SLOT_S, min(self._due.values()))
        ms = max(0, round(1000 * (start - time.perf_counter())))
        if not self._timer.isActive() or self._timer.remainingTime() > ms:
            self._timer.start(ms)

    def _pick(self, now: float) -> _Job | None:
        due = [j for j, t in self._due.items() if t <= now]
        if not due:
            return None
        frames = [j for j in due if j.frame]
        others = [j for j in due if not j.frame]
        if frames and (not self._last_was_frame or not others):
            return min(frames, key=lambda j: j.served)
        return min(others, key=lambda j: j.served)

    def _tick(self) -> None:
        now = time.perf_counter()
        job = self._pick(now)
        if job is not None:
            del self._due[job]
            self._slot_start = now
            job.served = now
            self._last_was_frame = job.frame
            if shiboken6.isValid(job.owner):
                self.jobs_run += 1
                job.run()
        self._arm()


class RedrawThrottle(QObject):
    """Call ``redraw(key)`` for each key marked, at most once per ``interval_ms``, in a slot."""

    def __init__(
        self,
        redraw: Callable[[Hashable], None],
        interval_ms: int,
        parent=None,
        after: Callable[[], None] | None = None,
        scheduler: FrameScheduler | None = None,
    ):
        """``after`` runs once after each flush that redrew something (e.g. fit the axes);
        ``scheduler`` defaults to the application's."""
        super().__init__(parent)
        self._redraw = redraw
        self._after = after
        self._dirty: dict[Hashable, None] = {}
        self._interval = interval_ms / 1000.0
        self._job = _Job(self.flush, self)
        self._scheduler = scheduler if scheduler is not None else FrameScheduler.instance()

    def mark(self, key: Hashable) -> None:
        self._dirty[key] = None
        if not self._scheduler.pending(self._job):
            self._scheduler.request(self._job, self._interval)

    def flush(self) -> None:
        """Redraw everything marked now (tests and surface switches call this directly)."""
        self._scheduler.cancel(self._job)
        dirty, self._dirty = self._dirty, {}
        for key in dirty:
            self._redraw(key)
        if dirty and self._after is not None:
            self._after()

    def discard(self, key: Hashable) -> None:
        self._dirty.pop(key, None)
        if not self._dirty:
            self._scheduler.cancel(self._job)


class RunDrawing:
    """For views that draw each run: marks go to ``self._throttle`` (a :class:`RedrawThrottle`
    whose callback is ``_redraw_run``), and ``_draw_run(run)`` draws one run."""

    def _mark_run(self, run) -> None:
        self._throttle.mark(run.id)

    def _redraw_run(self, run_id: int) -> None:
        run = self.state.runs.by_id(run_id)
        if run is not None:
            self._draw_run(run)

    def flush(self) -> None:
        """Draw pending trajectory updates now instead of at the next redraw tick."""
        self._throttle.flush()
