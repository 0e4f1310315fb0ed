"""Swarms: seeded starts in the domain, rows equal to single runs, outcomes, the dwell map."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core import catalogue
from saddlelab.core.basins import label_outcomes, status_label
from saddlelab.core.critical import find_critical_points
from saddlelab.core.optim import Run, RunConfig
from saddlelab.core.optim.config import STATUS_BY_CODE
from saddlelab.core.swarm import (
    MAX_PARTICLES,
    Swarm,
    SwarmError,
    describe_starts,
    grid_side,
    swarm_starts,
)


def _inside(surface, points):
    lo = np.array([a for a, _ in surface.domain])
    hi = np.array([b for _, b in surface.domain])
    return np.all((points >= lo) & (points <= hi))


@pytest.mark.parametrize("name", ["himmelblau", "slice-trap"])
@pytest.mark.parametrize("distribution", ["grid", "uniform", "gaussian"])
def test_starts_are_seeded_and_in_the_domain(name, distribution):
    s = catalogue.load(name)
    a = swarm_starts(s, distribution, 500, seed=3, sigma=2.0)
    b = swarm_starts(s, distribution, 500, seed=3, sigma=2.0)
    assert a.shape[1] == s.ndim and np.array_equal(a, b)
    assert _inside(s, a)
    if distribution == "grid":
        side = grid_side(500, s.ndim)
        assert len(a) == side**s.ndim
        assert len(np.unique(a[:, 0])) == side and len(np.unique(a[:, 1])) == side
    else:
        assert len(a) == 500
        c = swarm_starts(s, distribution, 500, seed=4, sigma=2.0)
        assert not np.array_equal(a, c)
        assert len(np.unique(a, axis=0)) == 500


def test_gaussian_cloud_sits_around_its_centre():
    s = catalogue.load("himmelblau")
    a = swarm_starts(s, "gaussian", 20_000, centre=(1.0, -2.0), sigma=0.5, seed=1)
    assert np.allclose(a.mean(axis=0), (1.0, -2.0), atol=0.02)
    assert np.allclose(a.std(axis=0), 0.5, rtol=0.03)
    wide = swarm_starts(s, "gaussian", 2000, centre=(4.9, 4.9), sigma=3.0, seed=1)
    assert _inside(s, wide)  # resampled, then clipped onto the domain


def test_grid_count_is_the_nearest_square_or_cube_and_said():
    assert grid_side(10_000, 2) == 100
    assert grid_side(100, 3) == 5 and grid_side(MAX_PARTICLES, 3) ** 3 <= MAX_PARTICLES
    assert describe_starts("grid", 10_001, 2) == "grid 100 x 100 = 10,000 particles"
    assert describe_starts("grid", 1000, 3) == "grid 10 x 10 x 10 = 1,000 particles"


@pytest.mark.parametrize(
    "count, kwargs",
    [(99, {}), (100_001, {}), ("many", {}), (2.5, {}), (500, {"sigma": -1.0}),
     (500, {"sigma": float("nan")}), (500, {"centre": (0.0,)}), (500, {"centre": (99.0, 0.0)}),
     (500, {"centre": (float("inf"), 0.0)}), (500, {"seed": -1})],
)  # fmt: skip
def test_bad_settings_give_one_line(count, kwargs):
    s = catalogue.load("himmelblau")
    with pytest.raises(SwarmError) as info:
        swarm_starts(s, "gaussian", count, **kwargs)
    assert "\n" not in str(info.value) and str(info.value)


def _config(optimizer, params, start):
    return RunConfig.make(optimizer, start, params)


CASES = [
    ("himmelblau", "sgd", {"lr": 0.01, "momentum": 0.9}),
    ("himmelblau", "adam", {"lr": 0.05}),
    ("slice-trap", "sgd", {"lr": 0.05, "momentum": 0.5}),
    ("slice-trap", "adam", {"lr": 0.05}),
]


@pytest.mark.parametrize("name, optimizer, params", CASES)
def test_swarm_rows_equal_single_runs(name, optimizer, params):
    s = catalogue.load(name)
    starts = swarm_starts(s, "uniform", 1500, seed=7)  # >= 1024 rows: the batch kernel
    config = _config(optimizer, params, starts[0])
    swarm = Swarm(s, config, starts)
    for k in (1, 9, 40):
        swarm.step(k)
        for i in (0, 17, 777, 1499):
            run = Run(s, config.with_changes(start=tuple(starts[i])))
            run.advance(swarm.step_count)
            assert np.array_equal(run.point, swarm.points[i]), (k, i)


@pytest.mark.parametrize("name, optimizer, params", CASES[:2] + CASES[3:])
def test_outcomes_equal_single_runs(name, optimizer, params):
    s = catalogue.load(name)
    starts = swarm_starts(s, "uniform", 200, seed=2)
    config = _config(optimizer, params, starts[0]).with_changes(max_steps=600)
    swarm = Swarm(s, config, starts)
    swarm.step(600)
    critical = find_critical_points(s)
    out = swarm.outcomes(critical)
    for i in range(0, 200, 13):
        run = Run(s, config.with_changes(start=tuple(starts[i])))
        run.advance(600)
        label = status_label(run.status)
        if label is None:
            code = np.array([STATUS_BY_CODE.index(run.status)])
            one, attractors = label_outcomes(s, run.point[None], code, critical)
            assert np.array_equal(out.attractors[out.label[i]].point, attractors[one[0]].point)
        else:
            assert out.label[i] == label
        assert out.moving[i] == (not run.done)
    assert sum(out.counts().values()) == 200


@pytest.mark.parametrize("name", ["himmelblau", "slice-trap"])
def test_dwell_map_is_the_histogram_of_the_runs_positions(name):
    s = catalogue.load(name)
    starts = swarm_starts(s, "gaussian", 120, seed=5)
    config = _config("sgd", {"lr": 0.02}, starts[0]).with_changes(max_steps=150)
    swarm = Swarm(s, config, starts, bins=32)
    swarm.step(200)  # some particles finish before: their later steps are not counted
    rows = []
    for start in starts:
        run = Run(s, config.with_changes(start=tuple(start)))
        run.advance(200)
        rows.append(run.trajectory.points[1:, :2])  # after every update, not the start
    xy = np.concatenate(rows)
    expected, _, _ = np.histogram2d(xy[:, 0], xy[:, 1], (swarm.xedges, swarm.yedges))
    assert swarm.dwell.sum() > 0
    assert np.array_equal(swarm.dwell, expected.astype(np.int64))


def test_reset_puts_every_particle_back_and_clears_the_dwell_map():
    s = catalogue.load("himmelblau")
    starts = swarm_starts(s, "uniform", 300, seed=1)
    swarm = Swarm(s, _config("adam", {"lr": 0.1}, starts[0]), starts)
    swarm.step(30)
    first = swarm.points
    assert not np.array_equal(first, starts) and swarm.dwell.sum() > 0
    swarm.reset()
    assert np.array_equal(swarm.points, starts) and swarm.dwell.sum() == 0
    assert swarm.step_count == 0
    swarm.step(30)
    assert np.array_equal(swarm.points, first)
