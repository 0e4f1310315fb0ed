"""The worker builds runs for a surface only once the user has stopped switching surfaces."""

from __future__ import annotations

import time

from saddlelab.app import worker
from saddlelab.core import catalogue
from saddlelab.core.optim import RunConfig


def _config(surface) -> RunConfig:
    return RunConfig(optimizer="sgd", params={"lr": 0.01}, start=tuple(surface.suggested_start()))


def test_surfaces_passed_over_are_never_compiled_for(qtbot) -> None:
    step_worker = worker.StepWorker()
    built: list[tuple[float, str]] = []

    def on_busy(message: str) -> None:
        if message:  # "Preparing ... (compiling)" as a run is built, "" when it is done
            built.append((time.perf_counter(), message))

    step_worker.busy.connect(on_busy)
    batches: list = []
    step_worker.batch_ready.connect(batches.append)
    step_worker.batch_ready.connect(lambda _: step_worker.acknowledge())
    step_worker.start()
    try:
        ids = ("himmelblau", "beale", "booth", "w1w2-mse")
        surfaces = [catalogue.load(i) for i in ids]
        for generation, surface in enumerate(surfaces):  # quicker than the settle time
            step_worker.set_surface(surface)
            step_worker.reset_run(1, generation, _config(surface))
        last = time.perf_counter()
        qtbot.waitUntil(lambda: len(built) >= 1, timeout=60_000)
        assert built[0][0] - last >= 0.9 * worker.SURFACE_SETTLE_S
        # The one run built is the last surface's: a step shows where it starts.
        with qtbot.waitSignal(step_worker.batch_ready, timeout=60_000):
            step_worker.step(1)
        rows = batches[-1][0]
        assert rows.generation == len(surfaces) - 1
        assert len(built) == 1
        # Asked for a step right after a switch, the worker builds at once.
        step_worker.set_surface(surfaces[0])
        step_worker.reset_run(1, 10, _config(surfaces[0]))
        asked = time.perf_counter()
        with qtbot.waitSignal(step_worker.batch_ready, timeout=60_000):
            step_worker.step(1)
        assert len(built) == 2 and built[1][0] - asked < worker.SURFACE_SETTLE_S
        assert batches[-1][0].generation == 10
    finally:
        step_worker.stop()
