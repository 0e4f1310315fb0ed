"""The first Play moves the run at once, before anything is compiled, and the run switches to
the compiled loop when that is ready without changing a bit of its trajectory."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from saddlelab.app.runtime import worker
from saddlelab.core import catalogue
from saddlelab.core.optim import Run, RunConfig


class _Compiler:
    """Stands in for the background compiler: ready only when the test says so."""

    def __init__(self) -> None:
        self.is_ready = False
        self.requested: list = []

    def request(self, surface) -> None:
        self.requested.append(surface)

    def ready(self, surface) -> bool:
        return self.is_ready


@pytest.fixture
def step_worker():
    made = worker.StepWorker()
    made.compiler = _Compiler()
    made.batches: list = []
    made.batch_ready.connect(made.batches.extend)
    made.batch_ready.connect(lambda _: made.acknowledge())
    yield made
    made.stop()


def _config(surface) -> RunConfig:
    return RunConfig(optimizer="adam", params={"lr": 0.01}, start=tuple(surface.suggested_start()))


def _rows(batches) -> int:
    return sum(len(b.chunk.step) for b in batches)


def test_play_moves_the_run_while_the_compiled_loop_does_not_exist(qtbot, step_worker, monkeypatch):
    # A compile that never finishes, and no compiled loop to import in this process either.
    monkeypatch.setitem(sys.modules, "saddlelab.core.optim._kernels", None)
    surface = catalogue.load("rosenbrock")
    step_worker.set_surface(surface)
    step_worker.reset_run(1, 0, _config(surface))
    step_worker.start()
    step_worker.set_playing(True)
    qtbot.waitUntil(lambda: _rows(step_worker.batches) >= 30, timeout=60_000)
    step_worker.set_playing(False)
    assert not any(b.error for b in step_worker.batches)
    assert step_worker.compiler.requested == [surface]  # the compile was asked for at once


def test_the_switch_to_the_compiled_loop_keeps_the_trajectory_bit_identical(qtbot, step_worker):
    surface = catalogue.load("rosenbrock")
    step_worker.set_surface(surface)
    step_worker.reset_run(1, 0, _config(surface))
    step_worker.start()
    with qtbot.waitSignal(step_worker.batch_ready, timeout=60_000):
        step_worker.step(25)  # on the pure path
    entry = step_worker._entries[1]
    assert entry.run.pure
    step_worker.compiler.is_ready = True
    qtbot.waitUntil(lambda: not entry.run.pure, timeout=120_000)  # loaded (or compiled) here
    with qtbot.waitSignal(step_worker.batch_ready, timeout=60_000):
        step_worker.step(40)
    qtbot.waitUntil(lambda: _rows(step_worker.batches) == 65, timeout=60_000)
    points = np.concatenate([b.chunk.points for b in step_worker.batches])
    compiled = Run(surface, _config(surface))
    compiled.step(65)
    expected = compiled.trajectory.points[1:]
    assert points.tobytes() == expected.tobytes()


def test_the_worker_prepares_numba_as_it_starts(qtbot, step_worker, monkeypatch):
    """numba's import and implementations load in a thread of their own as soon as the worker
    starts (the window starts it once on screen), not while the first Play's runs move."""
    started: list = []
    monkeypatch.setattr(worker, "prepare_numba", lambda: started.append(True))
    step_worker.start()
    qtbot.waitUntil(lambda: started == [True], timeout=10_000)
