"""The rules of derived state, without Qt: one scene scale, one probe analysis per change, the
saddle-escape offer and remedies, playing only while something can move, subscriptions."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core import analysis as core_analysis
from saddlelab.core import catalogue
from saddlelab.core.optim import RunStatus
from saddlelab.models import probe as probe_module
from saddlelab.models.app_state import AppState
from saddlelab.models.subscriptions import Subscriptions


@pytest.fixture
def state() -> AppState:
    return AppState(catalogue.load("w1w2-mse"))


def test_the_scene_scale_is_built_once_and_rebuilt_only_when_the_scene_changes(state):
    scale = state.scene.scale
    assert state.scene.scale is scale  # every view gets the same object
    seen = []
    state.scene.changed.connect(lambda: seen.append(state.scene.scale))
    state.view.set_log_height(True)
    assert len(seen) == 1 and seen[0] is not scale and seen[0].log
    state.choose_surface(catalogue.load("himmelblau"))
    assert len(seen) == 2 and seen[1].x0 == catalogue.load("himmelblau").domain[0][0]


def test_the_probe_is_analysed_once_per_change(state, monkeypatch):
    calls = []

    def counting(surface, point, **kw):
        calls.append(tuple(point))
        return core_analysis.analyze(surface, point, **kw)

    monkeypatch.setattr(probe_module, "analyze", counting)
    run = state.add_run("sgd", {"lr": 0.05})
    calls.clear()
    shown = []
    state.probe.changed.connect(lambda probe: shown.append(probe.analysis))
    state.pick_probe((0.5, -0.5))
    assert calls == [(0.5, -0.5)] and len(shown) == 1
    assert shown[0].classification == "not_critical"
    # Displays asking for the analysis at the probe point get the same object, not a new one.
    assert state.probe.analysis_at((0.5, -0.5)) is shown[0]
    assert calls == [(0.5, -0.5)]
    state.follow_selected_run()
    assert calls[-1] == run.start and len(calls) == 2


def test_a_surface_switch_analyses_the_probe_on_the_new_surface(state, monkeypatch):
    state.pick_probe((0.0, 0.0))
    assert state.probe.analysis.classification == "saddle"
    state.choose_surface(catalogue.load("himmelblau"))  # no runs: the picked probe is dropped
    assert state.probe.surface is state.surface.surface
    assert state.probe.analysis is None and "No probe point" in state.probe.message
    run = state.add_run("sgd")
    # The probe point is the same tuple on the next surface (no probe event): the state still
    # analyses it there, once.
    same = catalogue.load("booth")
    monkeypatch.setattr(type(same), "suggested_start", lambda self: run.start)
    calls = []
    state.probe.changed.connect(lambda probe: calls.append(probe.analysis.surface_id))
    state.choose_surface(same)
    assert calls == ["booth"]


def test_a_run_converged_onto_the_saddle_gets_the_escape_offer_and_the_step_moves_it(state):
    run = state.add_run("sgd", {"lr": 0.05}, start=(-0.5, 0.5))  # on the line w1 = -w2
    offers = []
    state.escape.changed.connect(offers.append)
    saddle = np.array([[0.0, 0.0]])
    run.append_chunk(_Chunk(saddle), run.generation)
    run.set_result_status(RunStatus.CONVERGED, "converged", None, True)
    offer = state.escape.offer
    assert offer is not None and offers == [offer]
    assert offer.run_id == run.id and offer.how == "has converged to" and offer.has_escape
    moved = []
    run.move_requested.connect(lambda r, point, reason: moved.append(point))
    assert state.escape.step(run.id, 0.1) is None
    assert state.escape.offer is None and state.playback.playing
    # Along the escape direction (1, 1)/sqrt(2) or its opposite, 0.1 long.
    assert np.allclose(np.abs(moved[0]), [0.1 / np.sqrt(2)] * 2)


def test_the_noise_remedy_sets_the_runs_gradient_noise_and_plays(state):
    run = state.add_run("sgd", {"lr": 0.05})
    assert state.escape.add_noise(run.id, 0.05) is None
    assert run.grad_noise == 0.05 and state.playback.playing


def test_escape_defaults_follow_the_surface(state):
    seen = []
    state.escape.defaults_changed.connect(lambda length, sigma: seen.append((length, sigma)))
    state.choose_surface(catalogue.load("himmelblau"))
    span = min(hi - lo for lo, hi in catalogue.load("himmelblau").domain)
    assert seen and seen[0][0] == pytest.approx(0.1 * span) and seen[0][1] > 0


def test_play_starts_only_when_something_can_move_and_stops_when_all_are_done(state):
    run = state.add_run("sgd", {"lr": 0.05})
    state.playback.set_playing(True)
    assert state.playback.playing
    run.set_result_status(RunStatus.CONVERGED, "converged", None, True)
    state.results_applied()
    assert not state.playback.playing
    state.playback.set_playing(True)  # nothing can move: Play does not pretend
    assert not state.playback.playing
    run.set_result_status(RunStatus.STALLED, "stalled", "plateau", True)
    state.playback.set_playing(True)  # Play resumes a stalled run
    assert state.playback.playing


def test_every_listener_sees_play_refused_in_order():
    state = AppState(catalogue.load("w1w2-mse"))
    seen = []
    state.playback.playing_changed.connect(seen.append)
    state.playback.set_playing(True)  # no runs at all
    assert seen == [True, False] and not state.playback.playing


def test_subscriptions_disconnect_everything_or_one_runs_share(state):
    run = state.add_run("sgd")
    other = state.add_run("adam")
    before = [len(run.data_changed), len(other.data_changed), len(state.runs.added)]
    subs = Subscriptions()
    subs.connect(state.runs.added, lambda r: None)
    subs.connect(run.data_changed, lambda r: None, key=run)
    subs.connect(other.data_changed, lambda r: None, key=other)
    subs.clear(run)
    assert len(run.data_changed) == before[0] and len(other.data_changed) == before[1] + 1
    subs.clear()
    assert [len(run.data_changed), len(other.data_changed), len(state.runs.added)] == before
    assert len(subs) == 0


class _Chunk:
    """Rows as the worker hands them over (one row at ``points``)."""

    def __init__(self, points: np.ndarray) -> None:
        self.points = points
        self.step = np.arange(1, len(points) + 1)
        self.loss = np.ones(len(points))
        self.grad_norm = np.zeros(len(points))
        self.lr = np.full(len(points), 0.05)


def test_critical_points_of_a_surface_no_longer_shown_are_dropped(state):
    from saddlelab.core.critical import find_critical_points

    model = state.critical
    shown = []
    model.changed.connect(lambda m: shown.append(list(m.points)))
    searched = state.surface.surface
    model.searching()
    assert model.searching_now and "Searching" in model.message
    result = find_critical_points(searched)
    state.choose_surface(catalogue.load("himmelblau"))  # the user moved on meanwhile
    assert model.points == [] and not model.searching_now
    model.found(searched, result)  # the stale result arrives
    assert model.points == [] and model.message == "Not searched yet."
    model.found(state.surface.surface, find_critical_points(state.surface.surface))
    assert len(model.points) == 9
    assert model.message.startswith("Found 9 critical points: 4 local minima, 1 local maximum")
    assert model.near_slice(0.0) == model.points  # 2 parameters: every point is on the view


def test_three_parameter_markers_show_only_points_near_the_slice():
    state = AppState(catalogue.load("w1w2w3-mse"))
    from saddlelab.core.critical import find_critical_points

    state.critical.found(state.surface.surface, find_critical_points(state.surface.surface))
    points = state.critical.points
    lo, hi = state.surface.surface.domain[2]
    third = [p.point[2] for p in points]
    near = state.critical.near_slice(third[0])
    assert points[0] in near
    assert all(abs(p.point[2] - third[0]) <= 0.02 * (hi - lo) for p in near)


def _finish_like_the_engine(state, start, lr, steps):
    """A GD run of the state stepped by the core engine to its end (as the worker would)."""
    from saddlelab.core.optim import Run, RunConfig

    core = Run(state.surface.surface, RunConfig.make("sgd", start, {"lr": lr}))
    core.advance(steps)
    run = state.add_run("sgd", {"lr": lr}, start=start)
    run.append_chunk(_Chunk(core.point[None, :]), run.generation)
    run.set_result_status(core.status, core.status_detail, core.stall_kind, True)
    return run, core


def test_a_run_stalled_near_the_saddle_gets_the_offer_saying_near(state):
    # small steps on the line w1 = -w2: the loss stops changing before |g| is critical
    run, core = _finish_like_the_engine(state, (-1.2, 1.2), 1e-3, 20_000)
    assert core.status is RunStatus.STALLED and core.stall_kind == "near saddle"
    offer = state.escape.offer
    assert offer is not None and offer.run_id == run.id and offer.has_escape
    assert offer.how == "has stalled near"
    assert "|g| = " in offer.sentence and "critical below" in offer.sentence

    # converged in the valley of minima (a degenerate critical point): no offer, and the
    # offer for the other run stays until that run is dealt with
    _, valley = _finish_like_the_engine(state, (-1.2, 1.2005), 0.1, 5000)
    assert valley.status is RunStatus.CONVERGED and valley.stall_kind == "degenerate"
    assert state.escape.offer is offer
