"""``saddlelab render`` end to end, as a script or CI calls it: median wall time of several runs.

    python benchmarks/bench_render_cli.py

Each timing is a fresh ``python -m saddlelab render`` process (imports, the runs computed,
the file written), so it includes what the exporters' own benchmarks leave out. Five runs of
2,000 steps on Rosenbrock. Not a test: timing is never asserted in the test suite.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = ["adam lr=0.01", "sgd lr=0.001 momentum=0.9", "rmsprop lr=0.003",
        "adagrad lr=0.1", "adamw lr=0.02 start=1,-0.5"]  # fmt: skip
CASES = [
    ("7-inch PDF contour figure, 5 runs", "fig.pdf", ["--size", "7x4.6in"], 3),
    ("PNG contour figure, 5 runs, 1400 x 920", "fig.png", [], 3),
    ("10 s 30 fps 1280 x 720 MP4, 5 runs", "movie.mp4",
     ["--size", "1280x720", "--fps", "30", "--duration", "10"], 1),
]  # fmt: skip


def main() -> None:
    base = [sys.executable, "-m", "saddlelab", "render", "rosenbrock", "--steps", "2000",
            "--start", "-1.2,1"]  # fmt: skip
    for run in RUNS:
        base += ["--run", run]
    with tempfile.TemporaryDirectory() as folder:
        for label, name, extra, repeats in CASES:
            times = []
            for _ in range(repeats):
                began = time.perf_counter()
                subprocess.run([*base, "--out", str(Path(folder) / name), *extra], check=True,
                               capture_output=True)  # fmt: skip
                times.append(time.perf_counter() - began)
            print(f"{label}: median {statistics.median(times):.2f} s of {repeats}")


if __name__ == "__main__":
    main()
