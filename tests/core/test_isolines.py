"""Marching squares for the views' iso-lines (all levels in one vectorised pass)."""

from __future__ import annotations

import numpy as np

from saddlelab.core.isolines import segments


def _grid(f, n: int = 21):
    xs = np.linspace(-1.0, 1.0, n)
    ys = np.linspace(-1.0, 1.5, n + 3)
    x, y = np.meshgrid(xs, ys, indexing="ij")
    return xs, ys, f(x, y)


def test_a_linear_function_gives_exact_straight_iso_lines_grouped_by_level() -> None:
    xs, ys, values = _grid(lambda x, y: x + 2 * y)
    levels = [-1.3, 0.1, 2.2]
    seg = segments(xs, ys, values, levels)
    assert len(seg) % 2 == 0 and len(seg) > 0
    # Linear interpolation of a linear function is exact: every endpoint lies on its level.
    assert np.allclose(seg[:, 0] + 2 * seg[:, 1], seg[:, 2], atol=1e-12)
    # Both ends of a segment carry the same level, and levels come in the order given.
    pairs = seg.reshape(-1, 2, 3)
    assert np.array_equal(pairs[:, 0, 2], pairs[:, 1, 2])
    order = [levels.index(v) for v in pairs[:, 0, 2]]
    assert order == sorted(order) and set(order) == {0, 1, 2}


def test_a_level_outside_the_values_and_nan_cells_give_no_segments() -> None:
    xs, ys, values = _grid(lambda x, y: x**2 + y**2)
    assert segments(xs, ys, values, [50.0]).shape == (0, 3)
    assert segments(xs, ys, values, []).shape == (0, 3)
    values[:, :] = np.nan
    assert segments(xs, ys, values, [0.5]).shape == (0, 3)


def test_a_saddle_cell_gives_two_segments() -> None:
    xs = ys = np.array([0.0, 1.0])
    values = np.array([[1.0, -1.0], [-1.0, 1.0]])  # corners alternate around the level 0
    seg = segments(xs, ys, values, [0.0]).reshape(-1, 2, 3)
    assert len(seg) == 2
    assert np.all(seg[:, :, 2] == 0.0)
