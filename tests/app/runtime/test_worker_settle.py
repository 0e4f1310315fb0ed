"""The worker builds runs for a surface only once the user has stopped switching surfaces.

The rule is checked without the clock: the switches are queued before the thread starts (so the
worker sees them in one drain, however slow the machine), and the settle time is set to an hour
where a test needs "not yet" and to a few milliseconds where it needs "by now"."""

from __future__ import annotations

import pytest

from saddlelab.app.runtime import worker
from saddlelab.core import catalogue
from saddlelab.core.optim import RunConfig

SURFACES = ("himmelblau", "beale", "booth", "w1w2-mse")


def _config(surface) -> RunConfig:
    return RunConfig(optimizer="sgd", params={"lr": 0.01}, start=tuple(surface.suggested_start()))


@pytest.fixture
def step_worker():
    made = worker.StepWorker()
    made.built: list[str] = []
    made.batches: list = []
    # "Preparing ... (compiling)" as a run is built, "" when it is done.
    made.busy.connect(lambda message: made.built.append(message) if message else None)
    made.batch_ready.connect(made.batches.append)
    made.batch_ready.connect(lambda _: made.acknowledge())
    yield made
    made.stop()


def _switch_through_surfaces(step_worker) -> list:
    surfaces = [catalogue.load(i) for i in SURFACES]
    for generation, surface in enumerate(surfaces):
        step_worker.set_surface(surface)
        step_worker.reset_run(1, generation, _config(surface))
    return surfaces


def test_a_step_builds_at_once_and_only_for_the_last_surface(qtbot, step_worker, monkeypatch):
    monkeypatch.setattr(worker, "SURFACE_SETTLE_S", 3600.0)  # still settling for the whole test
    surfaces = _switch_through_surfaces(step_worker)
    step_worker.start()
    with qtbot.waitSignal(step_worker.batch_ready, timeout=60_000):
        step_worker.step(1)
    assert len(step_worker.built) == 1  # the surfaces passed over were never compiled for
    assert step_worker.batches[-1][0].generation == len(surfaces) - 1
    # Asked for a step right after another switch, the worker builds at once (it would
    # otherwise wait an hour here).
    step_worker.set_surface(surfaces[0])
    step_worker.reset_run(1, 10, _config(surfaces[0]))
    with qtbot.waitSignal(step_worker.batch_ready, timeout=60_000):
        step_worker.step(1)
    assert len(step_worker.built) == 2
    assert step_worker.batches[-1][0].generation == 10


def test_once_the_surface_settles_its_runs_are_built_without_a_step(
    qtbot, step_worker, monkeypatch
):
    monkeypatch.setattr(worker, "SURFACE_SETTLE_S", 0.01)
    _switch_through_surfaces(step_worker)
    step_worker.start()
    qtbot.waitUntil(lambda: len(step_worker.built) >= 1, timeout=60_000)
    assert len(step_worker.built) == 1 and not step_worker.batches
