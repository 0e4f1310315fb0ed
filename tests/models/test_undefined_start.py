"""A run whose start is where the loss is undefined: its own status, never playing."""

from __future__ import annotations

from saddlelab.core.optim import RunStatus
from saddlelab.core.surface import Surface
from saddlelab.models.app_state import AppState


def test_a_start_where_the_loss_is_undefined_is_a_status_and_nothing_plays():
    state = AppState(Surface.from_expression("log(x) + y^2", ["x", "y"]))
    run = state.add_run("adam", start=(-1.0, -1.0))
    assert run.status is RunStatus.UNDEFINED_START and run.done
    assert run.status_detail == "L is undefined at the start (-1, -1): choose another start"
    assert not state.can_move()
    assert "undefined" in run.request_move((1.0, 1.0))
    assert state.probe.undefined and state.probe.message.startswith("L is undefined at (-1, -1)")
    run.set_start((0.5, 0.5))
    assert run.status is RunStatus.READY and state.can_move()
