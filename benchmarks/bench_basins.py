"""Basins of attraction figures (issue 12), side by side with a plain numpy loop in one run.

Run: PYTHONPATH=. python benchmarks/bench_basins.py [--repeats 5]
SGD (torch default lr=0.001) on Himmelblau, 200 x 200 starts, at most 2,000 steps:
- ``compute_basins``: the batch engine (compiled; the numba cache warmed first), critical
  points and labelling included; with early stop (every cell is the run ``saddlelab run``
  makes, so rows stop where they converge) and with ``early_stop=False`` (all 2,000 steps);
- the peer: a straightforward vectorised numpy loop, the gradient evaluated on all 40,000
  points per step, 2,000 steps, then each final point matched to the nearest minimum.
Targets: < 3 s, and >= 10x faster than the peer. Medians of several repetitions.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from saddlelab.core import catalogue
from saddlelab.core.basins import compute_basins, grid_starts
from saddlelab.core.critical import find_critical_points

N, STEPS, LR = 200, 2000, 0.001


def himmelblau_gradient(P: np.ndarray) -> np.ndarray:
    x, y = P[:, 0], P[:, 1]
    a = x * x + y - 11
    b = x + y * y - 7
    return np.column_stack((4 * x * a + 2 * b, 2 * a + 4 * y * b))


def numpy_peer(surface, critical) -> np.ndarray:
    _, _, P = grid_starts(surface, N)
    for _ in range(STEPS):
        P = P - LR * himmelblau_gradient(P)
    minima = np.array([c.point for c in critical])
    d = np.linalg.norm(P[:, None, :] - minima[None], axis=2)
    return np.argmin(d, axis=1).reshape(N, N)


def timed(fn) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    surface = catalogue.load("himmelblau")
    _, _, P = grid_starts(surface, 3)
    assert np.allclose(himmelblau_gradient(P), [surface.gradient(p) for p in P])
    critical = find_critical_points(surface)
    params = {"lr": LR}
    compute_basins(surface, "sgd", params, grid=2, steps=2)  # warm the compiled kernel
    ours, exact, peer = [], [], []
    for _ in range(repeats):  # interleaved
        t, basins = timed(lambda: compute_basins(surface, "sgd", params, grid=N, steps=STEPS))
        ours.append(t)
        t, full = timed(lambda: compute_basins(surface, "sgd", params, grid=N, steps=STEPS,
                                               early_stop=False))  # fmt: skip
        exact.append(t)
        t, labels = timed(lambda: numpy_peer(surface, critical))
        peer.append(t)
    same = np.mean(basins.label == labels)
    m_ours, m_exact, m_peer = (statistics.median(v) for v in (ours, exact, peer))
    print(f"basins, sgd lr={LR}, himmelblau, {N} x {N} starts, {STEPS} steps, "
          f"median of {repeats}:")  # fmt: skip
    print(f"  compute_basins (early stop, = saddlelab run)  {m_ours:7.3f} s   "
          f"{'PASS' if m_ours < 3 else 'FAIL'} < 3 s")  # fmt: skip
    print(f"  compute_basins (early_stop=False, all steps)  {m_exact:7.3f} s   "
          f"{'PASS' if m_exact < 3 else 'FAIL'} < 3 s")  # fmt: skip
    print(f"  numpy loop (gradient on all points per step)  {m_peer:7.3f} s")
    for name, m in (("early stop", m_ours), ("all steps", m_exact)):
        ratio = m_peer / m
        print(f"  speed-up ({name}): {ratio:5.1f}x   {'PASS' if ratio >= 10 else 'FAIL'} >= 10x")
    print(f"  labels agree with the numpy loop's: {same:.2%} of cells; "
          f"converged with early stop: {np.mean(basins.label >= 0):.2%}")  # fmt: skip


if __name__ == "__main__":
    main()
