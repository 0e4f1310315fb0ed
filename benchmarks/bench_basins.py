"""Basins of attraction figures (issue 12), side by side with a plain numpy loop in one run.

Run: PYTHONPATH=. python benchmarks/bench_basins.py [--repeats 5]
SGD (torch default lr=0.001) on Himmelblau, 200 x 200 starts, at most 2,000 steps:
- ``compute_basins``: the batch engine (compiled; the numba cache warmed first), set-up,
  stepping and labelling included; with early stop (every cell is the run ``saddlelab run``
  makes, so rows stop where they converge) and with ``early_stop=False`` (all 2,000 steps).
  Side by side with the peer it gets the critical points precomputed, as the peer does (and as
  the window passes the ones it has); the figure with the critical-point search included is
  printed too;
- the peer: a straightforward vectorised numpy loop, the gradient evaluated on all 40,000
  points per step, 2,000 steps, then each final point matched to the nearest minimum;
- a breakdown of one early-stop computation by stage (same calls as compute_basins makes).
Targets: < 3 s, and >= 10x faster than the peer. Medians of several repetitions, interleaved.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from saddlelab.core import catalogue
from saddlelab.core.basins import compute_basins, grid_starts, label_outcomes
from saddlelab.core.critical import find_critical_points
from saddlelab.core.optim import Batch, RunConfig
from saddlelab.core.optim.engine import batch_threads

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


def breakdown(surface, params) -> dict[str, float]:
    """Seconds per stage of an early-stop computation (the calls compute_basins makes)."""
    out = {}
    t, critical = timed(lambda: find_critical_points(surface))
    out["critical-point search"] = t
    _, _, starts = grid_starts(surface, N)
    config = RunConfig.make("sgd", starts[0], params, max_steps=STEPS)
    t, batch = timed(lambda: Batch.from_starts(surface, config, starts))
    out["set-up (Batch.from_starts)"] = t
    t, _ = timed(lambda: batch.step(STEPS))
    out["stepping (one call)"] = t
    codes, points = batch.status_codes, batch.points
    t, _ = timed(lambda: label_outcomes(surface, points, codes, critical))
    out["labelling"] = t
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    surface = catalogue.load("himmelblau")
    _, _, P = grid_starts(surface, 3)
    assert np.allclose(himmelblau_gradient(P), [surface.gradient(p) for p in P])
    critical = find_critical_points(surface)
    params = {"lr": LR}
    compute_basins(surface, "sgd", params, grid=40, steps=2)  # load the batch kernel
    ours, searched, exact, peer, stages = [], [], [], [], []
    for _ in range(repeats):  # interleaved
        t, basins = timed(lambda: compute_basins(surface, "sgd", params, grid=N, steps=STEPS,
                                                 critical=critical))  # fmt: skip
        ours.append(t)
        t, _ = timed(lambda: compute_basins(surface, "sgd", params, grid=N, steps=STEPS))
        searched.append(t)
        t, full = timed(lambda: compute_basins(surface, "sgd", params, grid=N, steps=STEPS,
                                               critical=critical, early_stop=False))  # fmt: skip
        exact.append(t)
        t, labels = timed(lambda: numpy_peer(surface, critical))
        peer.append(t)
        stages.append(breakdown(surface, params))
    same = np.mean(basins.label == labels)
    m_ours, m_search, m_exact, m_peer = (statistics.median(v)
                                         for v in (ours, searched, exact, peer))  # fmt: skip
    print(f"basins, sgd lr={LR}, himmelblau, {N} x {N} starts, {STEPS} steps, "
          f"median of {repeats}, {batch_threads()} threads:")  # fmt: skip
    rows = [
        ("compute_basins, early stop (= saddlelab run)", m_ours, True),
        ("  the same with the critical-point search", m_search, True),
        ("compute_basins, early_stop=False (all steps)", m_exact, True),
        ("numpy loop (gradient on all points per step)", m_peer, False),
    ]
    for name, m, target in rows:
        verdict = f"{'PASS' if m < 3 else 'FAIL'} < 3 s" if target else ""
        print(f"  {name:46s} {m:7.3f} s   {verdict}")
    for name, m in (("early stop", m_ours), ("early stop + search", m_search),
                    ("all steps", m_exact)):  # fmt: skip
        ratio = m_peer / m
        print(f"  speed-up ({name}): {ratio:5.1f}x   {'PASS' if ratio >= 10 else 'FAIL'} >= 10x")
    print(f"  labels agree with the numpy loop's: {same:.2%} of cells; "
          f"converged with early stop: {np.mean(basins.label >= 0):.2%}; "
          f"row updates with early stop: {int(np.sum(basins.steps_to_converge)):,}")  # fmt: skip
    print("  breakdown of one early-stop computation (median seconds):")
    for name in stages[0]:
        print(f"    {name:30s} {statistics.median(s[name] for s in stages):7.3f}")


if __name__ == "__main__":
    main()
