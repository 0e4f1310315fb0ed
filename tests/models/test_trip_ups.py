"""Issue 10 point 5, the rules without Qt: Play means something moves (after results, a
removed run, a reset, Step), run titles tell runs apart, counts are pluralised."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from saddlelab.core import catalogue, numbers
from saddlelab.core.optim import RunStatus
from saddlelab.core.optim.status import describe
from saddlelab.models.app_state import AppState
from saddlelab.models.runs import RunModel


@pytest.fixture
def state() -> AppState:
    return AppState(catalogue.load("w1w2-mse"))


def test_removing_the_only_moving_run_stops_playing(state):
    done = state.add_run("sgd")
    moving = state.add_run("adam")
    done.set_result_status(RunStatus.CONVERGED, "converged", None, True)
    state.playback.set_playing(True)
    assert state.playback.playing and state.playback.can_move
    state.runs.remove(moving)
    assert not state.playback.playing  # nothing moves any more: no "Pause" over a still scene
    assert not state.playback.can_move
    assert "finished" in state.nothing_to_move()


def test_removing_every_run_stops_playing(state):
    run = state.add_run("sgd")
    state.playback.set_playing(True)
    state.runs.remove(run)
    assert not state.playback.playing and not state.playback.can_move
    assert "No runs" in state.nothing_to_move()


def test_can_move_follows_results_and_resets(state):
    seen = []
    state.playback.can_move_changed.connect(seen.append)
    run = state.add_run("sgd")
    assert state.playback.can_move and seen == [True]
    run.set_result_status(RunStatus.DIVERGED, "diverged", None, True)
    assert not state.playback.can_move and seen == [True, False]
    state.reset_all()
    assert state.playback.can_move and seen == [True, False, True]
    assert state.nothing_to_move() == ""


@pytest.mark.parametrize("trigger", ["play", "step"])
def test_play_and_step_continue_a_paused_run_at_once(state, trigger):
    run = state.add_run("sgd")
    run.set_result_status(RunStatus.STALLED, "stalled", "plateau", True)
    if trigger == "play":
        state.playback.set_playing(True)
        assert state.playback.playing
    else:
        state.playback.step(1)
    # The run counts as moving until the engine reports again ...
    assert not run.done and run.status == RunStatus.RUNNING
    # ... and when it stalls again, playing stops: nothing moves.
    run.set_result_status(RunStatus.STALLED, "stalled again", "plateau", True)
    assert not state.playback.playing


def test_titles_tell_runs_with_different_hyper_parameters_apart():
    plain = RunModel(2, (0, 0), "sgd", {"lr": 0.1})
    heavy = RunModel(2, (0, 0), "sgd", {"lr": 0.1, "momentum": 0.9})
    assert plain.title == "SGD lr=0.1"
    assert heavy.title == "SGD lr=0.1 momentum=0.9"
    nesterov = RunModel(2, (0, 0), "sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": "true"})
    assert nesterov.title == "SGD lr=0.1 momentum=0.9 nesterov=true"
    adam = RunModel(2, (0, 0), "adam", {"betas": "0.8,0.9"})
    assert adam.title == "Adam lr=0.001 betas=0.8,0.9"


def test_a_title_follows_a_hyper_parameter_set_from_code():
    run = RunModel(2, (0, 0), "sgd", {"lr": 0.1})
    seen = []
    run.appearance_changed.connect(lambda r: seen.append(r.title))
    assert run.set_param("momentum", "0.5") is None
    assert seen == ["SGD lr=0.1 momentum=0.5"]


def test_counts_are_pluralised():
    assert [numbers.count(n, "step") for n in (0, 1, 2)] == ["0 steps", "1 step", "2 steps"]
    assert numbers.count(1, "critical point") == "1 critical point"
    assert numbers.count(3, "minimum", "minima") == "3 minima"


@pytest.mark.parametrize("status", [RunStatus.CONVERGED, RunStatus.DIVERGED, RunStatus.MAX_STEPS])
def test_statuses_after_one_step_say_one_step(status):
    surface = catalogue.load("saddle")
    run_like = SimpleNamespace(
        surface=surface, point=np.array([0.0, 0.0]), steps=1, loss=0.0, grad_norm=0.0
    )
    detail, _ = describe(status, run_like)
    assert "1 step" in detail and "1 steps" not in detail
