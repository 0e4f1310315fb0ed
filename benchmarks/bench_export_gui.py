"""The window while an animation is exported (issue 11): the GUI stall, median of several runs.

    xvfb-run -a -s "-screen 0 1920x1080x24" python benchmarks/bench_export_gui.py [--runs N]

The window shows Rosenbrock with the five runs of ``bench_export_2d`` (20,000 steps each). A
1 ms QTimer counts on the GUI thread; the stall is the longest gap between two of its ticks
while the 10 s, 30 fps, 1280 x 720 MP4 of the contour view is written:

- in the background, as File > Export > Animation... does it (``ExportMenu.animation_job``:
  the frames drawn and encoded on a worker thread, a progress dialog on the GUI thread);
  target < 50 ms;
- the naive peer: the same ``write_contour_movie`` called on the GUI thread (the window is
  frozen for the whole export; one run, it is as long as the export).

Not a test: timing is never asserted in the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_export_2d import state as five_runs

TARGET_MS = 50.0


class Gaps:
    """The longest gap between the ticks of a 1 ms timer on the GUI thread."""

    def __init__(self, QtCore) -> None:
        self.timer = QtCore.QTimer()
        self.timer.setInterval(1)
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.last = self.began = 0.0
        self.longest = 0.0
        self.at = 0.0
        """When the longest gap ended, in seconds after ``start``."""

    def _tick(self) -> None:
        now = time.perf_counter()
        if now - self.last > self.longest:
            self.longest, self.at = now - self.last, now - self.began
        self.last = now

    def start(self) -> None:
        self.last = self.began = time.perf_counter()
        self.longest = 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return 1000 * self.longest


def print_stalls(what, background, stalls, seconds, naive, target_ms, note="") -> None:
    """The table: the median GUI stall and duration in the background, the naive peer's
    (one run: ``naive`` = (stall ms, seconds)), and the verdict against ``target_ms``."""
    stall = statistics.median(stalls)
    print(f"{'':28}{'GUI stall':>12}{what:>10}")
    each = ", ".join(f"{s:.1f}" for s in stalls)
    print(f"{background:28}{stall:>9.1f} ms{statistics.median(seconds):>8.2f} s"
          f"   median of {len(stalls)}: {each} ms{note}")  # fmt: skip
    print(f"{'on the GUI thread (naive)':28}{naive[0]:>9.1f} ms{naive[1]:>8.2f} s   one run")
    print(f"target: GUI stall < {target_ms:.0f} ms: {'PASS' if stall < target_ms else 'FAIL'}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from PySide6 import QtCore, QtWidgets

    from saddlelab.app import style

    style.before_application()
    app = QtWidgets.QApplication(sys.argv[:1])
    style.apply(app)
    from saddlelab.app.window import MainWindow
    from saddlelab.export.movie import write_contour_movie
    from saddlelab.export.options import ExportOptions

    state = five_runs()
    window = MainWindow(state.surface.surface, 200, state=state)
    window.resize(1280, 800)
    window.show()
    for _ in range(50):
        app.processEvents()
        time.sleep(0.02)
    options = ExportOptions(view="contour", fps=30, duration=10.0, size_px=(1280, 720))
    folder = Path(tempfile.mkdtemp(prefix="bench-export-gui-"))
    gaps = Gaps(QtCore)
    stalls, seconds, when = [], [], []
    for k in range(args.runs):
        gaps.start()
        t0 = time.perf_counter()
        job = window.file_menu.exports.animation_job(options, folder / f"bg{k}.mp4")
        while job.outcome is None:
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 5)
        seconds.append(time.perf_counter() - t0)
        stalls.append(gaps.stop())
        when.append(gaps.at)
        assert job.outcome == "done", job.message
    gaps.start()
    app.processEvents()
    t0 = time.perf_counter()
    write_contour_movie(state, folder / "naive.mp4", options)  # the GUI thread, blocked
    naive_seconds = time.perf_counter() - t0
    app.processEvents()
    naive_stall = gaps.stop()
    print("10 s, 30 fps, 1280 x 720 MP4 of 5 runs (contour view), GUI stall = longest gap "
          "between 1 ms timer ticks")  # fmt: skip
    print_stalls("export", "background (the window)", stalls, seconds, (naive_stall, naive_seconds),
                 TARGET_MS, f", ending at {', '.join(f'{t:.2f}' for t in when)} s")  # fmt: skip
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
