"""Application state without Qt: run settings validate, surfaces reset runs, probe follows."""

from __future__ import annotations

import math

import numpy as np
import pytest

from saddlelab.core import catalogue
from saddlelab.models.app_state import AppState
from saddlelab.models.playback import Playback


@pytest.fixture
def state() -> AppState:
    return AppState(catalogue.load("w1w2-mse"))


def test_new_run_starts_at_the_suggested_start_with_row_zero_exact(state):
    run = state.add_run("sgd", {"lr": 0.05})
    assert run.start == state.surface.surface.suggested_start()
    assert len(run.trajectory) == 1
    w1, w2 = run.start
    assert run.trajectory.loss[0] == pytest.approx((1 - w1 * w2) ** 2)
    assert run.trajectory.grad_norm[0] == pytest.approx(
        math.hypot(-2 * (1 - w1 * w2) * w2, -2 * (1 - w1 * w2) * w1)
    )
    assert state.runs.selected is run
    assert state.view.probe_point == run.start and state.view.probe_source == "run"


def test_bad_settings_return_messages_and_keep_the_last_good_value(state):
    run = state.add_run("adam")
    assert run.params["betas"] == (0.9, 0.999)  # torch default
    assert run.set_param("betas", "0.8, 0.99") is None
    assert run.params["betas"] == (0.8, 0.99)
    for name, text in [
        ("betas", "0.9"),
        ("lr", "-1"),
        ("eps", "x"),
        ("amsgrad", "maybe"),
        ("nope", "1"),
    ]:
        message = run.set_param(name, text)
        assert message and "\n" not in message
    assert run.params["betas"] == (0.8, 0.99) and run.params["lr"] == 0.001
    assert run.set_schedule("cosine:T_max=oops")
    assert run.schedule_text == "constant"
    assert run.set_start_text("1, 2, 3") and run.start == state.surface.surface.suggested_start()
    assert run.set_clip_norm("0") and run.clip_norm is None
    assert run.set_grad_noise("-1") and run.grad_noise == 0.0


def test_params_change_mid_run_but_optimizer_start_and_seed_restart(state):
    run = state.add_run("sgd")
    restarts = []
    state.run_restarted.connect(restarts.append)
    run.trajectory.append([1], [[0.0, 0.0]], [1.0], [0.0], [0.1])
    assert run.set_param("lr", "0.2") is None
    assert len(run.trajectory) == 2 and restarts == []
    assert run.set_seed("4") is None
    assert len(run.trajectory) == 1 and restarts == [run]
    assert run.set_optimizer("rmsprop") is None
    assert run.params["lr"] == 0.2  # the learning rate carries over
    assert run.params["alpha"] == 0.99
    assert restarts == [run, run]


def test_choosing_a_surface_resets_runs_and_changes_dimension(state):
    a = state.add_run("sgd")
    b = state.add_run("adam")
    state.choose_surface(catalogue.load("himmelblau"))
    assert a.start == b.start == catalogue.load("himmelblau").suggested_start()
    state.choose_surface(catalogue.load("slice-trap"))
    assert [r.ndim for r in state.runs] == [3, 3]
    assert [r.optimizer for r in state.runs] == ["sgd", "adam"]
    assert state.runs[0].colour == a.colour
    assert state.surface.slice_value == 0.0
    assert "projected" in state.surface.slice_label()


def test_probe_follows_the_selected_run_until_a_point_is_picked(state):
    run = state.add_run("sgd")
    run.trajectory.append([1], [[0.5, 0.5]], [0.5], [1.0], [0.1])
    run.data_changed.emit(run)
    assert state.view.probe_point == (0.5, 0.5)
    state.pick_probe((0.1, -0.2))
    run.trajectory.append([2], [[0.6, 0.6]], [0.4], [1.0], [0.1])
    run.data_changed.emit(run)
    assert state.view.probe_point == (0.1, -0.2) and state.view.probe_source == "picked"
    state.follow_selected_run()
    assert state.view.probe_point == (0.6, 0.6)


def test_stale_chunks_from_before_a_reset_are_dropped(state):
    run = state.add_run("sgd")
    old = run.generation

    class Chunk:
        step = np.array([1])
        points = np.array([[9.0, 9.0]])
        loss = grad_norm = lr = np.array([1.0])

    state.reset_all()
    assert not run.append_chunk(Chunk, old)
    assert run.append_chunk(Chunk, run.generation) and len(run.trajectory) == 2


def test_playback_speed_is_clamped_and_unlimited_is_allowed():
    pb = Playback()
    pb.set_speed(0.1)
    assert pb.speed == 1.0
    pb.set_speed(float("nan"))
    assert pb.speed == 1.0
    pb.set_speed(math.inf)
    assert pb.unlimited and pb.describe() == "as fast as possible"
    steps = []
    pb.step_requested.connect(steps.append)
    pb.step(0)
    assert steps == [1]
