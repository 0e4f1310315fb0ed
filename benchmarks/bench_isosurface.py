"""Isosurfaces of 3-parameter losses (issue 12): median of several runs, target, PASS/FAIL.

    python benchmarks/bench_isosurface.py

A 64^3 grid with the compiled, vectorised loss + scikit-image marching cubes for 3 levels (and
the Newton refinement onto the level), on every 3-parameter surface of the catalogue. Peer, in
the same run: the same grid evaluated point by point in Python (one loss call per point), then
the same meshing. Not a test: timing is never asserted in the test suite.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

from saddlelab.core import catalogue
from saddlelab.core.isosurface import LossGrid, default_levels, isosurfaces, loss_grid, mesh_level

N = 64
TARGET_S = 0.300
RUNS = 7


def median_time(fn: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pointwise_grid(surface, n: int) -> LossGrid:
    axes = tuple(np.linspace(lo, hi, n) for lo, hi in surface.domain)
    values = np.empty((n, n, n))
    for i, x in enumerate(axes[0]):
        for j, y in enumerate(axes[1]):
            for k, z in enumerate(axes[2]):
                values[i, j, k] = surface.loss(x, y, z)
    return LossGrid(axes, values)  # type: ignore[arg-type]


def main() -> int:
    ok = True
    ids = [i for i in catalogue.ids() if catalogue.load(i).ndim == 3]
    for surface_id in ids:
        s = catalogue.load(surface_id)
        levels = default_levels(loss_grid(s, N).values)[:3]
        isosurfaces(s, levels, n=N)  # warm: skimage import, compiled loss
        total = median_time(lambda s=s, levels=levels: isosurfaces(s, levels, n=N))
        grid_only = median_time(lambda s=s: loss_grid(s, N))
        grid = loss_grid(s, N)
        raw = median_time(lambda grid=grid, levels=levels: [mesh_level(grid, v) for v in levels])
        faces = sum(len(m.faces) for m in isosurfaces(s, levels, n=N))
        start = time.perf_counter()
        slow = pointwise_grid(s, N)
        [mesh_level(slow, v, s) for v in levels]
        peer = time.perf_counter() - start
        assert np.array_equal(np.isnan(slow.values), np.isnan(grid.values))
        assert np.allclose(slow.values, grid.values, equal_nan=True)
        passed = total < TARGET_S
        ok &= passed
        print(
            f"{surface_id:<12} 64^3, 3 levels ({faces} faces): {total * 1e3:7.1f} ms "
            f"(grid {grid_only * 1e3:.1f}, marching cubes {raw * 1e3:.1f}, rest refinement)   "
            f"target < {TARGET_S * 1e3:.0f} ms {'PASS' if passed else 'FAIL'}   "
            f"peer point-by-point grid + same meshing: {peer * 1e3:7.0f} ms "
            f"({peer / total:.0f}x slower)"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
