"""GUI performance figures (run under a display, e.g. ``xvfb-run -a -s "-screen 0 1280x800x24"``).

Prints medians of several repetitions next to the targets of issue 4:
- launch to window shown (a fresh process: interpreter, imports, first frame) < 2.5 s;
- switching surface (re-mesh 200 x 200 and redraw both views) < 150 ms;
- 5 runs stepping as fast as possible on a 200 x 200 mesh: the GUI thread never stalls more
  than 30 ms (a 5 ms timer probe) and the 3-D view keeps >= 20 frames/s while the camera orbits.

    python benchmarks/bench_gui.py [--repeat 5] [--seconds 6]
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import time

LAUNCH_PROBE = r"""
import sys, time
t0 = float(sys.argv[1])
from PySide6 import QtCore, QtWidgets
from saddlelab.app import theme
theme.before_application()
app = QtWidgets.QApplication(sys.argv[:1])
theme.apply(app)
from saddlelab.app.main_window import lecture_window
w = lecture_window()
w.resize(1280, 800)
shown = []
w.view3d.gl.frameSwapped.connect(lambda: shown.append(time.time()) or app.quit())
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()

    from PySide6 import QtCore, QtWidgets

    from saddlelab.app import theme
    from saddlelab.core import catalogue

    theme.before_application()
    app = QtWidgets.QApplication(sys.argv[:1])
    theme.apply(app)
    from saddlelab.app.main_window import lecture_window

    launches = launch_times(args.repeat)

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
        win.contour_view.plot_widget.viewport().repaint()
        app.processEvents()
        return time.perf_counter() - t

    cold = [switch(i) for i in ids]
    warm = []
    for _ in range(args.repeat):
        warm += [switch(i) for i in ids]

    # -- stress: 5 runs as fast as possible --------------------------------------------------
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

    gaps: list[float] = []
    frames = [0]
    last = [time.perf_counter()]

    def probe() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
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
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(int(args.seconds * 1000), loop.quit)
    t0 = time.perf_counter()
    last[0] = t0
    timer.start()
    orbit.start()
    loop.exec()
    elapsed = time.perf_counter() - t0
    timer.stop()
    orbit.stop()
    steps = sum(r.steps for r in state.runs) - steps0
    still = sum(not r.done for r in state.runs)
    win.close()

    stall = [g - 0.005 for g in gaps]
    print("SaddleLab GUI benchmark (Xvfb software OpenGL, 200 x 200 mesh)")
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
        f"{still}/5 still running, {sum(len(r.trajectory) for r in state.runs) - rows0:+,} "
        "rows kept for drawing"
    )
    print(
        f"  GUI thread stall (5 ms probe): median {1000 * statistics.median(stall):5.1f} ms  "
        f"p99 {1000 * sorted(stall)[int(0.99 * (len(stall) - 1))]:5.1f} ms  "
        f"max {1000 * max(stall):5.1f} ms   target max < 30 ms"
    )
    print(f"  3-D view while orbiting: {frames[0] / elapsed:5.1f} frames/s   target >= 20")
    return 0


if __name__ == "__main__":
    sys.exit(main())
