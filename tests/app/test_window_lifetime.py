"""A closed window leaves nothing behind on the models: no receiver on any model signal.

Views connect through :class:`~saddlelab.models.subscriptions.Subscriptions` and clear them on
close; this checks every signal of every model, for runs that existed before the window opened
and for one added while it was open, against the same state that never had a window."""

from __future__ import annotations

import psygnal

from saddlelab.app.window import MainWindow
from saddlelab.core import catalogue
from saddlelab.models.app_state import AppState


def _receivers(state: AppState) -> dict[str, int]:
    """Connections per model signal, runs named by position (their ids differ between states)."""
    models = {
        "state": state,
        "surface": state.surface,
        "runs": state.runs,
        "playback": state.playback,
        "view": state.view,
        "scene": state.scene,
        "probe": state.probe,
        "escape": state.escape,
        "critical": state.critical,
    }
    models.update({f"run {i}": run for i, run in enumerate(state.runs)})
    counts = {}
    for name, model in models.items():
        for attr in dir(type(model)):
            if isinstance(getattr(type(model), attr, None), psygnal.Signal):
                counts[f"{name}.{attr}"] = len(getattr(model, attr))
        group = getattr(model, "events", None)  # an evented dataclass's field signals
        if isinstance(group, psygnal.SignalGroup):
            for attr, signal in group.signals.items():
                counts[f"{name}.events.{attr}"] = len(signal)
    return counts


def _state(*optimizers: str) -> AppState:
    state = AppState(catalogue.load("w1w2-mse"))
    for name in optimizers:
        state.add_run(name, {"lr": 0.05})
    return state


def test_a_closed_window_leaves_no_receiver_on_any_model_signal(qtbot, gl_context):
    state = _state("sgd")
    before = _receivers(state)
    window = MainWindow(state.surface.surface, 60, state=state)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    state.add_run("adam", {"lr": 0.05})  # connected to while the window is open
    open_counts = _receivers(state)
    assert all(open_counts[k] >= n for k, n in before.items())
    assert sum(open_counts.values()) > sum(before.values()) + 20  # the views did subscribe
    window.close()
    assert _receivers(state) == _receivers(_state("sgd", "adam"))
