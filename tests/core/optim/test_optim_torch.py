"""Optional dev cross-check against torch.optim (skipped when torch is not installed)."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core.optim import Run, RunConfig, parse_schedule

torch = pytest.importorskip("torch")

CASES = [
    ("sgd", {"lr": 1e-3}),
    ("sgd", {"lr": 5e-4, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    ("sgd", {"lr": 5e-4, "momentum": 0.9, "nesterov": True}),
    ("adagrad", {"lr": 0.05, "lr_decay": 0.01, "weight_decay": 0.1,
                 "initial_accumulator_value": 0.5}),
    ("rmsprop", {"lr": 1e-3}),
    ("rmsprop", {"lr": 1e-3, "momentum": 0.5, "centered": True, "weight_decay": 0.01}),
    ("adam", {"lr": 0.01}),
    ("adam", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "amsgrad": True}),
    ("adamw", {"lr": 0.01}),
    ("adamw", {"lr": 0.01, "weight_decay": 0.3, "amsgrad": True}),
]  # fmt: skip


def torch_path(surface, name, params, start, steps, schedule=None, clip=None):
    cls = {"sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad,
           "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam,
           "adamw": torch.optim.AdamW}[name]  # fmt: skip
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = cls([p], **params)
    sched = schedule(opt) if schedule else None
    out = []
    for _ in range(steps):
        p.grad = torch.tensor(surface.gradient(p.detach().numpy()), dtype=torch.float64)
        if clip:
            torch.nn.utils.clip_grad_norm_([p], clip)
        opt.step()
        if sched:
            sched.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


@pytest.mark.parametrize(("name", "params"), CASES)
def test_matches_torch_step_for_step(rosenbrock, name, params):
    start = (-1.2, 1.0)
    expected = torch_path(rosenbrock, name, params, start, 300)
    run = Run(rosenbrock, RunConfig.make(name, start, params))
    np.testing.assert_allclose(run.step(300).points, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("spec", "make"),
    [
        ("step:step_size=7,gamma=0.5",
         lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5)),
        ("exponential:gamma=0.97",
         lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.97)),
        ("cosine:T_max=40,eta_min=0.001",
         lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=40, eta_min=0.001)),
        ("warmup=10+cosine:T_max=40", lambda o: torch.optim.lr_scheduler.SequentialLR(
            o, [torch.optim.lr_scheduler.LinearLR(o, start_factor=1 / 11, total_iters=10),
                torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=40)], milestones=[10])),
    ],
)  # fmt: skip
def test_schedules_match_torch(rosenbrock, spec, make):
    schedule = parse_schedule(spec)
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    sched = make(opt)
    for t in range(120):
        assert schedule.lr_at(0.1, t) == pytest.approx(opt.param_groups[0]["lr"], rel=1e-12)
        opt.step()
        sched.step()
    start = (-1.2, 1.0)
    expected = torch_path(rosenbrock, "adam", {"lr": 0.1}, start, 120, make, clip=5.0)
    run = Run(rosenbrock, RunConfig.make("adam", start, {"lr": 0.1}, schedule=schedule,
                                         clip_norm=5.0))  # fmt: skip
    np.testing.assert_allclose(run.step(120).points, expected, rtol=1e-11, atol=1e-12)
