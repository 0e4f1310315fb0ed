"""A run that starts on the pure-Python path and switches to the compiled loop mid-run (the
window while the loop compiles, the CLI's adaptive choice) ends bit for bit where a compiled run
ends."""

from __future__ import annotations

import numpy as np
import pytest
from test_optim_golden import VARIANTS

from saddlelab.core import catalogue
from saddlelab.core.optim import OPTIMIZERS, Run, RunConfig, parse_schedule


def _arrays(run: Run) -> tuple:
    t = run.trajectory
    return t.step, t.points, t.loss, t.grad_norm, t.lr, np.array([run.steps])


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_switching_from_pure_to_compiled_mid_run_keeps_the_trajectory_bit_identical(name):
    schedule = parse_schedule("warmup=10+cosine:T_max=100,eta_min=1e-4")
    for surface_id, noise, clip in (("rosenbrock", 0.1, 1.0), ("slice-trap", 0.0, None)):
        surface = catalogue.load(surface_id)
        params = VARIANTS[name][-1]
        config = RunConfig.make(name, surface.suggested_start(), params, grad_noise=noise,
                                clip_norm=clip, seed=5, schedule=schedule)  # fmt: skip
        compiled, switched = Run(surface, config), Run(surface, config, pure=True)
        for run in (compiled, switched):  # a change mid-run, made on the pure side
            run.step(17)
            run.set_params(lr=config.params["lr"] / 2)
        assert switched.pure
        switched.step(23)
        switched.compile()
        assert not switched.pure
        switched.step(60)
        compiled.step(83)
        for a, b in zip(_arrays(switched), _arrays(compiled), strict=True):
            assert a.shape == b.shape and a.tobytes() == b.tobytes()
        assert switched.status is compiled.status
