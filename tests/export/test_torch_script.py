""" "Copy as PyTorch": the script, run with torch, ends where the engine's run ends.

The scripts run in one child process of this Python (torch imported once); tests that need
torch skip cleanly without it. Tolerance: the gradient is autograd's and the schedules
torch's, both rounding differently from the engine's sympy-derived closed forms in the last
bits; runs that settle end within ~1e-14 (the noise, clipping and optimizer arithmetic are
the engine's exactly).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from saddlelab.cli import main
from saddlelab.core import catalogue
from saddlelab.core.expressions import FUNCTIONS
from saddlelab.core.optim import RunConfig, parse_schedule
from saddlelab.core.optim.replay import Edit, RunRecord, options_edit, replay
from saddlelab.core.surface import Surface
from saddlelab.export.torch_script import TorchScriptError, torch_script

EVERY_FUNCTION = (
    "sigmoid(x)*softplus(y) + log(1+x^2) + exp(-y)/3 + tanh(x*y) + abs(x-y) + sqrt(1+x^2+y^2)"
    " + sin(x)*cos(y)/(2+tan(x/4)) + asin(x/10) + acos(y/10) + atan(x) + sinh(x/3)"
    " + cosh(y/4) + ln(2+y^2) + pi*e*x/10 + 2^(x/4) + (1+y^2)^(-3/2)"
)


def _surfaces():
    return {
        "rosenbrock": catalogue.load("rosenbrock"),
        "w1w2w3": catalogue.load("w1w2w3-mse"),
        "typed": Surface.from_expression(EVERY_FUNCTION, ["x", "y"], "x=-3:3,y=-3:3"),
        # variable names the script itself uses are renamed
        "names": Surface.from_expression("(torch - 1)^2 + 3*(theta + 0.5)^2", ["torch", "theta"]),
    }


SURFACES = _surfaces()
ROS = (-1.2, 1.0)


def _cfg(name, params, **options):
    return RunConfig.make(name, options.pop("start", ROS), params, **options)


CASES = {
    "sgd": ("rosenbrock", _cfg("sgd", {"lr": 1e-3}), (), 300),
    "sgd-momentum": ("rosenbrock", _cfg("sgd", {"lr": 5e-4, "momentum": 0.9, "dampening": 0.1,
                                                "weight_decay": 0.01}), (), 300),
    "sgd-nesterov": ("rosenbrock", _cfg("sgd", {"lr": 5e-4, "momentum": 0.9, "nesterov": True}),
                     (), 300),
    "adagrad": ("rosenbrock", _cfg("adagrad", {"lr": 0.05, "lr_decay": 0.01, "weight_decay": 0.1,
                                               "initial_accumulator_value": 0.5}), (), 300),
    "rmsprop": ("rosenbrock", _cfg("rmsprop", {"lr": 1e-3}), (), 300),
    "rmsprop-centered": ("rosenbrock", _cfg("rmsprop", {"lr": 1e-3, "momentum": 0.5,
                                                        "centered": True, "weight_decay": 0.01}),
                         (), 300),
    "adam": ("rosenbrock", _cfg("adam", {"lr": 0.01}), (), 300),
    "adam-amsgrad": ("rosenbrock", _cfg("adam", {"lr": 0.01, "betas": (0.8, 0.99),
                                                 "weight_decay": 0.1, "amsgrad": True}), (), 300),
    "adamw": ("rosenbrock", _cfg("adamw", {"lr": 0.01, "weight_decay": 0.3, "amsgrad": True}),
              (), 300),
    "step": ("rosenbrock", _cfg("adam", {"lr": 0.05},
                                schedule=parse_schedule("step:step_size=7,gamma=0.5")), (), 120),
    "exponential": ("rosenbrock", _cfg("sgd", {"lr": 1e-3, "momentum": 0.5},
                                       schedule=parse_schedule("exponential:gamma=0.99")),
                    (), 150),
    "cosine": ("rosenbrock", _cfg("adam", {"lr": 0.05}, schedule=parse_schedule(
        "cosine:T_max=40,eta_min=0.001")), (), 120),
    "warmup-cosine": ("rosenbrock", _cfg("rmsprop", {"lr": 0.01}, schedule=parse_schedule(
        "warmup=10+cosine:T_max=40")), (), 120),
    "warmup": ("rosenbrock", _cfg("adam", {"lr": 0.05}, schedule=parse_schedule("warmup=5")),
               (), 120),
    "noise": ("rosenbrock", _cfg("adam", {"lr": 0.01}, grad_noise=0.5, seed=7), (), 200),
    "clip": ("rosenbrock", _cfg("sgd", {"lr": 1e-3, "momentum": 0.9}, clip_norm=2.0), (), 200),
    "noise-clip-3d": ("w1w2w3", _cfg("adamw", {"lr": 0.02}, start=(0.3, -0.2, 0.5),
                                     grad_noise=0.2, clip_norm=0.5, seed=11), (), 250),
    "every-function": ("typed", _cfg("adam", {"lr": 0.01}, start=(0.3, -0.2)), (), 300),
    "script-names": ("names", _cfg("sgd", {"lr": 0.05}, start=(0.0, 0.0)), (), 100),
    "edits": ("rosenbrock", _cfg("adam", {"lr": 0.01}, schedule=parse_schedule(
        "warmup=10+cosine:T_max=100")), (
        Edit(30, "params", {"lr": 0.02, "amsgrad": True}),
        options_edit(50, 0.3, 1.5, "exponential:gamma=0.98"),
        Edit(80, "moved", {"point": [0.5, 0.4], "reason": "escape"}),
        Edit(90, "resumed", {}),
        Edit(120, "moved", {"point": [0.7, 0.5]}),  # after the last update
    ), 120),
    "edits-rmsprop": ("rosenbrock", _cfg("rmsprop", {"lr": 1e-3}), (
        Edit(20, "params", {"momentum": 0.5, "centered": True}),
        Edit(60, "params", {"lr": 5e-4}),
    ), 150),
}  # fmt: skip


def _record(case):
    surface_name, config, edits, steps = CASES[case]
    return SURFACES[surface_name], RunRecord(config, edits, steps)


@pytest.fixture(scope="module")
def script_points(tmp_path_factory):
    """Every case's script run with torch in one child process: its printed final points."""
    if importlib.util.find_spec("torch") is None:
        pytest.skip("torch is not installed")
    folder = tmp_path_factory.mktemp("scripts")
    for case in CASES:
        surface, record = _record(case)
        (folder / f"{case}.py").write_text(torch_script(surface, record))
    runner = (
        "import contextlib, io, runpy, sys\n"
        "for name in sys.argv[2:]:\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        runpy.run_path(f'{sys.argv[1]}/{name}.py', run_name='__main__')\n"
        "    print(name, '|', out.getvalue().replace('\\n', '|'))\n"
    )
    done = subprocess.run([sys.executable, "-c", runner, str(folder), *CASES],
                          capture_output=True, text=True, check=False, timeout=240)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    points = {}
    for line in done.stdout.splitlines():
        name, _, printed = line.partition(" | ")
        final = next(p for p in printed.split("|") if p.startswith("final point:"))
        points[name] = np.array([float(v) for v in final.split(":", 1)[1].split(",")])
    return points


@pytest.mark.parametrize("case", list(CASES))
def test_script_ends_at_the_runs_final_point(script_points, case):
    surface, record = _record(case)
    run = replay(surface, record)
    assert run.steps == record.steps or run.done
    np.testing.assert_allclose(script_points[case], run.point, rtol=1e-12, atol=1e-13)


def test_the_script_is_short_and_names_torchs_classes():
    surface, record = _record("warmup-cosine")
    text = torch_script(surface, record)
    assert "torch.optim.RMSprop(" in text and "alpha=0.99" in text and "centered=False" in text
    assert "lr_scheduler.SequentialLR" in text and "CosineAnnealingLR(opt, T_max=40" in text
    assert "LinearLR(opt, start_factor=1.0 / 11, total_iters=10)" in text
    assert "for t in range(120):" in text and len(text.splitlines()) < 60
    compile(text, "script", "exec")
    surface, record = _record("adam-amsgrad")
    assert "betas=(0.8, 0.99)" in torch_script(surface, record)


def test_every_function_of_the_language_is_printed_in_torch():
    text = torch_script(*_record("every-function"))
    for name in ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp",
                 "log", "sqrt", "abs"):  # fmt: skip
        assert f"torch.{name}(" in text, name
    assert set(FUNCTIONS) - {"ln", "sigmoid", "softplus"} <= {
        n for n in FUNCTIONS if f"torch.{n}(" in text
    }  # ln is log; sigmoid and softplus arrive as exp and log
    assert "3.141592653589793" in text and "2.718281828459045" in text


@pytest.mark.parametrize("optimizer", ["newton", "saddle-free-newton", "gd-escape"])
def test_second_order_methods_get_one_line_instead(optimizer, capsys, tmp_path):
    surface = catalogue.load("w1w2-mse")
    record = RunRecord(RunConfig.make(optimizer, (0.1, 0.2)), (), 10)
    with pytest.raises(TorchScriptError, match="no torch.optim class") as caught:
        torch_script(surface, record)
    assert "\n" not in str(caught.value)
    path = tmp_path / "s.py"
    code = main(["run", "w1w2-mse", "--optimizer", optimizer, "--torch-script", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "no torch.optim class" in err
    assert not path.exists()


def test_cli_writes_the_script_of_its_run(tmp_path, capsys):
    path = tmp_path / "run.py"
    args = ["run", "himmelblau", "--optimizer", "adamw", "--set", "lr=0.02", "--steps", "80",
            "--schedule", "step:step_size=30,gamma=0.5", "--set", "grad_noise=0.1",
            "--seed", "5", "--torch-script", str(path), "--json"]  # fmt: skip
    assert main(args) == 0
    text = path.read_text()
    assert "torch.optim.AdamW(" in text and "lr=0.02" in text and "seed = 5" in text
    assert "StepLR(opt, step_size=30, gamma=0.5)" in text and "range(80)" in text


def test_the_torch_tests_skip_cleanly_without_torch():
    blocked = (
        "import sys\n"
        "sys.modules['torch'] = None  # as if torch were not installed\n"
        "import pytest\n"
        f"sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', {__file__!r}, '-k', 'ends_at']))\n"
    )
    done = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True,
                          check=False, timeout=240)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    assert f"{len(CASES)} skipped" in done.stdout and "failed" not in done.stdout
