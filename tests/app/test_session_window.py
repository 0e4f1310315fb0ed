"""Sessions in the window: the worker records every change with the step it took effect at, so
a saved run replays bit for bit; a reopened session is replayed by the worker (not the GUI
thread) to exactly the run :func:`replay` makes, and Play goes on from there."""

from __future__ import annotations

import math

import numpy as np

from saddlelab.core.optim import RunStatus
from saddlelab.core.optim.replay import Edit, RunRecord, replay
from saddlelab.models.session import Session

TIMEOUT = 120_000


def _same_rows(run, engine) -> None:
    """Every row the window holds is the replayed run's row at that step, to the last bit."""
    t, mine = engine.trajectory, run.trajectory
    steps = mine.step
    assert steps[-1] == engine.steps
    by_step: dict[int, list] = {}
    for k in range(len(t)):
        by_step.setdefault(int(t.step[k]), []).append(t.points[k])
    for k in range(len(mine)):
        candidates = by_step[int(steps[k])]
        assert any(np.array_equal(mine.points[k], p) for p in candidates), int(steps[k])
    assert np.array_equal(mine.points[-1], engine.point)


def _play_until(qtbot, state, done) -> None:
    state.playback.set_playing(True)
    qtbot.waitUntil(done, timeout=TIMEOUT)
    state.playback.set_playing(False)


def test_edits_made_while_playing_are_recorded_at_the_steps_the_worker_applied_them(qtbot, window):
    state = window.state
    state.playback.set_speed(math.inf)
    run = state.runs.selected
    run.set_grad_noise("0.05")  # noise: the trajectory depends on every step's seed
    _play_until(qtbot, state, lambda: run.steps >= 300)
    assert run.set_param("lr", "0.02") is None  # mid-run, at a step only the worker knows
    _play_until(qtbot, state, lambda: run.steps >= 600)
    assert run.set_schedule("cosine:T_max=400") is None
    assert run.request_move((0.3, -0.2), "escape") is None
    _play_until(qtbot, state, lambda: run.steps >= 1500 or run.done)
    qtbot.waitUntil(lambda: not state.playback.playing, timeout=TIMEOUT)
    qtbot.wait(200)  # the last batch
    record = run.record()
    kinds = [e.kind for e in record.edits]
    assert kinds[:1] == ["options"] and "params" in kinds and "moved" in kinds
    assert all(e.step > 0 for e in record.edits[1:]), record.edits
    engine = replay(state.surface.surface, record)
    assert engine.status is run.status
    _same_rows(run, engine)


def test_a_reopened_session_is_replayed_by_the_worker_and_plays_on(qtbot, window):
    state = window.state
    surface = state.surface.surface
    start = surface.suggested_start()
    text = Session.capture(state).to_text()
    session = Session.from_text(text, "s.json")
    base = session.runs[0].record.config.with_changes(grad_noise=0.1, seed=7, max_steps=2500)
    edits = (
        Edit(400, "params", {"lr": 0.03}),
        Edit(900, "moved", {"point": [start[0] + 0.2, start[1]], "reason": "escape"}),
        Edit(2500, "resumed"),
    )
    record = RunRecord(base, edits, 4000)
    session.runs = (type(session.runs[0])(record, "#3cb44b", True),)
    session.apply(state)
    run = state.runs.selected
    assert run.colour == "#3cb44b" and run.params["lr"] == 0.03  # the settings at the end
    engine = replay(surface, record)
    qtbot.waitUntil(lambda: run.steps == engine.steps and run.status is engine.status,
                    timeout=TIMEOUT)  # fmt: skip
    qtbot.wait(100)
    _same_rows(run, engine)
    assert run.record() == record  # saved again, it is the same record
    # Play goes on from the replayed state: the window's next steps are the engine's.
    state.playback.set_speed(math.inf)
    _play_until(qtbot, state, lambda: run.steps >= 4500 or run.done)
    qtbot.wait(200)
    engine.step(run.steps - engine.steps)
    assert np.array_equal(run.trajectory.points[-1], engine.point)
    assert run.status in (RunStatus.RUNNING, engine.status)


def test_a_change_the_engine_refuses_while_replaying_stops_only_that_run(qtbot, window):
    state = window.state
    session = Session.from_text(Session.capture(state).to_text())
    entry = session.runs[0]
    good = RunRecord(entry.record.config, (), 200)
    bad = RunRecord(entry.record.config.with_changes(params={"lr": 50.0}),
                    (Edit(150, "moved", {"point": [0.1, 0.1]}),), 200)  # fmt: skip
    session.runs = (type(entry)(bad, "#e6194b"), type(entry)(good, "#3cb44b"))
    session.apply(state)
    broken, fine = list(state.runs)
    engine = replay(state.surface.surface, good)  # converges before step 200
    qtbot.waitUntil(lambda: broken.status is RunStatus.ERROR and fine.steps == engine.steps,
                    timeout=TIMEOUT)  # fmt: skip
    qtbot.wait(100)
    assert broken.status_detail.endswith("a run that diverged cannot be moved; reset it instead")
    assert broken.steps > 0  # the rows up to the refused change are shown
    _same_rows(fine, engine)
    assert fine.status is engine.status
