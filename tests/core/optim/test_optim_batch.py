"""The per-surface batch kernel: bit-identical to single runs in every situation a batch meets
(statuses, per-row hyper-parameters, 3 variables, mid-run changes, chunked scalar tables)."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core.optim import Batch, Run, RunConfig, RunStatus, engine, parse_schedule
from saddlelab.core.surface import Surface


@pytest.fixture
def kernel(monkeypatch):
    """Force the batch kernel for small batches, rows split across two threads."""
    monkeypatch.setattr(engine, "BATCH_KERNEL_MIN_ROWS", 1)
    monkeypatch.setattr(engine, "ROWS_PER_THREAD", 2)


def assert_rows_equal_runs(batch: Batch, runs: list[Run]) -> None:
    for i, run in enumerate(runs):
        row = batch.run_row(i)
        np.testing.assert_array_equal(row.point, run.point)
        assert (row.steps, row.status, row.loss, row.grad_norm) == (
            run.steps, run.status, run.loss, run.grad_norm,
        ), f"row {i}"  # fmt: skip


STATUS_CASES = {
    "sgd": [
        ((1.0, 1.0), {"lr": 2.5}, {}),  # |1 - lr| > 1: diverges
        ((1.0, 1.0), {"lr": 0.5}, {}),  # converges
        ((0.0, 0.0), {"lr": 0.5}, {}),  # converged at the start
        ((1.0, 1.0), {"lr": 1e-3}, {"max_steps": 30}),
        ((1.0, 1.0), {"lr": 1e-6}, {"stall_window": 50, "stall_rtol": 1e-3}),  # stalls
        ((1.0, -1.0), {"lr": 0.01, "momentum": 0.9}, {}),  # still running
        ((5e3, 0.0), {"lr": 0.1}, {}),  # starts far outside: diverged
    ],
    "adam": [
        ((1.0, 1.0), {"lr": 100.0}, {}),  # steps of ~lr leave the domain: diverges
        ((1e-3, 1e-3), {"lr": 1e-3}, {"gtol": 1e-3}),  # converges
        ((0.0, 0.0), {"lr": 0.5}, {}),  # converged at the start
        ((1.0, 1.0), {"lr": 1e-3}, {"max_steps": 30}),
        ((1.0, 1.0), {"lr": 1e-9}, {"stall_window": 50, "stall_rtol": 1e-3}),  # stalls
        ((1.0, -1.0), {"lr": 1e-3, "amsgrad": True}, {}),  # still running
        ((5e3, 0.0), {"lr": 0.1}, {}),  # starts far outside: diverged
    ],
}


@pytest.mark.parametrize("name", list(STATUS_CASES))
def test_every_status_matches_single_runs(kernel, name):
    """Diverging, converging, stalling, max_steps and running rows side by side (Adam's rows
    take the vectorised lanes, SGD's the scalar loop)."""
    bowl = Surface.from_expression("x^2/2 + y^2/2", ["x", "y"], "x=-2:2,y=-2:2")
    configs = [RunConfig.make(name, start, params, **options)
               for start, params, options in STATUS_CASES[name]]  # fmt: skip
    batch = Batch(bowl, configs)
    runs = [Run(bowl, c) for c in configs]
    for _ in range(4):
        batch.step(40)
        for run in runs:
            run.step(40)
        assert_rows_equal_runs(batch, runs)
    assert set(batch.statuses) == {RunStatus.DIVERGED, RunStatus.CONVERGED, RunStatus.STALLED,
                                   RunStatus.MAX_STEPS, RunStatus.RUNNING}  # fmt: skip


def test_rows_with_different_hyper_parameters_and_schedules(kernel, rosenbrock):
    rng = np.random.default_rng(4)
    configs = [
        RunConfig.make("adam", (-1.2, 1.0), {"lr": lr, "betas": (b1, 0.99), "amsgrad": i % 2 == 0,
                                             "weight_decay": 0.01 * (i % 3)},
                       schedule=parse_schedule("warmup=3+exponential:gamma=0.99") if i % 2 else
                       parse_schedule("constant"))
        for i, (lr, b1) in enumerate(zip(rng.uniform(1e-3, 1e-2, 9), rng.uniform(0.5, 0.95, 9),
                                         strict=True))
    ]  # fmt: skip
    batch = Batch(rosenbrock, configs)
    runs = [Run(rosenbrock, c) for c in configs]
    batch.step(300)
    for run in runs:
        run.step(300)
    assert_rows_equal_runs(batch, runs)
    assert len({tuple(batch.run_row(i).point) for i in range(len(runs))}) == len(runs)


@pytest.mark.parametrize("noise", [0.0, 0.05])
@pytest.mark.parametrize("name", ["rmsprop", "adam", "adamw", "saddle-free-newton"])
def test_three_variable_surface(kernel, name, noise):
    surface = Surface.from_expression("x^2 + 2*y^2 - z^2/4 + x*y*z/3", ["x", "y", "z"],
                                      "x=-2:2,y=-2:2,z=-2:2")  # fmt: skip
    rng = np.random.default_rng(2)
    configs = [RunConfig.make(name, rng.uniform(-1, 1, 3), {"lr": 0.01}, grad_noise=noise, seed=i)
               for i in range(5)]  # fmt: skip
    batch = Batch(surface, configs)
    runs = [Run(surface, c) for c in configs]
    batch.step(150)
    for run in runs:
        run.step(150)
    assert_rows_equal_runs(batch, runs)


def test_mid_run_set_params_keeps_state_and_matches(kernel, rosenbrock):
    configs = [RunConfig.make("rmsprop", (x, 1.0), {"lr": 1e-3, "momentum": 0.5})
               for x in (-1.2, -0.5, 0.3)]  # fmt: skip
    batch = Batch(rosenbrock, configs)
    runs = [Run(rosenbrock, c) for c in configs]
    batch.step(50)
    batch.set_params(lr=5e-4, centered=True)
    batch.step(50)
    for run in runs:
        run.step(50)
        run.set_params(lr=5e-4, centered=True)
        run.step(50)
    assert_rows_equal_runs(batch, runs)


def test_scalar_tables_in_chunks(kernel, rosenbrock, monkeypatch):
    """A call longer than the scalar table (many groups) is stepped in chunks, unchanged."""
    monkeypatch.setattr(engine, "TABLE_ENTRIES", 7)
    cosine = parse_schedule("cosine:T_max=20")
    configs = [RunConfig.make("adam", (-1.2, 1.0), {"lr": 1e-3 * (i + 1)}, schedule=cosine)
               for i in range(3)]  # fmt: skip
    batch = Batch(rosenbrock, configs)
    runs = [Run(rosenbrock, c) for c in configs]
    batch.step(45)
    for run in runs:
        run.step(45)
    assert_rows_equal_runs(batch, runs)


@pytest.mark.parametrize("name", ["adam", "adamw"])
def test_large_batch_uses_the_kernel_and_matches_the_loop(rosenbrock, monkeypatch, name):
    """Blocks of plain rows take the vectorised lanes; the block holding a noisy row and one
    clipped row take the scalar loop; all agree with the generic loop bit for bit."""
    rng = np.random.default_rng(3)
    n = engine.BATCH_KERNEL_MIN_ROWS
    configs = [RunConfig.make(name, s, {"lr": 1e-3 * (1 + i % 5), "weight_decay": 0.01 * (i % 2)},
                              grad_noise=0.1 if i == 300 else 0.0, seed=i,
                              clip_norm=1.0 if i == 700 else None)
               for i, s in enumerate(rng.uniform([-2, -1], [2, 3], size=(n, 2)))]  # fmt: skip
    fast = Batch(rosenbrock, configs)
    fast.step(100)
    monkeypatch.setattr(engine, "BATCH_KERNEL_MIN_ROWS", n + 1)
    slow = Batch(rosenbrock, configs)
    slow.step(100)
    np.testing.assert_array_equal(fast.points, slow.points)
    np.testing.assert_array_equal(fast.loss, slow.loss)
    np.testing.assert_array_equal(fast.grad_norm, slow.grad_norm)
    np.testing.assert_array_equal(fast.status_codes, slow.status_codes)
