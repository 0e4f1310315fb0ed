"""Optimizer specs, parameter resolution and schedules (hand-computed values)."""

from __future__ import annotations

import math

import pytest

from saddlelab.core.optim import (
    OPTIMIZERS,
    OptimizerError,
    RunConfig,
    Schedule,
    parse_schedule,
    resolve_params,
)  # fmt: skip


def test_optimizer_names_and_torch_defaults():
    assert list(OPTIMIZERS) == ["sgd", "adagrad", "rmsprop", "adam", "adamw", "newton",
                                "saddle-free-newton", "gd-escape"]  # fmt: skip
    assert OPTIMIZERS["sgd"].defaults() == {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0,
                                            "weight_decay": 0.0, "nesterov": False}  # fmt: skip
    adagrad = {"lr": 1e-2, "lr_decay": 0.0, "weight_decay": 0.0,
               "initial_accumulator_value": 0.0, "eps": 1e-10}  # fmt: skip
    assert OPTIMIZERS["adagrad"].defaults() == adagrad
    assert OPTIMIZERS["rmsprop"].defaults() == {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8,
                                                "weight_decay": 0.0, "momentum": 0.0,
                                                "centered": False}  # fmt: skip
    adam = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False}
    assert OPTIMIZERS["adam"].defaults() == adam
    assert OPTIMIZERS["adamw"].defaults() == {**adam, "weight_decay": 1e-2}
    for spec in OPTIMIZERS.values():
        assert spec.label and spec.description.endswith(".")
        assert all(h.doc and h.kind in {"float", "int", "bool", "pair"} for h in spec.hyper)


def test_resolve_params_reads_text_and_typed_values():
    params = resolve_params("adam", {"betas": "0.8, 0.99", "amsgrad": "true", "lr": "0.01"})
    assert params["betas"] == (0.8, 0.99) and params["amsgrad"] is True and params["lr"] == 0.01
    assert resolve_params("sgd", {"momentum": 0.9, "nesterov": True})["nesterov"] is True


@pytest.mark.parametrize(
    ("name", "overrides", "words"),
    [
        ("adamx", {}, "unknown optimizer 'adamx'"),
        ("adam", {"momentum": 0.9}, "adam has no parameter 'momentum'"),
        ("sgd", {"lr": -0.1}, "learning rate must not be negative"),
        ("sgd", {"lr": "fast"}, "lr must be a number"),
        ("sgd", {"nesterov": "maybe"}, "nesterov must be true or false"),
        ("sgd", {"nesterov": True}, "nesterov needs momentum > 0"),
        ("adam", {"betas": "0.9"}, "betas needs two numbers"),
        ("adam", {"betas": (0.9, 1.0)}, "betas must be below 1"),
        ("rmsprop", {"eps": "nan"}, "eps must be finite"),
    ],
)
def test_bad_parameters_name_the_problem_in_one_line(name, overrides, words):
    with pytest.raises(OptimizerError) as error:
        resolve_params(name, overrides)
    assert words in str(error.value) and "\n" not in str(error.value)


def test_run_config_validates():
    with pytest.raises(OptimizerError):
        RunConfig.make("sgd", (0.0, math.nan))
    with pytest.raises(OptimizerError):
        RunConfig.make("sgd", (0.0, 0.0), clip_norm=0.0)
    with pytest.raises(OptimizerError):
        RunConfig.make("sgd", (0.0, 0.0), grad_noise=-1.0)
    assert RunConfig.make("adam", (0, 0)).params["betas"] == (0.9, 0.999)


def test_schedules_against_hand_computed_values():
    assert parse_schedule("constant").lr_at(0.1, 12345) == 0.1
    step = parse_schedule("step:step_size=100,gamma=0.5")
    assert [step.lr_at(0.1, t) for t in (0, 99, 100, 199, 200)] == [0.1, 0.1, 0.05, 0.05, 0.025]
    exp = parse_schedule("exponential:gamma=0.9")
    assert exp.lr_at(1.0, 3) == pytest.approx(0.729, rel=1e-15)
    cos = parse_schedule("cosine:T_max=100,eta_min=0.01")
    assert cos.lr_at(0.1, 0) == pytest.approx(0.1)
    assert cos.lr_at(0.1, 50) == pytest.approx(0.055, rel=1e-14)
    assert cos.lr_at(0.1, 100) == pytest.approx(0.01, rel=1e-14)
    assert cos.lr_at(0.1, 150) == pytest.approx(0.055, rel=1e-14)  # torch's is periodic
    warm = parse_schedule("warmup=4+cosine:T_max=10")
    assert [warm.lr_at(1.0, t) for t in range(5)] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert warm.lr_at(1.0, 9) == pytest.approx(0.5)  # cosine half-way, 5 steps after warm-up
    assert parse_schedule("warmup=3").lr_at(2.0, 100) == 2.0


@pytest.mark.parametrize(
    "text",
    ["constant", "step:step_size=100,gamma=0.5", "exponential:gamma=0.99",
     "cosine:T_max=1000,eta_min=0.0", "warmup=50+cosine:T_max=1000,eta_min=0.001", "warmup=7"],
)  # fmt: skip
def test_schedule_spec_round_trips(text):
    schedule = parse_schedule(text)
    assert parse_schedule(schedule.spec()) == schedule
    assert isinstance(schedule, Schedule)


@pytest.mark.parametrize(
    "text",
    ["linear", "step:gamma=0.5", "step:step_size=1.5", "cosine:T_max=0", "exponential:gamma=x",
     "cosine:T_max=10,foo=1", "warmup=-1+constant", "warmup=2+warmup=3+constant", "step:100"],
)  # fmt: skip
def test_bad_schedules_are_rejected(text):
    with pytest.raises(OptimizerError):
        parse_schedule(text)
