"""A run whose caller stores the rows (the window's worker) keeps no second trajectory."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core import catalogue
from saddlelab.core.optim import OptimizerError, Run, RunConfig


def test_a_run_that_keeps_no_trajectory_steps_the_same_and_stores_nothing():
    surface = catalogue.load("rosenbrock")
    config = RunConfig(optimizer="adam", params={"lr": 0.01}, start=(-1.2, 1.0))
    kept, bare = Run(surface, config), Run(surface, config, keep_trajectory=False)
    for n in (1, 7, 300):
        a, b = kept.step(n), bare.step(n)
        assert np.array_equal(a.points, b.points) and np.array_equal(a.loss, b.loss)
    moved_a, moved_b = kept.move_to((0.5, 0.5)), bare.move_to((0.5, 0.5))
    assert np.array_equal(moved_a.points, moved_b.points)
    assert len(kept.trajectory) == 309 + 1 and bare.events == ()
    with pytest.raises(OptimizerError, match="keeps no trajectory"):
        bare.trajectory  # noqa: B018
