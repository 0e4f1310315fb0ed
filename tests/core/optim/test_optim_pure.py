"""The pure-Python path (``Run(..., pure=True)``): the engine's functions uncompiled, without
numba, bit for bit the compiled loop."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_optim_golden import (
    SINGLE_RUNS,
    SMALL_BATCHES,
    VARIANTS,
    batch_state,
    digest,
    row_configs,
    single_cases,
    starts_for,
)

from saddlelab.core import catalogue
from saddlelab.core.optim import OPTIMIZERS, Batch, Run, RunConfig, _pure, parse_schedule
from saddlelab.core.surface import Surface

ROOT = Path(__file__).resolve().parents[3]
POWERS = Surface.from_expression(
    "2^x + y^0.5 + x^-2 + 8^y + x^2.5 + x^3*y^-1 + 10^(x/4) + exp(x)*log(y) + (x*y)^(1/3)"
    " + x^2.0 + y^-1.0 + abs(x - y) + tanh(x*y)",
    ["x", "y"],
    "x=0.5:2,y=0.5:2",
)


def trajectory(run: Run) -> tuple:
    t = run.trajectory
    return t.step, t.points, t.loss, t.grad_norm, t.lr, [run.steps, int(run._engine.ST[0])]


def assert_bytes_equal(a: tuple, b: tuple) -> None:
    for x, y in zip(a, b, strict=True):
        x, y = np.asarray(x), np.asarray(y)
        assert x.shape == y.shape and x.tobytes() == y.tobytes()


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_pure_run_equals_the_compiled_loop_array_for_array(name):
    """Every optimizer, each hyper-parameter variant, with noise, clipping and schedules, on a
    2- and a 3-variable surface: 300 updates, every trajectory array equal to the last bit."""
    schedule = parse_schedule("warmup=10+cosine:T_max=100,eta_min=1e-4")
    for surface_id, noise, clip in (("rosenbrock", 0.1, 1.0), ("slice-trap", 0.0, None)):
        surface = catalogue.load(surface_id)
        for params in VARIANTS[name]:
            config = RunConfig.make(name, surface.suggested_start(), params, grad_noise=noise,
                                    clip_norm=clip, seed=3, schedule=schedule)  # fmt: skip
            runs = Run(surface, config), Run(surface, config, pure=True)
            for run in runs:
                run.step(100)
                run.step(200)
            assert_bytes_equal(trajectory(runs[0]), trajectory(runs[1]))
            assert runs[0].status is runs[1].status


def test_pure_single_runs_give_the_golden_hash():
    """The golden single runs (every optimizer, five surfaces, noise, clipping, schedules,
    every status), stepped without compiling, hash to the compiled loop's recorded value."""
    h = hashlib.sha256()
    for name, surface_id, params, options in single_cases():
        surface = catalogue.load(surface_id)
        config = RunConfig.make(name, surface.suggested_start(), params, **options)
        run = Run(surface, config, pure=True)
        run.step(120)
        run.step(180)
        h.update(digest(*trajectory(run)).encode())
    assert h.hexdigest() == SINGLE_RUNS


def test_pure_small_batches_give_the_golden_hash():
    surface = catalogue.load("rosenbrock")
    h = hashlib.sha256()
    for k, name in enumerate(OPTIMIZERS):
        configs = row_configs(name, starts_for(surface, 40, k), range(0, 40, 3), range(1, 40, 4))
        batch = Batch(surface, configs, pure=True)
        batch.step(60)
        batch.step(190)
        h.update(digest(*batch_state(batch)).encode())
    assert h.hexdigest() == SMALL_BATCHES["rosenbrock"]


def surface_values(functions, point) -> np.ndarray:
    args = (*point, *([0.0] * (3 - len(point))))
    values = [functions.surface_loss(*args), *functions.surface_grad(*args),
              *functions.surface_hess(*args)]  # fmt: skip
    return np.array(values, dtype=float)


@pytest.mark.parametrize("surface", [e.build() for e in catalogue.entries()] + [POWERS],
                         ids=[e.id for e in catalogue.entries()] + ["powers"])  # fmt: skip
def test_pure_surface_functions_equal_the_compiled_ones(surface):
    """The pure path's loss, gradient and Hessian are the printed source the compiled module is
    built from, run as Python with numba's lowering of powers: equal to the last bit. (The
    surface's own lambdified numpy functions, ``Surface.gradient``, differ from both in the last
    bits at many points: numpy.power against multiplication, another CSE. They agree to 1e-12.)
    """
    from saddlelab.core.optim.codegen import kernels_for

    compiled, pure = kernels_for(surface), _pure.surface_functions(surface)
    lo, hi = np.array(surface.domain).T
    for point in np.random.default_rng(0).uniform(lo, hi, size=(200, surface.ndim)):
        a, b = surface_values(compiled, point), surface_values(pure, point)
        assert a.tobytes() == b.tobytes(), point
        np.testing.assert_allclose(surface.gradient(point), a[1 : 1 + surface.ndim], rtol=1e-12,
                                   atol=1e-12)  # fmt: skip


def test_pure_powers_follow_numba_at_special_values():
    """Each kind of power, compiled by numba and run by :func:`_pure.power`, at signed zeros,
    infinities, NaN, negative bases and ordinary values: the same bits."""
    import numba

    jit = numba.njit(error_model="numpy")
    cases = [
        ("int", 3, jit(lambda x: x**3)), ("int", -2, jit(lambda x: x ** (-2))),
        ("exponent", 0.5, jit(lambda x: x**0.5)), ("exponent", 2.0, jit(lambda x: x**2.0)),
        ("exponent", -1.0, jit(lambda x: x**-1.0)), ("exponent", 1.7, jit(lambda x: x**1.7)),
        ("base", 2.0, jit(lambda x: 2.0**x)), ("base", 0.25, jit(lambda x: 0.25**x)),
        ("base", 10.0, jit(lambda x: 10.0**x)),
    ]  # fmt: skip
    for x in (-np.inf, -4.0, -0.5, -0.0, 0.0, 1e-300, 1e-100, 0.7, 3.0, 1e300, np.inf, np.nan):
        for kind, b, compiled in cases:
            args = (b, x, kind) if kind == "base" else (x, b, kind)
            if kind == "int" and b < 0 and x * x == 0.0:  # numba raises, as Python does
                with pytest.raises(ZeroDivisionError):
                    compiled(x)
                with pytest.raises(ZeroDivisionError):
                    _pure.power(*args)
                continue
            with np.errstate(all="ignore"):
                value = _pure.power(*args)
            expected = np.float64(compiled(x))
            assert value.tobytes() == expected.tobytes(), (kind, b, x, value, expected)


def test_the_pure_path_never_imports_numba():
    """In a fresh interpreter: a pure run and a pure batch step, and numba stays unloaded."""
    code = (
        "import sys\n"
        "from saddlelab.core import catalogue\n"
        "from saddlelab.core.optim import Batch, Run, RunConfig\n"
        "s = catalogue.load('rosenbrock')\n"
        "run = Run(s, RunConfig.make('adam', (-1.2, 1.0), {'lr': 0.01}, grad_noise=0.1),"
        " pure=True)\n"
        "run.step(50)\n"
        "Batch(s, [RunConfig.make('newton', (0.5, 0.5), {})] * 3, pure=True).step(5)\n"
        "print(run.steps, sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('numba', 'llvmlite')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True)  # fmt: skip
    assert done.stdout.split(maxsplit=1) == ["50", "[]\n"], done.stdout + done.stderr
