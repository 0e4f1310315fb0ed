"""The pacing pieces of issue 9 (point 4), each replaceable by what Qt does by itself.

Monkeypatches for ``bench_pacing_ab.py``, applied in the benchmark's own process before the
window is made (the app is not edited). ``apply(spec)`` patches; every replacement counts in
``HITS`` that it ran, and counts that the path it replaces did not, so ``check()`` can tell
whether the patch took effect. A spec is a piece name, ``current``, ``toolkit``, or names
joined by ``+`` (e.g. ``no-paint-pacer+no-lod``).
"""

from __future__ import annotations

from collections import Counter

HITS: Counter = Counter()
"""Calls of the replacements and of the replaced paths (since ``apply``)."""


def _count(cls, method: str, key: str) -> None:
    """Count calls of ``cls.method`` (whatever it is at this point) under ``key``."""
    original = getattr(cls, method)

    def counted(self, *args, **kwargs):
        HITS[key] += 1
        return original(self, *args, **kwargs)

    setattr(cls, method, counted)
    HITS[key] += 0


def no_scheduler() -> None:
    """No FrameScheduler: each job (throttle flush, paint pass) gets a plain single-shot QTimer
    of its own started for its due time, and runs when it fires; 3-D frames go through Qt's own
    ``QOpenGLWindow.update()`` (Qt's paintGL + swap)."""
    import shiboken6
    from PySide6.QtCore import QTimer
    from PySide6.QtOpenGL import QOpenGLWindow

    from saddlelab.app.runtime.pacing import FrameScheduler
    from saddlelab.app.scene3d.gl_window import GLSceneWindow

    def fire(scheduler, job) -> None:
        if shiboken6.isValid(job.owner):
            HITS["jobs run by plain timers"] += 1
            scheduler.jobs_run += 1
            job.run()

    def request(self, job, delay_s: float = 0.0) -> None:
        timer = getattr(job, "ab_timer", None)
        if timer is None:
            timer = job.ab_timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda: fire(self, job))
        ms = max(0, round(1000 * delay_s))
        if not timer.isActive() or timer.remainingTime() > ms:  # an earlier request wins
            timer.start(ms)

    def cancel(self, job) -> None:
        timer = getattr(job, "ab_timer", None)
        if timer is not None:
            timer.stop()

    def pending(self, job) -> bool:
        timer = getattr(job, "ab_timer", None)
        return timer is not None and timer.isActive()

    def update(self) -> None:
        HITS["frames asked of Qt (QOpenGLWindow.update)"] += 1
        QOpenGLWindow.update(self)

    FrameScheduler.request, FrameScheduler.cancel, FrameScheduler.pending = (
        request,
        cancel,
        pending,
    )
    GLSceneWindow.update = update
    _count(FrameScheduler, "run_slot", "scheduler slots")
    _count(GLSceneWindow, "_present", "scheduled frames (_present)")


def no_paint_pacer() -> None:
    """PaintPacer removes its event filter at once: Qt paints the window whenever its
    UpdateRequest comes."""
    from saddlelab.app.runtime.pacing import PaintPacer

    init = PaintPacer.__init__

    def without_filter(self, window, scheduler=None) -> None:
        init(self, window, scheduler)
        window.removeEventFilter(self)
        HITS["paint filters removed"] += 1

    PaintPacer.__init__ = without_filter
    _count(PaintPacer, "eventFilter", "paint filter calls")
    _count(PaintPacer, "paint_now", "paced paint passes")


def no_throttle() -> None:
    """RedrawThrottle.mark redraws at once: no merging of marks."""
    from saddlelab.app.runtime.pacing import RedrawThrottle

    def mark(self, key) -> None:
        HITS["redraws at mark"] += 1
        self._dirty[key] = None
        self.flush()

    RedrawThrottle.mark = mark


def no_lod() -> None:
    """The coarse mesh is never drawn (the surface refuses ``set_coarse(True)``)."""
    from saddlelab.app.scene3d.surface import GLLossSurface

    original = GLLossSurface.set_coarse

    def set_coarse(self, on: bool) -> None:
        if on:
            HITS["switches to the coarse mesh refused"] += 1
        original(self, False)

    GLLossSurface.set_coarse = set_coarse


def no_nice() -> None:
    """The worker thread keeps the GUI's priority (``lower_own_priority`` does nothing)."""
    from saddlelab.app.runtime import worker

    def keep_priority() -> None:
        HITS["worker priority kept"] += 1

    worker.lower_own_priority = keep_priority


PIECES = {
    "no-scheduler": no_scheduler,
    "no-paint-pacer": no_paint_pacer,
    "no-throttle": no_throttle,
    "no-lod": no_lod,
    "no-nice": no_nice,
}
TOOLKIT = ("no-scheduler", "no-paint-pacer", "no-lod")
"""Everything but merging (the throttles keep merging, each with a plain QTimer) and the
worker's priority. Three pieces measured here before are gone from the app because their A/B
showed them unneeded (issue 9): polling a fence before the 3-D swap, applying worker batches in
a scheduler slot, settling layouts before a paint pass."""
EXPECT = {
    # piece: counters that must be > 0 (the replacement ran), counters that must stay 0
    "current": (["scheduler slots"], []),
    "no-scheduler": (
        ["jobs run by plain timers", "frames asked of Qt (QOpenGLWindow.update)"],
        ["scheduler slots", "scheduled frames (_present)"],
    ),
    "no-paint-pacer": (["paint filters removed"], ["paint filter calls", "paced paint passes"]),
    "no-throttle": (["redraws at mark"], []),
    "no-lod": (["switches to the coarse mesh refused"], []),
    "no-nice": (["worker priority kept"], []),
}


def resolve(spec: str) -> list[str]:
    """The pieces a spec replaces (``current``: none)."""
    names: list[str] = []
    for part in spec.split("+"):
        part = part.strip()
        if part == "toolkit":
            names += TOOLKIT
        elif part in PIECES:
            names.append(part)
        elif part != "current":
            raise ValueError(f"unknown variant {part!r} (known: current, toolkit, {list(PIECES)})")
    return list(dict.fromkeys(names))


def apply(spec: str) -> list[str]:
    """Patch in the pieces of ``spec``; call before the window is made."""
    names = resolve(spec)
    if not names:
        from saddlelab.app.runtime.pacing import FrameScheduler

        _count(FrameScheduler, "run_slot", "scheduler slots")
    for name in names:
        PIECES[name]()
    return names


def check(names: list[str]) -> tuple[bool, str]:
    """Whether every patch took effect (by ``HITS``), and the counters that show it."""
    ok, shown = True, []
    for name in names or ["current"]:
        ran, unused = EXPECT[name]
        ok = ok and all(HITS[k] > 0 for k in ran) and all(HITS[k] == 0 for k in unused)
        shown += [f"{k} {HITS[k]}" for k in ran + unused]
    return ok, ", ".join(shown)
