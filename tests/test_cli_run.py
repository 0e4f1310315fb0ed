"""`saddlelab run`: exit codes, JSON keys, CSV."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from saddlelab.cli import main


def run_json(capsys, *args):
    assert main(["run", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_keys_and_rows(capsys):
    data = run_json(capsys, "rosenbrock", "--optimizer", "adam", "--set", "lr=0.01",
                    "--set", "betas=0.9,0.999", "--steps", "200", "--start", "-1.2,1")  # fmt: skip
    for key in ("surface", "optimizer", "params", "start", "step", "trajectory", "loss",
                "gradient_norm", "lr", "status", "steps", "final"):  # fmt: skip
        assert key in data
    assert data["params"] == {"lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-8,
                              "weight_decay": 0.0, "amsgrad": False}  # fmt: skip
    assert data["step"] == list(range(201)) and len(data["trajectory"]) == 201
    assert data["trajectory"][0] == [-1.2, 1.0] and data["start"] == [-1.2, 1.0]
    assert len(data["loss"]) == len(data["gradient_norm"]) == len(data["lr"]) == 201
    assert data["status"] == "max_steps" and data["steps"] == 200
    assert data["final"]["point"] == data["trajectory"][-1]


def test_newton_at_the_lecture_saddle_reports_it(capsys):
    data = run_json(capsys, "w1w2-mse", "--optimizer", "newton", "--start", "0.1,-0.05")
    assert data["status"] == "converged"
    assert data["final"]["classification"] == "saddle"


def test_divergence_is_a_status_with_standard_json():
    out = subprocess.run(
        [sys.executable, "-m", "saddlelab", "run", "--expr", "x^2 + y^2", "--vars", "x,y",
         "--optimizer", "sgd", "--set", "lr=1.5", "--steps", "3000", "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "NaN" not in out.stdout and "Infinity" not in out.stdout
    data = json.loads(out.stdout)
    assert data["status"] == "diverged"


def test_csv(tmp_path, capsys):
    path = tmp_path / "run.csv"
    assert main(["run", "booth", "--optimizer", "newton", "--steps", "3", "--csv", str(path)]) == 0
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["step", "x", "y", "loss", "gradient_norm", "lr"]
    assert [float(v) for v in rows[2][1:3]] == pytest.approx([1.0, 3.0])
    assert "converged" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--optimizer", "adamx"], "unknown optimizer"),
        (["--optimizer", "adam", "--set", "momentum=0.9"], "no parameter 'momentum'"),
        (["--optimizer", "sgd", "--set", "lr=-0.1"], "must not be negative"),
        (["--optimizer", "sgd", "--set", "nesterov=maybe"], "true or false"),
        (["--optimizer", "sgd", "--set", "lr"], "KEY=VALUE"),
        (["--optimizer", "sgd", "--schedule", "cosine"], "needs T_max"),
        (["--optimizer", "sgd", "--steps", "many"], "--steps"),
        (["--optimizer", "sgd", "--start", "1"], "--start needs 2"),
        (["--optimizer", "sgd", "--json", "--csv", "x.csv"], "not allowed"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, args, words):
    assert main(["run", "rosenbrock", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


LECTURE_ON_THE_LINE = ("w1w2-mse", "--optimizer", "sgd", "--set", "lr=0.1", "--start", "-1.2,1.2")


def test_status_and_final_agree_on_the_lecture_saddle(capsys):
    # GD started on the line w1 = -w2 runs into the saddle (0, 0): called converged only where
    # the analysis of the final point calls it critical, and a saddle
    data = run_json(capsys, *LECTURE_ON_THE_LINE, "--steps", "5000")
    assert data["status"] == "converged"
    assert data["status_detail"].startswith("converged to a saddle point at (")
    final = data["final"]
    assert final["classification"] == "saddle" and final["is_critical"]
    assert data["verdict"] == "saddle"
    assert data["stopped_early"] is True and data["stop_reason"] == "converged"
    assert data["steps_taken"] == data["steps"] == len(data["step"]) - 1 < 5000
    assert data["steps_requested"] == 5000 and data["early_stop"] is True


def test_exact_steps_takes_every_update_after_convergence(capsys):
    data = run_json(capsys, *LECTURE_ON_THE_LINE, "--steps", "300", "--exact-steps")
    assert data["steps_taken"] == 300 and data["step"] == list(range(301))
    assert data["stopped_early"] is False and data["stop_reason"] is None
    assert data["early_stop"] is False and data["status"] == "max_steps"
    assert data["final"]["classification"] == "saddle"
    assert main(["run", *LECTURE_ON_THE_LINE, "--steps", "300", "--exact-steps"]) == 0
    assert "took all 300 steps" in capsys.readouterr().out


def test_exact_steps_still_stops_at_divergence_and_says_why(capsys):
    data = run_json(capsys, "w1w2-mse", "--optimizer", "sgd", "--set", "lr=5", "--steps",
                    "1000", "--exact-steps")  # fmt: skip
    assert data["status"] == "diverged" and data["steps_taken"] < 1000
    assert data["stopped_early"] is True and data["stop_reason"] == "diverged"
    assert main(["run", *LECTURE_ON_THE_LINE, "--steps", "5000"]) == 0
    assert "stopped early (converged) after " in capsys.readouterr().out


def test_help_explains_exact_steps_and_the_early_stop(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--exact-steps" in text and "stopped_early" in text and "stop_reason" in text
