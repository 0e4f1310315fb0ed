"""Basins of attraction: every cell's label is the outcome of the single run from its start."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core import catalogue
from saddlelab.core.basins import (
    DIVERGED,
    NOT_CONVERGED,
    BasinsCancelled,
    compute_basins,
    status_label,
)
from saddlelab.core.optim import Run, RunConfig, RunStatus

REACH = {"himmelblau": 1e-2, "w1w2-mse": 0.5}
"""How far a converged run may end from its attractor: w1w2-mse's minima form the curve
w1*w2 = 1, listed as points 1/12 of the domain diagonal (5.7) apart."""


def _single_label(basins, surface, k: int):
    """The label the single run from cell k's start earns, and the run."""
    run = Run(surface, basins.configs[k], pure=True, keep_trajectory=False)
    run.advance(basins.steps)
    fixed = status_label(run.status)
    if fixed is not None:
        return fixed, run
    d = [np.linalg.norm(a.point - run.point) for a in basins.attractors]
    return int(np.argmin(d)), run


@pytest.mark.parametrize(
    ("surface_id", "optimizer", "params", "steps"),
    [
        ("himmelblau", "sgd", {"lr": "0.01"}, 300),
        ("himmelblau", "adam", {"lr": "0.05"}, 200),
        ("himmelblau", "sgd", {"lr": "0.025"}, 300),  # some diverge
        ("w1w2-mse", "sgd", {"lr": "0.1"}, 400),
        ("himmelblau", "sgd", {"lr": "0.015"}, 300),  # converged and oscillating
        ("w1w2-mse", "sgd", {"lr": "0.1"}, 5),  # most not converged within K
    ],
)
def test_labels_equal_single_runs(surface_id, optimizer, params, steps):
    surface = catalogue.load(surface_id)
    n = 15
    basins = compute_basins(surface, optimizer, params, grid=n, steps=steps)
    assert basins.label.shape == basins.steps_to_converge.shape == (n, n)
    rng = np.random.default_rng(1)
    cells = [(0, 0), (n - 1, n - 1), (n // 2, n // 2)] + [
        tuple(c) for c in rng.integers(0, n, (12, 2))
    ]
    for j, i in cells:
        k = j * n + i
        start = (basins.xs[i], basins.ys[j])
        assert basins.configs[k] == RunConfig.make(optimizer, start, params, max_steps=steps)
        expected, run = _single_label(basins, surface, k)
        assert basins.label[j, i] == expected, (j, i, run.status)
        converged = run.status is RunStatus.CONVERGED
        assert basins.steps_to_converge[j, i] == (run.steps if converged else -1)
        if converged:
            a = basins.attractors[expected]
            assert np.linalg.norm(a.point - run.point) < REACH[surface_id]


def test_outcomes_cover_all_kinds():
    surface = catalogue.load("himmelblau")
    labels = compute_basins(surface, "sgd", {"lr": "0.025"}, grid=15, steps=300).label
    assert (labels == DIVERGED).any()
    labels = compute_basins(surface, "sgd", {"lr": "0.015"}, grid=15, steps=300).label
    assert (labels == NOT_CONVERGED).any() and (labels >= 0).any()
    labels = compute_basins(surface, "sgd", {"lr": "0.001"}, grid=9, steps=3).label
    assert (labels == NOT_CONVERGED).all()


def test_himmelblau_four_minima_each_own_basin():
    surface = catalogue.load("himmelblau")
    basins = compute_basins(surface, "sgd", {"lr": "0.005"}, grid=20, steps=2000)
    minima = [a for a in basins.attractors if a.classification == "local_min"]
    assert len(minima) == 4
    # the corner nearest each minimum ends there
    for a in minima:
        i = int(np.argmin(abs(basins.xs - a.point[0])))
        j = int(np.argmin(abs(basins.ys - a.point[1])))
        assert basins.attractors[basins.label[j, i]] is a


def test_cancel_and_progress():
    surface = catalogue.load("himmelblau")
    calls = []

    def progress(done, total):
        calls.append((done, total))
        return done < 200

    with pytest.raises(BasinsCancelled):
        compute_basins(surface, "sgd", {"lr": "0.0001"}, grid=5, steps=1000, progress=progress)
    # chunks grow with the time they take: the call that cancels is the first at >= 200
    assert calls[-1][0] >= 200 > calls[-2][0] and all(t == 1000 for _, t in calls)
    seen = []
    compute_basins(surface, "sgd", {"lr": "0.0001"}, grid=5, steps=250,
                   progress=lambda d, t: seen.append(d) is None)  # fmt: skip
    assert seen[0] == 0 and seen[-1] == 250 and seen == sorted(seen)


def test_a_curve_of_minima_is_a_few_attractors_not_one_per_run():
    """w1w2-mse's minima w1*w2 = 1 are listed as a few representatives; the runs ending on the
    curve go to the nearest one instead of each becoming an attractor of its own."""
    surface = catalogue.load("w1w2-mse")
    basins = compute_basins(surface, "sgd", {"lr": "0.1"}, grid=40, steps=1000)
    assert (basins.label >= 0).all()
    assert len(basins.attractors) <= 12
    assert {a.classification for a in basins.attractors} >= {"saddle"}
