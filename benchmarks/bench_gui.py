"""GUI performance figures (run under a display, e.g. ``xvfb-run -a -s "-screen 0 1280x800x24"``).

Prints medians of several repetitions next to the targets of issues 4 and 9:
- launch to window shown (a fresh process: interpreter, imports, first frame) < 2.5 s;
- switching surface (re-mesh 200 x 200 and redraw both views) < 150 ms;
- 5 runs stepping as fast as possible on a 200 x 200 mesh: the GUI thread never stalls more
  than 30 ms (a 5 ms timer probe) and the 3-D view keeps >= 25 frames/s while the camera
  orbits (``--no-orbit``: while only the runs move it).

    python benchmarks/bench_gui.py [--repeat 5] [--seconds 6] [--stress-repeat 3]
        [--no-orbit] [--paused] [--skip-launch] [--profile N]

The stress test starts a second after the five runs were added (the window re-lays out once
for them) and also prints where the GUI thread's time went: class-level timing wrappers around
the 3-D render and swap, the scheduled paint passes, the batches, the merged redraws, the 2-D
paint events and garbage collection, and what ran in the five longest probe gaps.
``--paused`` is the baseline with the same views and nothing stepping; ``--profile`` adds
cProfile's top functions of the GUI thread.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass

LAUNCH_PROBE = r"""
import sys, time
t0 = float(sys.argv[1])
from PySide6 import QtCore, QtWidgets
from saddlelab.app import style
style.before_application()
app = QtWidgets.QApplication(sys.argv[:1])
style.apply(app)
from saddlelab.app.window import lecture_window
w = lecture_window()
w.resize(1280, 800)
shown = []
# Quit from the event loop, not inside the GL window's frameSwapped (that crashes Qt 6.11).
w.view3d.gl.frameSwapped.connect(
    lambda: shown.append(time.time()) or QtCore.QTimer.singleShot(0, app.quit)
)
w.show()
QtCore.QTimer.singleShot(20000, app.quit)
app.exec()
print(f"{shown[0] - t0:.4f}")
w.shutdown()
"""


def launch_times(repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.time()
        done = subprocess.run(
            [sys.executable, "-c", LAUNCH_PROBE, repr(t0)],
            capture_output=True,
            text=True,
            check=True,
        )
        out.append(float(done.stdout.strip().splitlines()[-1]))
    return out


class Breakdown:
    """Wall time the GUI thread spends in named places (wrapping methods at class level)."""

    def __init__(self) -> None:
        self.active = False
        self.total: dict[str, float] = defaultdict(float)
        self.worst: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.events: list[tuple[float, float, str]] = []

    def wrap(self, cls, method: str, name=None) -> None:
        original = getattr(cls, method)

        def timed(obj, *args, **kwargs):
            if not self.active:
                return original(obj, *args, **kwargs)
            label = name(obj) if callable(name) else (name or f"{cls.__name__}.{method}")
            t = time.perf_counter()
            try:
                return original(obj, *args, **kwargs)
            finally:
                end = time.perf_counter()
                dt = end - t
                self.events.append((t, end, label))
                self.total[label] += dt
                self.worst[label] = max(self.worst[label], dt)
                self.calls[label] += 1

        setattr(cls, method, timed)

    def explain(self, start: float, end: float) -> str:
        """What the instrumented code did between ``start`` and ``end`` (top level only)."""
        inside = [(a, b, label) for a, b, label in self.events if b > start and a < end]
        top = [e for e in inside if not any(o[0] < e[0] and e[1] < o[1] for o in inside)]
        busy = sum(min(b, end) - max(a, start) for a, b, _ in top)
        parts = ", ".join(
            f"{label} {1000 * (b - a):.0f} (at {1000 * (a - start):+.0f})" for a, b, label in top
        )
        return f"instrumented {1000 * busy:.0f} ms: {parts or 'nothing'}"

    def report(self, elapsed: float) -> list[str]:
        rows = sorted(self.total.items(), key=lambda kv: -kv[1])
        return [
            f"    {label:<44} {100 * t / elapsed:5.1f} % of wall   {self.calls[label]:5d} calls"
            f"   mean {1000 * t / max(self.calls[label], 1):6.1f} ms   max"
            f" {1000 * self.worst[label]:6.1f} ms"
            for label, t in rows
        ]


def _owner(widget) -> str:
    """Name of the nearest SaddleLab widget holding ``widget`` (which 2-D plot painted)."""
    w = widget
    while w is not None:
        if type(w).__module__.startswith("saddlelab"):
            return type(w).__name__
        w = w.parentWidget()
    return type(widget).__name__


def _time_garbage_collection(b: Breakdown) -> None:
    """Python's cyclic garbage collector pauses whichever thread triggers it: time it too."""
    import gc
    import threading

    started: dict[int, float] = {}

    def callback(phase: str, info: dict) -> None:
        tid = threading.get_ident()
        if phase == "start":
            started[tid] = time.perf_counter()
        elif tid in started and b.active:
            t, end = started.pop(tid), time.perf_counter()
            where = "GUI" if threading.current_thread() is threading.main_thread() else "worker"
            label = f"garbage collection gen {info['generation']} ({where} thread)"
            b.events.append((t, end, label))
            b.total[label] += end - t
            b.worst[label] = max(b.worst[label], end - t)
            b.calls[label] += 1

    gc.callbacks.append(callback)


def instrument() -> Breakdown:
    """Time the GUI thread's known consumers: GL frames, batch handling, throttled redraws."""
    import pyqtgraph as pg

    from saddlelab.app.runtime import controller as run_controller
    from saddlelab.app.runtime import pacing
    from saddlelab.app.scene3d.gl_window import GLSceneWindow

    b = Breakdown()
    b.wrap(pacing.PaintPacer, "paint_now", "paint pass (2-D widgets)")
    b.wrap(GLSceneWindow, "_present", "3-D frame: render and swap")
    b.wrap(GLSceneWindow, "paintGL", "  of which paintGL (GL calls, no swap)")
    b.wrap(run_controller.RunController, "_apply", "batch -> models (+ listeners)")
    b.wrap(
        pacing.RedrawThrottle,
        "flush",
        lambda t: f"redraw: {type(t.parent()).__name__}",
    )
    _time_garbage_collection(b)
    b.wrap(pg.GraphicsView, "paintEvent", lambda v: f"2-D paint: {_owner(v)}")
    b.wrap(pg.PlotCurveItem, "paint", "  of which curves (all 2-D plots)")
    try:
        from saddlelab.app.plots import taylor_contours

        b.wrap(
            taylor_contours.TaylorContoursItem, "paint", "  of which dashed Taylor contours (2-D)"
        )
    except ImportError:
        pass
    from saddlelab.models import probe

    b.wrap(probe.ProbeModel, "refresh", "analysis of the probe and its displays (issue 5)")
    return b


def start_stress(app, win) -> None:
    """Five runs stepping as fast as possible on Rastrigin, compiled, streaming for a second."""
    from PySide6 import QtCore

    from saddlelab.core import catalogue

    win.state.choose_surface(catalogue.load("rastrigin"))
    state = win.state
    for run in list(state.runs):
        state.runs.remove(run)
    for name in ("sgd", "adam", "rmsprop", "adagrad", "adamw"):
        run = state.add_run(name, {"lr": 0.002})
        run.max_steps = 10**9
        run.set_grad_noise("30")  # a noisy random walk: every run keeps moving throughout
    state.reset_all()
    state.playback.set_speed(math.inf)
    win.controller.start()
    # Wait for compilation of the five optimizers (worker thread), then measure.
    deadline = time.perf_counter() + 90
    state.playback.set_playing(True)
    while time.perf_counter() < deadline and not all(r.steps > 100 for r in state.runs):
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)

    # Let the window settle (five new runs re-lay out the runs panel and its dock once), so the
    # figures below are those of steady streaming.
    settle = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(1000, settle.quit)
    settle.exec()


@dataclass
class StressResult:
    segments: list[tuple[float, float, float, float]]
    """(median, p99, max lateness of the 5 ms probe in seconds, 3-D frames/s) per segment."""
    elapsed: float
    steps: int
    rows: int
    still: int
    worst: list[tuple[float, float]]
    """(gap, end time) of every probe gap."""


def measure_stress(
    win, seconds: float, repeat: int, orbit_on: bool = True, breakdown=None, profiler=None
) -> StressResult:
    """``repeat`` segments of ``seconds``: a 5 ms timer probe, the camera orbiting (16 ms)."""
    from PySide6 import QtCore

    state = win.state
    gaps: list[float] = []
    frames = [0]
    last = [time.perf_counter()]

    worst: list[tuple[float, float]] = []  # (gap, end time) of the longest gaps

    def probe() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        worst.append((now - last[0], now))
        last[0] = now

    timer = QtCore.QTimer()
    timer.setInterval(5)
    timer.timeout.connect(probe)
    orbit = QtCore.QTimer()
    orbit.setInterval(16)
    orbit.timeout.connect(lambda: win.view3d.gl.orbit(1.0, 0.0))
    win.view3d.gl.frameSwapped.connect(lambda: frames.__setitem__(0, frames[0] + 1))
    steps0 = sum(r.steps for r in state.runs)
    rows0 = sum(len(r.trajectory) for r in state.runs)
    segments = []  # (median, p99, max lateness, frames/s) per repetition
    elapsed = 0.0
    for _ in range(repeat):
        gaps.clear()
        frames[0] = 0
        loop = QtCore.QEventLoop()
        QtCore.QTimer.singleShot(int(seconds * 1000), loop.quit)
        t0 = time.perf_counter()
        last[0] = t0
        timer.start()
        if orbit_on:
            orbit.start()
        if breakdown:
            breakdown.active = True
        if profiler:
            profiler.enable()
        loop.exec()
        if profiler:
            profiler.disable()
        if breakdown:
            breakdown.active = False
        took = time.perf_counter() - t0
        elapsed += took
        timer.stop()
        orbit.stop()
        late = sorted(g - 0.005 for g in gaps)
        segments.append(
            (
                statistics.median(late),
                late[int(0.99 * (len(late) - 1))],
                late[-1],
                frames[0] / took,
            )
        )
    return StressResult(
        segments,
        elapsed,
        sum(r.steps for r in state.runs) - steps0,
        sum(len(r.trajectory) for r in state.runs) - rows0,
        sum(not r.done for r in state.runs),
        worst,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--stress-repeat", type=int, default=3)
    parser.add_argument("--no-orbit", action="store_true", help="stress without the camera orbit")
    parser.add_argument("--skip-launch", action="store_true")
    parser.add_argument(
        "--paused", action="store_true", help="baseline: the same views, but no run stepping"
    )
    parser.add_argument("--profile", type=int, default=0, help="print N top GUI-thread functions")
    args = parser.parse_args()

    from PySide6 import QtWidgets

    from saddlelab.app import style
    from saddlelab.core import catalogue

    style.before_application()
    app = QtWidgets.QApplication(sys.argv[:1])
    style.apply(app)
    from saddlelab.app.window import lecture_window

    breakdown = instrument()
    launches = [math.nan] if args.skip_launch else launch_times(args.repeat)

    win = lecture_window(resolution=200)
    win.resize(1280, 800)
    win.show()
    for _ in range(20):
        app.processEvents()

    # -- surface switching: cold (first compile of the surface) and warm ---------------------
    ids = ["himmelblau", "rosenbrock", "rastrigin", "six-hump-camel", "beale", "w1w2-mse"]

    def switch(surface_id: str) -> float:
        t = time.perf_counter()
        surface = catalogue.load(surface_id)
        win.state.choose_surface(surface)
        win.view3d.gl.repaint()  # paintGL now, uploading the new mesh
        win.paint_pacer.paint_now()  # every 2-D widget the switch changed, painted now
        app.processEvents()
        return time.perf_counter() - t

    cold = [switch(i) for i in ids]
    warm = []
    for _ in range(args.repeat):
        warm += [switch(i) for i in ids]

    # -- stress: 5 runs as fast as possible --------------------------------------------------
    start_stress(app, win)
    if args.paused:
        win.state.playback.set_playing(False)
    profiler = cProfile.Profile() if args.profile else None
    result = measure_stress(
        win, args.seconds, args.stress_repeat, not args.no_orbit, breakdown, profiler
    )
    segments, elapsed, steps, worst = result.segments, result.elapsed, result.steps, result.worst
    win.close()

    med = statistics.median
    print("SaddleLab GUI benchmark (Xvfb software OpenGL, 200 x 200 mesh)")
    print(f"  machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the end")
    print(
        f"  launch to window shown     median {statistics.median(launches):6.2f} s   "
        f"(runs: {', '.join(f'{t:.2f}' for t in launches)})   target < 2.5 s"
    )
    print(
        f"  switch surface, warm       median {1000 * statistics.median(warm):6.1f} ms  "
        f"max {1000 * max(warm):.1f} ms   target < 150 ms"
    )
    print(
        f"  switch surface, cold       median {1000 * statistics.median(cold):6.1f} ms  "
        f"(first build of each surface: parse + differentiate + compile)"
    )
    print(
        f"  5 runs, max speed, {elapsed:.1f} s: {steps / elapsed:,.0f} steps/s total, "
        f"{result.still}/5 still running, {result.rows:+,} rows kept for drawing"
    )
    print(
        f"  GUI thread stall (5 ms probe lateness, median of {len(segments)} x "
        f"{args.seconds:g} s): median {1000 * med(s[0] for s in segments):5.1f} ms  "
        f"p99 {1000 * med(s[1] for s in segments):5.1f} ms  "
        f"max {1000 * med(s[2] for s in segments):5.1f} ms "
        f"(worst {1000 * max(s[2] for s in segments):.1f})   target max < 30 ms"
    )
    what = "without orbit" if args.no_orbit else "while orbiting"
    fps = ", ".join(f"{s[3]:.1f}" for s in segments)
    print(
        f"  3-D view {what}: median {med(s[3] for s in segments):5.1f} frames/s ({fps})"
        "   target >= 25"
    )
    print("  longest probe gaps and what ran in them (ms):")
    for gap, end in sorted(worst, reverse=True)[:5]:
        print(f"    gap {1000 * gap:5.1f}: {breakdown.explain(end - gap, end)}"[:200])
    print("  GUI-thread breakdown during the stress test (nested entries overlap):")
    for line in breakdown.report(elapsed):
        print(line)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.profile)
        print("  GUI-thread profile (tottime):")
        body = out.getvalue().splitlines()
        start = next((i for i, line in enumerate(body) if "ncalls" in line), 0)
        for line in body[start:]:
            if line.strip():
                print("   ", line.rstrip()[:150])
    return 0


if __name__ == "__main__":
    sys.exit(main())
