"""Golden hashes: the engine's results, bit for bit, as recorded before issue 9's refactor.

Re-recorded for issue 10 ("one verdict everywhere"): a run now converges where its point is
critical by the analysis's scale-aware rule instead of at a fixed gradient norm of 1e-6, so
runs stop at other steps; every update up to the stop is bit for bit as before (checked
against the previous engine for the single runs below, at 300 and 3,000 updates).

Any change to the update arithmetic, the status checks or their order changes a hash. The
hashes were computed on this machine kind (x86-64, glibc's libm); a deliberate change of
results must update them in its own commit, saying why.

- a 100,000-row x 250-step Adam batch (vectorised lanes, and the row path in the blocks that
  hold noisy or clipped rows) plus a 2,048-row batch of every other optimizer, all in the
  per-surface batch kernels: final points, losses, gradient norms, statuses and step counts;
- single runs of every optimizer (hyper-parameter variants, noise, clipping, schedules,
  warm-up): every recorded trajectory array, the status and the step count;
- small batches of every optimizer (the generic loop without recording).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from saddlelab.core import catalogue
from saddlelab.core.optim import OPTIMIZERS, Batch, Run, RunConfig, parse_schedule

SCHEDULES = ("constant", "warmup=10+cosine:T_max=200,eta_min=1e-5", "step:step_size=40,gamma=0.5",
             "warmup=5+exponential:gamma=0.995", "warmup=20")  # fmt: skip
VARIANTS = {
    "sgd": [{"lr": 1e-3}, {"lr": 5e-4, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01},
            {"lr": 5e-4, "momentum": 0.9, "nesterov": True}],
    "adagrad": [{"lr": 0.05}, {"lr": 0.05, "lr_decay": 0.01, "weight_decay": 0.1,
                               "initial_accumulator_value": 0.5, "eps": 1e-6}],
    "rmsprop": [{"lr": 1e-3}, {"lr": 1e-3, "momentum": 0.5, "centered": True},
                {"lr": 1e-3, "alpha": 0.3, "centered": True, "weight_decay": 0.01},
                {"lr": 1e-3, "momentum": 0.3, "weight_decay": 0.05}],
    "adam": [{"lr": 0.01}, {"lr": 0.01, "betas": (0.3, 0.99), "weight_decay": 0.1,
                            "amsgrad": True}, {"lr": 0.02, "betas": (0.8, 0.9), "eps": 1e-4}],
    "adamw": [{"lr": 0.01}, {"lr": 0.01, "weight_decay": 0.3, "amsgrad": True},
              {"lr": 0.01, "betas": (0.6, 0.95), "weight_decay": 0.0}],
    "newton": [{"lr": 1.0}, {"lr": 0.3, "damping": 0.5}],
    "saddle-free-newton": [{"lr": 1.0}, {"lr": 0.2, "damping": 0.1}],
    "gd-escape": [{"lr": 0.01}, {"lr": 0.05, "threshold": 0.1, "escape_step": 0.2}],
}  # fmt: skip
SURFACES = ("rosenbrock", "w1w2-mse", "slice-trap", "sigmoid-ce", "rastrigin")


def digest(*arrays) -> str:
    """SHA-256 of the arrays' values in a platform-stable layout (little-endian f8 / i8)."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.asarray(a)
        dtype = "<i8" if a.dtype.kind in "iub" else "<f8"
        h.update(str(a.shape).encode())
        h.update(np.ascontiguousarray(a, dtype=dtype).tobytes())
    return h.hexdigest()


def batch_state(batch: Batch) -> tuple:
    return batch.points, batch.loss, batch.grad_norm, batch.status_codes, batch.steps


def row_configs(name: str, starts: np.ndarray, noisy=range(0), clipped=range(0)) -> list:
    """Rows cycling through the variants, schedules and tolerances that reach every status."""
    variants = VARIANTS[name]
    rng = np.random.default_rng(len(starts))
    scales = rng.choice([0.5, 1.0, 2.0, 2000.0], size=len(starts), p=[0.3, 0.4, 0.29, 0.01])
    configs = []
    for i, start in enumerate(starts):
        params = dict(variants[i % len(variants)])
        params["lr"] = params["lr"] * scales[i]
        options = {"schedule": parse_schedule(SCHEDULES[(i // 7) % len(SCHEDULES)]), "seed": i}
        if i in noisy:
            options["grad_noise"] = 0.05 * (1 + i % 3)
        if i in clipped:
            options["clip_norm"] = 2.0
        kind = i % 11
        if kind == 3:
            options["gtol"] = 1e-2
        elif kind == 5:
            options.update(stall_window=25, stall_rtol=1e-3)
        elif kind == 7:
            options["max_steps"] = 120
        configs.append(RunConfig.make(name, tuple(start), params, **options))
    return configs


def starts_for(surface, n: int, seed: int) -> np.ndarray:
    lo = np.array([lo for lo, _ in surface.domain])
    hi = np.array([hi for _, hi in surface.domain])
    return np.random.default_rng(seed).uniform(lo, hi, size=(n, surface.ndim))


BIG_ADAM = "4a8f6888f792b213647be2331c269dc0796510401c0a82e8d2bb746099dffea8"
KERNEL_BATCHES = "342703214906a9733b8e2b26a7b1559b9fd43c949ecc6b756fdb35b48970873b"
SINGLE_RUNS = "1142952bb2f6ab4a6f0b7b36ba37ccf302a5c65ed2f5d7fbc34ce81dc05529c2"
SMALL_BATCHES = {
    "rosenbrock": "152631244afa749b39d3f662e4f4d466d2b783b360aa8489fe6ed904dfdb5499",
    "slice-trap": "df6bde563490a0bdf056918bdf64670c21e71a9ed559b630b2c8a03d47e191c8",
}


def test_hundred_thousand_row_adam_batch():
    """100,000 rows x 250 updates; rows 30,000..30,511 noisy and 60,000..60,299 clipped (their
    blocks take the row path, the rest the vectorised lanes)."""
    surface = catalogue.load("rosenbrock")
    starts = starts_for(surface, 100_000, 0)
    configs = row_configs("adam", starts, range(30_000, 30_512), range(60_000, 60_300))
    batch = Batch(surface, configs)
    batch.step(100)
    batch.step(150)
    assert len(set(batch.status_codes.tolist())) == 5  # every status but 'ready'
    assert digest(*batch_state(batch)) == BIG_ADAM


def test_kernel_batches_of_every_optimizer():
    h = hashlib.sha256()
    for k, name in enumerate(OPTIMIZERS):
        surface = catalogue.load(SURFACES[k % 3])
        starts = starts_for(surface, 2048, k)
        configs = row_configs(name, starts, range(100, 700), range(500, 900))
        batch = Batch(surface, configs)
        batch.step(250)
        h.update(digest(*batch_state(batch)).encode())
    assert h.hexdigest() == KERNEL_BATCHES


def single_run_arrays(name: str, surface_id: str, params: dict, options: dict) -> tuple:
    surface = catalogue.load(surface_id)
    start = surface.suggested_start()
    run = Run(surface, RunConfig.make(name, start, params, **options))
    run.step(120)
    run.step(180)
    t = run.trajectory
    return t.step, t.points, t.loss, t.grad_norm, t.lr, [run.steps, int(run._engine.ST[0])]


def single_cases():
    for k, name in enumerate(OPTIMIZERS):
        for v, params in enumerate(VARIANTS[name]):
            for s, surface_id in enumerate(SURFACES):
                options = {"schedule": parse_schedule(SCHEDULES[(k + v + s) % len(SCHEDULES)]),
                           "seed": 10 * k + s}  # fmt: skip
                if (v + s) % 2:
                    options["grad_noise"] = 0.1
                if (k + s) % 3 == 0:
                    options["clip_norm"] = 1.0
                if (k + v + s) % 4 == 1:
                    options["max_steps"] = 250
                elif (k + v + s) % 4 == 2:
                    options.update(stall_window=30, stall_rtol=1e-3)
                yield name, surface_id, params, options


def test_single_runs_of_every_optimizer():
    h = hashlib.sha256()
    for case in single_cases():
        h.update(digest(*single_run_arrays(*case)).encode())
    assert h.hexdigest() == SINGLE_RUNS


@pytest.mark.parametrize("surface_id", ["rosenbrock", "slice-trap"])
def test_small_batches_of_every_optimizer(surface_id):
    h = hashlib.sha256()
    surface = catalogue.load(surface_id)
    for k, name in enumerate(OPTIMIZERS):
        configs = row_configs(name, starts_for(surface, 40, k), range(0, 40, 3), range(1, 40, 4))
        batch = Batch(surface, configs)
        batch.step(60)
        batch.step(190)
        h.update(digest(*batch_state(batch)).encode())
    assert h.hexdigest() == SMALL_BATCHES[surface_id]
