"""The window while basins of attraction compute (issue 12): the GUI stall, median of runs.

    xvfb-run -a -s "-screen 0 1920x1080x24" python benchmarks/bench_basins_gui.py [--runs N]

The window shows Himmelblau with one SGD run (torch's default lr=0.001, as bench_basins.py).
A 1 ms QTimer counts on the GUI thread; the stall is the longest gap between two of its ticks
while the basins of 200 x 200 starts, at most 2,000 steps, compute:

- in the background, as the Basins panel's Compute does it (``BasinsDock.compute``: the batch
  engine on a QThread, throttled progress to the GUI thread, then the image layer and legend);
  target < 30 ms;
- the naive peer: the same ``compute_basins`` called on the GUI thread (the window is frozen
  for the whole computation; one run).

The compiled kernels are warmed first (one small computation). Not a test: timing is never
asserted in the test suite.
"""

from __future__ import annotations

import argparse
import sys
import time

from bench_export_gui import Gaps, print_stalls

TARGET_MS = 30.0
N, STEPS, LR = 200, 2000, 1e-3


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--freeze",
        action="store_true",
        help="gc.freeze() once the window is up (an experiment, see the report)",
    )
    args = parser.parse_args()
    from PySide6 import QtCore, QtWidgets

    from saddlelab.app import style

    style.before_application()
    app = QtWidgets.QApplication(sys.argv[:1])
    style.apply(app)
    from saddlelab.app.window import MainWindow
    from saddlelab.core import catalogue
    from saddlelab.core.basins import compute_basins
    from saddlelab.models.app_state import AppState

    state = AppState(catalogue.load("himmelblau"))
    state.add_run("sgd", {"lr": LR})
    window = MainWindow(state.surface.surface, 200, state=state)
    window.resize(1280, 800)
    window.show()
    dock = window.basins
    dock.bring_forward()

    def compute(grid: int, steps: int) -> float:
        t0 = time.perf_counter()
        dock.compute(grid, steps)
        while dock.job.is_running():
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 5)
        app.processEvents()
        assert dock.basins is not None and dock.basins.label.shape == (grid, grid)
        return time.perf_counter() - t0

    for _ in range(50):
        app.processEvents()
        time.sleep(0.02)
    compute(4, 10)  # imports and loads the compiled kernels
    if args.freeze:
        import gc

        gc.freeze()
    gaps = Gaps(QtCore)
    stalls, seconds = [], []
    for _ in range(args.runs):
        gaps.start()
        seconds.append(compute(N, STEPS))
        stalls.append(gaps.stop())
    gaps.start()
    app.processEvents()
    t0 = time.perf_counter()
    surface = state.surface.surface
    compute_basins(surface, "sgd", {"lr": LR}, grid=N, steps=STEPS)  # the GUI thread, blocked
    naive_seconds = time.perf_counter() - t0
    app.processEvents()
    naive_stall = gaps.stop()
    print(f"basins of SGD lr={LR:g}, {N} x {N} starts, {STEPS} steps, Himmelblau, in the open "
          "window; GUI stall = longest gap between 1 ms timer ticks")  # fmt: skip
    print_stalls("basins", "background (Basins panel)", stalls, seconds,
                 (naive_stall, naive_seconds), TARGET_MS)  # fmt: skip
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
