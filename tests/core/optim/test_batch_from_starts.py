"""Batch.from_starts: one validated configuration, N starts, set up as arrays; every row is the
row ``Batch(surface, [config.at_start(s) for s in starts])`` makes, and the single run."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core.basins import cell_config
from saddlelab.core.optim import Batch, Run, RunConfig, engine, parse_schedule
from saddlelab.core.optim.specs import OptimizerError

ARRAYS = "P G L GN S T FL ST CKL CKT RF RI".split()

CASES = [
    ("sgd", {"lr": 0.01, "momentum": 0.9, "nesterov": True}, {}),
    ("adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5}, {"max_steps": 70}),
    ("rmsprop", {"lr": 1e-3, "centered": True}, {"schedule": parse_schedule("cosine:T_max=30")}),
    ("adam", {"lr": 1e-2, "amsgrad": True}, {"grad_noise": 0.05, "seed": 3, "clip_norm": 2.0}),
    ("newton", {"lr": 0.5}, {"early_stop": False}),
]


def assert_same_arrays(a: Batch, b: Batch) -> None:
    for name in ARRAYS:
        x, y = getattr(a._engine, name), getattr(b._engine, name)
        assert x.dtype == y.dtype and x.shape == y.shape, name
        np.testing.assert_array_equal(x, y, err_msg=name)


@pytest.mark.parametrize(("name", "params", "options"), CASES)
def test_from_starts_equals_the_batch_of_configs(rosenbrock, name, params, options):
    rng = np.random.default_rng(7)
    starts = rng.uniform([-2, -1], [2, 3], size=(40, 2))
    starts[3] = (1.0, 1.0)  # at the minimum: converged at the start
    starts[4] = (500.0, 0.0)  # far outside the domain: diverged at the start
    config = RunConfig.make(name, starts[0], params, **options)
    fast = Batch.from_starts(rosenbrock, config, starts)
    slow = Batch(rosenbrock, [cell_config(config, s) for s in starts])
    assert len(fast) == len(slow) == 40
    assert_same_arrays(fast, slow)
    assert list(fast.configs) == list(slow.configs)
    assert fast.configs[-1] == config.with_changes(start=tuple(starts[-1]))
    for _ in range(3):
        fast.step(40)
        slow.step(40)
        assert_same_arrays(fast, slow)
    assert fast.statuses == slow.statuses
    for i in (0, 3, 4, 17):
        run = Run(rosenbrock, fast.configs[i])
        run.step(120)
        row = fast.run_row(i)
        np.testing.assert_array_equal(row.point, run.point)
        assert (row.steps, row.status, row.loss, row.grad_norm) == (
            run.steps, run.status, run.loss, run.grad_norm,
        )  # fmt: skip


def test_from_starts_large_batch_in_the_kernel(rosenbrock):
    """A batch big enough for the per-surface kernel: same arrays as the batch of configs."""
    n = engine.BATCH_KERNEL_MIN_ROWS + 3
    starts = np.random.default_rng(1).uniform([-2, -1], [2, 3], size=(n, 2))
    config = RunConfig.make("sgd", starts[0], {"lr": 1e-3, "momentum": 0.5}, max_steps=150)
    fast = Batch.from_starts(rosenbrock, config, starts)
    slow = Batch(rosenbrock, [cell_config(config, s) for s in starts])
    assert_same_arrays(fast, slow)
    fast.step(200)
    slow.step(200)
    assert_same_arrays(fast, slow)


def test_from_starts_rows_change_and_reset_like_the_batch(rosenbrock):
    starts = np.array([[-1.2, 1.0], [0.5, 0.5], [2.0, -0.5]])
    config = RunConfig.make("rmsprop", starts[0], {"lr": 1e-3})
    fast = Batch.from_starts(rosenbrock, config, starts)
    slow = Batch(rosenbrock, [cell_config(config, s) for s in starts])
    for batch in (fast, slow):
        batch.step(30)
        batch.set_params(lr=5e-3, momentum=0.3)
        batch.step(30)
    assert_same_arrays(fast, slow)
    assert fast.configs[1].params["momentum"] == 0.3
    assert fast.configs[1].start == (0.5, 0.5)
    fast.reset()
    slow.reset()
    assert_same_arrays(fast, slow)


def test_from_starts_keeps_its_own_copy_of_the_starts(rosenbrock):
    starts = np.array([[-1.2, 1.0], [0.5, 0.5]])
    batch = Batch.from_starts(rosenbrock, RunConfig.make("adam", (0, 0)), starts)
    starts[:] = 9.0
    assert batch.configs[0].start == (-1.2, 1.0)
    np.testing.assert_array_equal(batch.points, [[-1.2, 1.0], [0.5, 0.5]])


@pytest.mark.parametrize(
    "starts",
    [
        np.zeros((0, 2)),
        np.zeros((3, 3)),
        np.zeros(3),
        np.array([[0.0, np.nan]]),
        np.array([[np.inf, 0.0]]),
    ],  # fmt: skip
)
def test_from_starts_refuses_bad_starts(rosenbrock, starts):
    with pytest.raises(OptimizerError):
        Batch.from_starts(rosenbrock, RunConfig.make("adam", (0, 0)), starts)
