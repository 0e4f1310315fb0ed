"""Merge redraw requests and pace the GUI thread's heavy work in one frame scheduler.

Views mark what changed (usually a run) when the worker delivers rows; the redraw of every
marked thing happens once, later. This keeps the GUI thread's drawing bounded however fast the
runs step.

Why one scheduler: with runs streaming, the 3-D frame (10-15 ms under software OpenGL), a
contour or loss-plot redraw and its paint (5-15 ms) and the probe analysis (5-10 ms) each fit
in a frame budget, but when their own timers expire together they run back to back in one
event-loop pass and the GUI stalls for 50-90 ms (mouse, keys and the timer probe wait). The
``FrameScheduler`` owns that timing. It works in slots: a slot starts at most every ``SLOT_S``
(re-armed only after the slot's work returned, so input and other timers are served between
any two slots) and runs one job, then more due jobs only while their measured cost fits in
``SLOT_BUDGET_S`` (cheap jobs share a slot, heavy ones get their own). A due 3-D frame opens
the next slot, but frames start at most every ``FRAME_INTERVAL_S``; paint passes come next
(they show what a redraw changed) and run alone; the other due jobs take turns, least
recently served first. At most one job that changes 2-D widgets runs between two paint
passes, so a paint pass paints one view's changes, not several. A slot is shorter than most
jobs: it only bounds how often cheap ones run, since the timer that starts a slot fires
after any input or timer that became due while the previous one ran.

Qt paints a window's dirty widgets in one pass, whenever its posted update request comes up:
after a redraw, or several redraws, in the same event-loop pass as the next job. ``PaintPacer``
routes the main window's paint passes through the scheduler as jobs too.

Explicit ``flush()`` calls (surface switches, tests) still run at once.

What stayed and why (issue 9, ``benchmarks/bench_pacing_ab.py``, each piece replaced by what Qt
does by itself, 5 runs at full speed, camera orbiting, 2 cores, software OpenGL): without the
scheduler the stall maxima went from ~22 ms to ~41 ms; without merging redraws (``mark``
redrawing at once) to ~39 ms and 22 frames/s; without the paint pacer to ~27 ms with a worst of
~38 ms. What went: polling a fence before the 3-D swap, applying worker batches in a slot of
their own, and settling pending layouts before a paint pass: without them the figures stayed
within the targets (~23 ms, 28 frames/s).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer

SLOT_S = 0.010
"""Least time from the start of one slot to the start of the next (seconds)."""
FRAME_INTERVAL_S = 0.030
"""Least time between the starts of two 3-D frames (at most ~30 frames/s, which leaves the
slots in between to the 2-D views)."""
SLOT_BUDGET_S = 0.012
"""A slot runs further due jobs only while its time so far plus their expected cost fits."""
COST_DECAY = 0.7
"""A job's expected cost is its last duration or, if more, the previous expectation times
this: one slow run keeps it out of shared slots for a few runs (paint passes vary most)."""


class Job:
    """Something the scheduler runs when it is due (a throttle's flush, a paint, a 3-D frame)."""

    def __init__(
        self,
        run: Callable[[], None],
        owner: QObject,
        frame: bool = False,
        urgent: bool = False,
        paints: bool = False,
    ) -> None:
        self.run = run
        self.owner = owner
        self.frame = frame
        self.urgent = urgent
        """A paint pass: opens a slot of its own, ahead of every other job but a frame."""
        self.paints = paints
        """Whether it changes 2-D widgets (which then need a paint pass)."""
        self.served = 0.0
        self.cost: float | None = None
        """Expected seconds per run (None until measured: it then runs alone in its slot)."""


class FrameScheduler(QObject):
    """Slots of bounded work on the GUI thread (see the module docstring)."""

    _instance: FrameScheduler | None = None

    @classmethod
    def instance(cls) -> FrameScheduler:
        """The application's scheduler (made on first use, owned by the application)."""
        app = QCoreApplication.instance()
        inst = cls._instance
        if inst is None or not shiboken6.isValid(inst) or inst.parent() is not app:
            inst = cls._instance = cls(app)
        return inst

    def __init__(
        self, parent: QObject | None = None, clock: Callable[[], float] = time.perf_counter
    ) -> None:
        """``clock`` gives seconds; tests pass a fake one to check the rules without timers."""
        super().__init__(parent)
        self._clock = clock
        self._due: dict[Job, float] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.run_slot)
        self._slot_start = 0.0
        self._last_frame = -1.0
        self.jobs_run = 0
        """Jobs run so far (tests read it to see that scheduling happened)."""
        self.slots_run = 0
        """Slots so far (jobs sharing a slot see the same number)."""

    def request(self, job: Job, delay_s: float = 0.0) -> None:
        """Run ``job`` once, no sooner than ``delay_s`` from now (an earlier request wins)."""
        due = self._clock() + delay_s
        if job not in self._due or due < self._due[job]:
            self._due[job] = due
        self._arm()

    def cancel(self, job: Job) -> None:
        self._due.pop(job, None)
        if not self._due:
            self._timer.stop()

    def pending(self, job: Job) -> bool:
        return job in self._due

    def _arm(self) -> None:
        if not self._due:
            self._timer.stop()
            return
        ms = max(0, round(1000 * (self.next_slot_at() - self._clock())))
        if not self._timer.isActive() or self._timer.remainingTime() > ms:
            self._timer.start(ms)

    def next_slot_at(self) -> float:
        """When the next slot starts (clock seconds): SLOT_S after the last slot's start, or
        when the first job becomes ready if that is later (inf when nothing is due)."""
        if not self._due:
            return float("inf")
        return max(self._slot_start + SLOT_S, min(self._ready_at(j) for j in self._due))

    def _ready_at(self, job: Job) -> float:
        due = self._due[job]
        return max(due, self._last_frame + FRAME_INTERVAL_S) if job.frame else due

    def _due_now(self, now: float) -> list[Job]:
        due = [j for j in self._due if self._ready_at(j) <= now]
        if any(j.urgent for j in due):
            # A paint pass is due: jobs that change 2-D widgets wait until it has run, or it
            # would paint their widgets too.
            due = [j for j in due if not j.paints]
        return due

    def _pick(self, now: float) -> Job | None:
        """The job that opens a slot."""
        due = self._due_now(now)
        if not due:
            return None
        return min(due, key=lambda j: (not j.frame, not j.urgent, j.served))

    def _next_in_slot(self, now: float, left: float, painted: bool) -> Job | None:
        """A further due job expected to fit in the ``left`` seconds: never a frame or a paint
        pass (their cost varies most), and no second job that changes 2-D widgets (the paint
        pass would hold both)."""
        fits = [
            j
            for j in self._due_now(now)
            if not (j.frame or j.urgent or (painted and j.paints))
            and j.cost is not None
            and j.cost <= left
        ]
        return min(fits, key=lambda j: j.served, default=None)

    def run_slot(self) -> None:
        """Run the job that opens a slot and whatever else fits (the slot timer calls this)."""
        start = self._clock()
        job = self._pick(start)
        if job is not None:
            self._slot_start = start
            if job.frame:
                self._last_frame = start
            self.slots_run += 1
        painted = False
        while job is not None:
            painted = painted or job.paints
            self._run(job)
            now = self._clock()
            job = self._next_in_slot(now, SLOT_BUDGET_S - (now - start), painted)
        self._arm()

    def _run(self, job: Job) -> None:
        del self._due[job]
        t = self._clock()
        job.served = t
        if shiboken6.isValid(job.owner):
            self.jobs_run += 1
            job.run()
            spent = self._clock() - t
            job.cost = spent if job.cost is None else max(spent, COST_DECAY * job.cost)


class PaintPacer(QObject):
    """Makes a top-level widget's paint passes jobs of the frame scheduler.

    Qt asks a window to paint its dirty widgets with a posted ``UpdateRequest`` event (and
    with a sent one for ``repaint()``); this filter holds every such request back and asks the
    scheduler for a paint job, which then delivers one request: every dirty widget of the
    window is painted in that slot. ``paint_now()`` paints at once (benchmarks, tests).
    """

    def __init__(self, window, scheduler: FrameScheduler | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._scheduler = scheduler if scheduler is not None else FrameScheduler.instance()
        self._job = Job(self.paint_now, self, urgent=True)
        self._passing = False
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt naming
        if obj is self._window and event.type() == QEvent.Type.UpdateRequest:
            if not self._passing:
                self._scheduler.request(self._job)
                return True
        return False

    def paint_now(self) -> None:
        """Paint the window's dirty widgets now."""
        self._scheduler.cancel(self._job)
        self._passing = True
        try:
            QCoreApplication.sendEvent(self._window, QEvent(QEvent.Type.UpdateRequest))
        finally:
            self._passing = False


class RedrawThrottle(QObject):
    """Call ``redraw(key)`` for each key marked, at most once per ``interval_ms``, in a slot."""

    def __init__(
        self,
        redraw: Callable[[Hashable], None],
        interval_ms: int,
        parent=None,
        after: Callable[[], None] | None = None,
        scheduler: FrameScheduler | None = None,
        paints: bool = True,
    ):
        """``after`` runs once after each flush that redrew something (e.g. fit the axes);
        ``scheduler`` defaults to the application's; ``paints=False`` for redraws that change
        no 2-D widget (3-D items only)."""
        super().__init__(parent)
        self._redraw = redraw
        self._after = after
        self._dirty: dict[Hashable, None] = {}
        self._interval = interval_ms / 1000.0
        self._job = Job(self.flush, self, paints=paints)
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
