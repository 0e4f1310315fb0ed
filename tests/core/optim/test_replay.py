"""A run replayed from its record (configuration, edits at their steps, steps taken) is the run
the window made, bit for bit: with noise, mid-run changes, moves, resumptions after a stall
or the step limit, on the pure and the compiled path, at once or in slices."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core.optim import OptimizerError, Run, RunConfig, RunStatus, parse_schedule
from saddlelab.core.optim.replay import (
    Edit,
    Replay,
    RunRecord,
    apply_edit,
    final_config,
    options_edit,
    replay,
)

FIELDS = ("step", "points", "loss", "grad_norm", "lr")


def _live(surface, config, script, pure):
    """Drive a run as the window's worker does (steps in uneven chunks, changes between
    them, paused runs continued on Play) and record each change with its step."""
    run = Run(surface, config, pure=pure)
    edits = []
    for action, arg in script:
        if action == "step":
            left = arg
            for n in (7, 64, 1000, 13):
                k = min(n, left)
                run.step(k)
                left -= k
            run.step(left)
        elif action == "play":
            if run.status.resumable and run.resume():
                edits.append(Edit(run.steps, "resumed"))
        elif action == "params":
            run.set_params(**arg)
            edits.append(Edit(run.steps, "params", arg))
        elif action == "options":
            run.set_options(**{**arg, "schedule": parse_schedule(arg["schedule"])})
            edits.append(options_edit(run.steps, **arg))
        elif action == "move":
            run.move_to(arg, "escape")
            edits.append(Edit(run.steps, "moved", {"point": list(arg), "reason": "escape"}))
    return run, RunRecord(config, tuple(edits), run.steps)


def _assert_same(a: Run, b: Run) -> None:
    ta, tb = a.trajectory, b.trajectory
    for name in FIELDS:
        assert np.array_equal(getattr(ta, name), getattr(tb, name)), name
    assert ta.events == tb.events
    assert (a.status, a.status_detail, a.steps) == (b.status, b.status_detail, b.steps)
    assert np.array_equal(a._engine.S, b._engine.S)  # the optimizer's state too


SCRIPT = [
    ("step", 900),
    ("params", {"lr": 0.004}),
    ("step", 1500),
    ("options", {"grad_noise": 0.0, "clip_norm": 2.0, "schedule": "warmup=10+cosine:T_max=700"}),
    ("step", 600),
    ("move", (0.5, 0.4)),
    ("step", 5000),
    ("play", None),
    ("step", 5000),
    ("play", None),
    ("step", 777),
]


@pytest.mark.parametrize("pure", [True, False], ids=["pure", "compiled"])
@pytest.mark.parametrize(
    ("optimizer", "params"),
    [("adam", {"lr": 0.002}), ("sgd", {"lr": 0.001, "momentum": 0.9}), ("rmsprop", {"lr": 1e-3})],
)
def test_replay_is_the_live_run_bit_for_bit(rosenbrock, optimizer, params, pure):
    config = RunConfig.make(optimizer, (-1.2, 1.0), params, grad_noise=0.05, seed=11,
                            max_steps=4000)  # fmt: skip
    live, record = _live(rosenbrock, config, SCRIPT, pure)
    assert live.steps > 4000  # the step limit was met and Play went on
    assert any(e.kind == "resumed" for e in record.edits)
    again = replay(rosenbrock, record)
    _assert_same(live, again)
    # and Play goes on from there identically
    live.step(300)
    again.step(300)
    _assert_same(live, again)


def test_a_stall_resumed_by_play_is_resumed_at_the_same_step(bowl):
    config = RunConfig.make("sgd", (2.0, 1.0), {"lr": 0.1}, stall_window=50, gtol=0.0)
    script = [("step", 3000), ("play", None), ("step", 120), ("params", {"lr": 0.3}),
              ("step", 400)]  # fmt: skip
    live, record = _live(bowl, config, script, pure=True)
    assert [e.kind for e in record.edits][:1] == ["resumed"]
    _assert_same(live, replay(bowl, record))


def test_replay_in_slices_gives_the_rows_of_replay_at_once(rosenbrock):
    config = RunConfig.make("adam", (-1.2, 1.0), {"lr": 0.01}, grad_noise=0.2, seed=3)
    _, record = _live(rosenbrock, config, SCRIPT[:6] + [("step", 2000)], pure=True)
    whole = replay(rosenbrock, record)
    job = Replay(Run(rosenbrock, config, pure=True, keep_trajectory=False), record)
    chunks = []
    while not job.done:
        chunks += job.advance(333)
    assert [e.kind for e in job.applied] == [e.kind for e in record.edits]
    for name in FIELDS:
        rows = np.concatenate([getattr(c, name) for c in chunks])
        assert np.array_equal(rows, getattr(whole.trajectory, name)[1:]), name


def test_replay_stops_at_the_recorded_step_and_ignores_later_edits(bowl):
    config = RunConfig.make("adam", (2.0, 1.0), {"lr": 0.01}, early_stop=False)
    record = RunRecord(config, (Edit(10, "params", {"lr": 0.05}), Edit(99, "params", {"lr": 9.0})),
                       50)  # fmt: skip
    run = replay(bowl, record)
    assert run.steps == 50 and run.config.params["lr"] == 0.05
    assert final_config(record).params["lr"] == 0.05


def test_an_edit_the_engine_refuses_is_an_optimizer_error(bowl):
    config = RunConfig.make("sgd", (2.0, 1.0), {"lr": 5.0})  # diverges
    run = replay(bowl, RunRecord(config, (), 500))
    assert run.status is RunStatus.DIVERGED
    with pytest.raises(OptimizerError, match="cannot be moved"):
        apply_edit(run, Edit(run.steps, "moved", {"point": [0.0, 0.0]}))
    with pytest.raises(OptimizerError, match="malformed"):
        apply_edit(run, Edit(run.steps, "moved", {}))
    with pytest.raises(OptimizerError, match="unknown edit"):
        Edit(3, "explode", {})
