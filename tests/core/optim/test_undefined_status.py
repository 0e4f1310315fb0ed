"""A run that starts, or arrives, where the loss is undefined says so (not "diverged"), on the
compiled and on the pure-Python path."""

from __future__ import annotations

import pytest

from saddlelab.core.optim import OptimizerError, Run, RunConfig, RunStatus
from saddlelab.core.surface import Surface

LOG = Surface.from_expression("log(x) + y^2", ["x", "y"])


@pytest.mark.parametrize("pure", [False, True], ids=["compiled", "pure"])
def test_undefined_start_never_steps(pure):
    run = Run(LOG, RunConfig.make("sgd", (-1, -1)), pure=pure)
    assert run.status is RunStatus.UNDEFINED_START and run.done
    assert run.status_detail == "L is undefined at the start (-1, -1): choose another start"
    chunk = run.step(50)
    assert len(chunk) == 0 and run.steps == 0 and run.status is RunStatus.UNDEFINED_START
    with pytest.raises(OptimizerError, match="undefined"):
        run.move_to((1.0, 1.0))
    run.reset(start=(1.0, 1.0))
    assert run.status is RunStatus.READY


@pytest.mark.parametrize("pure", [False, True], ids=["compiled", "pure"])
def test_undefined_gradient_at_the_start(pure):
    surface = Surface.from_expression("sqrt(x) + y^2", ["x", "y"])
    run = Run(surface, RunConfig.make("adam", (0, 1)), pure=pure)
    run.step(5)
    assert run.status is RunStatus.UNDEFINED_START and run.steps == 0
    assert "no finite gradient at the start (0, 1)" in run.status_detail


@pytest.mark.parametrize("pure", [False, True], ids=["compiled", "pure"])
def test_walking_into_the_undefined_region_is_not_a_divergence(pure):
    run = Run(LOG, RunConfig.make("sgd", (0.1, 1), {"lr": 1.0}), pure=pure)
    run.step(10)
    assert run.status is RunStatus.UNDEFINED and run.steps == 1
    assert run.status_detail.startswith(
        "stopped: L is undefined at (-9.9, -1), reached after 1 step"
    )
    assert "left the domain" not in run.status_detail

    far = Surface.from_expression("x^4 + y^2", ["x", "y"])  # gone to infinity: diverged
    run = Run(far, RunConfig.make("sgd", (1.5, 1), {"lr": 1.0}), pure=pure)
    run.step(10)
    assert run.status is RunStatus.DIVERGED


def test_batch_rows_say_it_as_single_runs_do():
    from saddlelab.core.optim import Batch

    configs = [RunConfig.make("sgd", start) for start in ((-1, -1), (1, 1))]
    batch = Batch(LOG, configs)
    batch.step(5)
    assert batch.statuses == (RunStatus.UNDEFINED_START, RunStatus.RUNNING)
    assert batch.run_row(0).status is RunStatus.UNDEFINED_START and batch.run_row(0).steps == 0
