"""The batch kernels' vectorised lanes (core/optim/_lanes.py) for every element-wise optimizer:
each row equals the single run with its configuration, bit for bit, whatever its outcome and
whatever else shares its block (SGD's momentum buffer, mixed hyper-parameter groups, rows that
converge, diverge, stall or hit their step limit mid-call)."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core.optim import OPTIMIZERS, Batch, Run, RunConfig, RunStatus, _batch, engine
from saddlelab.core.optim._rules import uses_hessian
from saddlelab.core.surface import Surface

VARIANTS = {
    "sgd": [{"lr": 0.05}, {"lr": 0.02, "momentum": 0.9},
            {"lr": 0.02, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.05},
            {"lr": 0.02, "momentum": 0.9, "nesterov": True, "maximize": False}],
    "adagrad": [{"lr": 0.3}, {"lr": 0.3, "lr_decay": 0.01, "weight_decay": 0.1,
                              "initial_accumulator_value": 0.5, "eps": 1e-6}],
    "rmsprop": [{"lr": 0.01}, {"lr": 0.01, "momentum": 0.5, "centered": True},
                {"lr": 0.01, "alpha": 0.3, "centered": True, "weight_decay": 0.01},
                {"lr": 0.01, "momentum": 0.3, "weight_decay": 0.05}],
    "adam": [{"lr": 0.05}, {"lr": 0.05, "betas": (0.3, 0.99), "weight_decay": 0.1},
             {"lr": 0.05, "amsgrad": True}],
    "adamw": [{"lr": 0.05}, {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}],
}  # fmt: skip
ELEMENT_WISE = [name for name, spec in OPTIMIZERS.items() if not uses_hessian(spec.code)]


def _known(name: str, params: dict) -> dict:
    """``params`` without the keys ``name`` does not have (maximize is not everywhere)."""
    names = {h.name for h in OPTIMIZERS[name].hyper}
    return {k: v for k, v in params.items() if k in names}


@pytest.fixture
def kernel(monkeypatch):
    """The per-surface batch kernel for small batches too, rows split across two threads."""
    monkeypatch.setattr(engine, "BATCH_KERNEL_MIN_ROWS", 1)
    monkeypatch.setattr(engine, "ROWS_PER_THREAD", 4)


@pytest.fixture(scope="module")
def bowl() -> Surface:
    return Surface.from_expression("x^2/2 + 2*y^2 + x*y/4", ["x", "y"], "x=-2:2,y=-2:2")


def outcome_configs(name: str) -> list[RunConfig]:
    """Rows that converge, diverge, stall and reach max_steps, for every variant, in one batch
    (so the block holds several groups of hyper-parameters and step limits)."""
    rng = np.random.default_rng(5)
    configs = []
    for k, params in enumerate(VARIANTS[name]):
        params = _known(name, params)
        big = {**params, "lr": params["lr"] * 60}  # steps that leave the domain
        tiny = {**params, "lr": params["lr"] * 1e-7}  # too small to move the loss: stalls
        for start in rng.uniform(-1.5, 1.5, size=(3, 2)):
            configs += [
                RunConfig.make(name, start, params),
                RunConfig.make(name, start, big),
                RunConfig.make(name, start, tiny, stall_window=40, stall_rtol=1e-3),
                RunConfig.make(name, start, params, max_steps=17 + k),
                RunConfig.make(name, start, params, gtol=1e-3, early_stop=k % 2 == 0),
            ]
    configs.append(RunConfig.make(name, (0.0, 0.0), VARIANTS[name][0]))  # converged at once
    configs.append(RunConfig.make(name, (900.0, 0.0), VARIANTS[name][0]))  # diverged at once
    return configs


def assert_rows_equal_runs(batch: Batch, runs: list[Run]) -> None:
    for i, run in enumerate(runs):
        row = batch.run_row(i)
        np.testing.assert_array_equal(row.point, run.point, err_msg=f"row {i}")
        assert (row.steps, row.status, row.loss, row.grad_norm) == (
            run.steps, run.status, run.loss, run.grad_norm,
        ), f"row {i}: {batch.configs[i]}"  # fmt: skip


def step_together(surface, configs: list[RunConfig], calls) -> Batch:
    """A batch of ``configs`` and their single runs, stepped by the call lengths ``calls``,
    compared after each call; returns the batch."""
    batch, runs = Batch(surface, configs), [Run(surface, c) for c in configs]
    for n in calls:
        batch.step(n)
        for run in runs:
            run.step(n)
        assert_rows_equal_runs(batch, runs)
    return batch


def test_every_element_wise_optimizer_takes_the_lanes():
    assert set(_batch.LANE_OPTIMIZERS) == set(ELEMENT_WISE)
    assert set(ELEMENT_WISE) == {"sgd", "adagrad", "rmsprop", "adam", "adamw"}


@pytest.mark.parametrize("name", ELEMENT_WISE)
def test_lanes_rows_equal_single_runs(kernel, bowl, name):
    configs = outcome_configs(name)
    batch = step_together(bowl, configs, (1, 9, 40, 150))  # rows stop inside and between calls
    seen = set(batch.statuses)
    assert {RunStatus.CONVERGED, RunStatus.DIVERGED, RunStatus.STALLED,
            RunStatus.MAX_STEPS} <= seen  # fmt: skip


def test_sgd_momentum_buffer_across_calls(kernel, bowl):
    """The buffer is the first gradient on the first update only (torch), then decays: a row
    that takes its first update in one call and the rest in later calls keeps its momentum."""
    configs = [RunConfig.make("sgd", (1.0, -1.0), {"lr": 0.01, "momentum": m, "dampening": d})
               for m in (0.5, 0.9) for d in (0.0, 0.5)]  # fmt: skip
    batch = step_together(bowl, configs, (3,) * 5)
    momentum_free = Run(bowl, RunConfig.make("sgd", (1.0, -1.0), {"lr": 0.01}))
    momentum_free.step(15)
    assert not np.array_equal(batch.run_row(1).point, momentum_free.point)


@pytest.mark.parametrize("name", ELEMENT_WISE)
def test_large_batch_in_the_kernel_equals_the_generic_loop(bowl, monkeypatch, name):
    """A batch of BATCH_KERNEL_MIN_ROWS rows or more (the per-surface kernel, its lanes) agrees
    with the generic loop and with single runs at sampled rows."""
    rng = np.random.default_rng(8)
    n = engine.BATCH_KERNEL_MIN_ROWS + 100
    variants = [_known(name, v) for v in VARIANTS[name]]
    configs = [RunConfig.make(name, s, {**variants[i % len(variants)],
                                        "lr": variants[i % len(variants)]["lr"] * (1 + i % 3)},
                              max_steps=60 + i % 50)
               for i, s in enumerate(rng.uniform(-3, 3, size=(n, 2)))]  # fmt: skip
    fast = Batch(bowl, configs)
    fast.step(40)
    fast.step(80)
    monkeypatch.setattr(engine, "BATCH_KERNEL_MIN_ROWS", n + 1)
    slow = Batch(bowl, configs)
    slow.step(40)
    slow.step(80)
    for a, b in ((fast.points, slow.points), (fast.loss, slow.loss),
                 (fast.grad_norm, slow.grad_norm), (fast.steps, slow.steps),
                 (fast.status_codes, slow.status_codes)):  # fmt: skip
        np.testing.assert_array_equal(a, b)
    for i in rng.choice(n, 12, replace=False):
        run = Run(bowl, configs[i])
        run.step(120)
        row = fast.run_row(int(i))
        np.testing.assert_array_equal(row.point, run.point)
        assert (row.steps, row.status) == (run.steps, run.status)
