"""Core engine performance figures (issue 2): median of several runs, target, PASS/FAIL.

    python benchmarks/bench_core.py

Not a test: timing is never asserted in the test suite. Peers: a hand-written numpy
Rosenbrock for grid evaluation.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np
import sympy.core.cache

from saddlelab.core import catalogue
from saddlelab.core.critical import find_critical_points
from saddlelab.core.surface import Surface

TYPED = [
    ("(1 - w1*w2)^2", ["w1", "w2"]),
    ("sin(x)*cos(y) + 0.1*(x**2 + y**2)", ["x", "y"]),
    ("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", ["x", "y"]),
    ("log(1 + exp(-(2*w + b))) + (w^2 + b^2)/10", ["w", "b"]),
    ("x^2 + y^2 - z^2 + z^4", ["x", "y", "z"]),
]


def median_time(
    fn: Callable[[], object], runs: int, before: Callable[[], None] | None = None
) -> float:
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def line(label: str, seconds: float, target: float, peer: str = "") -> bool:
    ok = seconds < target
    extra = f"   {peer}" if peer else ""
    print(
        f"{label:<48} {seconds * 1e3:9.1f} ms   target < {target * 1e3:6.0f} ms   "
        f"{'PASS' if ok else 'FAIL'}{extra}"
    )
    return ok


def main() -> int:
    results = []
    print("typed expression -> compiled surface (parse, differentiate, compile), median of 7")
    for text, variables in TYPED:
        t = median_time(
            lambda text=text, variables=variables: Surface.from_expression(text, variables),
            7,
            before=sympy.core.cache.clear_cache,
        )
        results.append(line(f"  {text[:44]}", t, 0.150))

    print("\nloss on a 500 x 500 grid, median of 25")
    rosen = catalogue.load("rosenbrock")
    X, Y = np.meshgrid(np.linspace(-2, 2, 500), np.linspace(-1, 3, 500), indexing="ij")

    def numpy_rosenbrock() -> np.ndarray:
        return (1.0 - X) ** 2 + 100.0 * (Y - X**2) ** 2

    peer = median_time(numpy_rosenbrock, 25)
    t = median_time(lambda: rosen.loss(X, Y), 25)
    results.append(
        line(
            "  rosenbrock (saddlelab Surface.loss)",
            t,
            0.020,
            f"peer: hand-written numpy {peer * 1e3:.1f} ms",
        )
    )
    for sid in ("goldstein-price", "rastrigin", "sigmoid-ce"):
        s = catalogue.load(sid)
        (x0, x1), (y0, y1) = s.domain
        GX, GY = np.meshgrid(np.linspace(x0, x1, 500), np.linspace(y0, y1, 500), indexing="ij")
        t = median_time(lambda s=s, GX=GX, GY=GY: s.loss(GX, GY), 25)
        print(f"  {sid:<46} {t * 1e3:9.1f} ms   (info)")

    print("\ncritical points, median of 3")
    for sid in catalogue.ids():
        s = catalogue.load(sid)
        t = median_time(lambda s=s: find_critical_points(s), 3)
        n = len(find_critical_points(s))
        results.append(line(f"  {sid} ({s.ndim}-D, {n} points)", t, 1.0 if s.ndim == 2 else 3.0))

    print("\n`saddlelab analyze` as a whole process, median of 5")
    cmd = [sys.executable, "-m", "saddlelab", "analyze", "w1w2-mse", "--at", "0,0"]
    t = median_time(lambda: subprocess.run(cmd, check=True, capture_output=True), 5)
    results.append(line("  python -m saddlelab analyze w1w2-mse --at 0,0", t, 1.0))
    t = median_time(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), 5)
    print(f"  {'(bare python start-up, for reference)':<46} {t * 1e3:9.1f} ms")

    print(f"\n{sum(results)}/{len(results)} PASS")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
