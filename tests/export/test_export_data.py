"""Runs, critical points and the probe's analysis written as CSV and JSON, read back exact."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from saddlelab.cli import main
from saddlelab.core import catalogue
from saddlelab.core.analysis import analyze
from saddlelab.core.critical import find_critical_points
from saddlelab.core.optim import Run, RunConfig, parse_schedule
from saddlelab.core.optim.replay import Edit, RunRecord
from saddlelab.core.surface import Surface
from saddlelab.export import data
from saddlelab.export.options import ExportError

RUN_KEYS = ["surface", "optimizer", "params", "schedule", "start", "step", "trajectory", "loss",
            "gradient_norm", "lr", "decimated", "status", "status_detail", "steps", "final",
            "verdict"]  # fmt: skip


@pytest.fixture(scope="module")
def rosenbrock() -> Surface:
    return catalogue.load("rosenbrock")


def _runs(surface):
    configs = [
        RunConfig.make("adam", (-1.2, 1.0), {"lr": 0.01},
                       schedule=parse_schedule("step:step_size=20,gamma=0.5")),
        RunConfig.make("sgd", (0.3, -0.4), {"lr": 1e-3, "momentum": 0.9}, grad_noise=0.3, seed=4),
    ]  # fmt: skip
    runs = []
    for config, steps in zip(configs, (150, 90), strict=True):
        run = Run(surface, config, pure=True)
        run.step(steps)
        runs.append(run)
    return runs


def test_run_json_is_the_cli_schema(rosenbrock, capsys):
    args = ["run", "rosenbrock", "--optimizer", "adam", "--set", "lr=0.01", "--steps", "120",
            "--start", "-1.2,1", "--schedule", "exponential:gamma=0.99", "--json"]  # fmt: skip
    assert main(args) == 0
    printed = json.loads(capsys.readouterr().out)
    config = RunConfig.make("adam", (-1.2, 1.0), {"lr": 0.01}, max_steps=120,
                            schedule=parse_schedule("exponential:gamma=0.99"))  # fmt: skip
    run = Run(rosenbrock, config, pure=True)
    run.step(120)
    record = json.loads(data.json_text(data.run_record_json(rosenbrock, run)))
    assert list(record) == RUN_KEYS
    assert record == {k: printed[k] for k in RUN_KEYS}


def test_runs_json_reads_back_exactly(rosenbrock, tmp_path):
    runs = _runs(rosenbrock)
    path = tmp_path / "runs.json"
    data.write_runs_json(path, rosenbrock, runs)
    document = json.loads(path.read_text())
    assert document["surface"] == "rosenbrock" and document["variables"] == ["x", "y"]
    assert len(document["runs"]) == 2
    for record, run in zip(document["runs"], runs, strict=True):
        assert list(record) == RUN_KEYS
        t = run.trajectory
        np.testing.assert_array_equal(np.array(record["trajectory"]), t.points)  # exact
        np.testing.assert_array_equal(np.array(record["loss"]), t.loss)
        np.testing.assert_array_equal(np.array(record["lr"]), t.lr)
        assert record["step"] == t.step.tolist() and record["steps"] == run.steps
        assert record["optimizer"] == run.config.optimizer
        assert record["final"]["point"] == run.point.tolist()


def test_runs_csv_has_a_run_column_and_exact_numbers(rosenbrock, tmp_path):
    runs = _runs(rosenbrock)
    path = tmp_path / "runs.csv"
    data.write_runs_csv(path, rosenbrock, runs)
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["run", "step", "x", "y", "loss", "gradient_norm", "lr"]
    body = rows[1:]
    assert len(body) == sum(len(r.trajectory) for r in runs)
    for number, run in enumerate(runs, start=1):
        mine = np.array([[float(v) for v in r[1:]] for r in body if r[0] == str(number)])
        t = run.trajectory
        expected = np.column_stack([t.step, t.points, t.loss, t.grad_norm, t.lr])
        np.testing.assert_array_equal(mine, expected)


def test_non_finite_values_are_null_in_json_and_read_back_in_csv(tmp_path):
    bowl = Surface.from_expression("sqrt(x) + y^2", ["x", "y"], "x=-2:2,y=-2:2")
    run = Run(bowl, RunConfig.make("sgd", (0.1, 1.0), {"lr": 1.0}), pure=True)
    run.step(30)
    assert run.status.value == "undefined"  # stepped to x < 0: the loss is NaN there
    path = tmp_path / "d.json"
    data.write_runs_json(path, bowl, [run])
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    assert None in json.loads(text)["runs"][0]["loss"]
    data.write_runs_csv(tmp_path / "d.csv", bowl, [run])
    last = list(csv.reader((tmp_path / "d.csv").open()))[-1]
    assert not np.isfinite(float(last[4]))


def test_replayed_records_carry_full_trajectories_with_their_edits(rosenbrock):
    config = RunConfig.make("adam", (-1.2, 1.0), {"lr": 0.01})
    record = RunRecord(config, (Edit(40, "params", {"lr": 0.02}),
                                Edit(70, "moved", {"point": [0.5, 0.5]})), 100)  # fmt: skip
    (run,) = data.runs_from_records(rosenbrock, [record])
    direct = Run(rosenbrock, config, pure=True)
    direct.step(40)
    direct.set_params(lr=0.02)
    direct.step(30)
    direct.move_to((0.5, 0.5))
    direct.step(30)
    assert run.steps == 100 and len(run.trajectory) == 102  # the start, 100 updates, the move
    np.testing.assert_array_equal(run.trajectory.points, direct.trajectory.points)


def test_critical_points_csv(tmp_path):
    surface = catalogue.load("himmelblau")
    points = list(find_critical_points(surface))
    path = tmp_path / "critical.csv"
    data.write_critical_csv(path, surface, points)
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["point", "class", "x", "y", "loss", "eigenvalue_1", "eigenvalue_2",
                       "minimum_ratio", "isolated"]  # fmt: skip
    assert len(rows) == len(points) + 1 == 10  # 4 minima, 4 saddles, 1 maximum
    for row, p in zip(rows[1:], points, strict=True):
        assert row[1] == p.classification
        assert [float(v) for v in row[2:4]] == p.point.tolist()
        assert float(row[4]) == p.loss
        assert [float(v) for v in row[5:7]] == p.eigenvalues.tolist()
    assert sorted(r[1] for r in rows[1:]).count("saddle") == 4


def test_analysis_json_is_the_analyze_record(tmp_path, capsys):
    surface = catalogue.load("w1w2-mse")
    analysis = analyze(surface, np.array([0.3, -0.2]))
    path = tmp_path / "probe.json"
    data.write_analysis_json(path, analysis)
    assert main(["analyze", "w1w2-mse", "--at", "0.3,-0.2", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    written = json.loads(path.read_text())
    assert written == {k: printed[k] for k in written}
    assert written["point"] == [0.3, -0.2]


def test_unwritable_path_is_one_line(rosenbrock, tmp_path):
    with pytest.raises(ExportError, match="cannot write") as caught:
        data.write_runs_csv(tmp_path / "missing" / "runs.csv", rosenbrock, _runs(rosenbrock))
    assert "\n" not in str(caught.value)
