"""The analysis CLI contract: names, JSON keys, human output and exit codes."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from saddlelab.cli import main

ANALYZE_KEYS = [
    "surface",
    "variables",
    "point",
    "loss",
    "gradient",
    "gradient_norm",
    "hessian",
    "eigenvalues",
    "eigenvectors",
    "curvature",
    "is_critical",
    "classification",
    "minimum_ratio",
    "escape_directions",
    "condition_number",
    "eta_opt",
    "eta_max_stable",
]


def _strict_json(text: str):
    def refuse(token: str):
        raise AssertionError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_analyze_json_lecture_example(capsys) -> None:
    code, out, err = run(capsys, "analyze", "w1w2-mse", "--at", "0,0", "--json")
    assert code == 0 and err == ""
    record = _strict_json(out)
    assert list(record) == ANALYZE_KEYS
    assert record["surface"] == "w1w2-mse" and record["variables"] == ["w1", "w2"]
    assert record["hessian"] == [[0.0, -2.0], [-2.0, 0.0]]
    assert record["eigenvalues"] == pytest.approx([-2.0, 2.0])
    s = 1 / math.sqrt(2)
    assert record["eigenvectors"] == [pytest.approx([s, s]), pytest.approx([s, -s])]
    assert record["escape_directions"] == [pytest.approx([s, s])]
    assert record["classification"] == "saddle" and record["minimum_ratio"] == 0.5
    assert record["is_critical"] is True
    assert record["eta_opt"] == 0.5 and record["eta_max_stable"] == 1.0


def test_analyze_json_uses_null_not_nan(capsys) -> None:
    code, out, _ = run(capsys, "analyze", "monkey-saddle", "--at", "0,0", "--json")
    assert code == 0
    record = _strict_json(out)
    assert record["condition_number"] is None and record["eta_opt"] is None
    assert record["classification"] == "degenerate" and record["escape_directions"] == []


def test_analyze_human_output_shows_tolerances_and_verdict(capsys) -> None:
    code, out, _ = run(capsys, "analyze", "w1w2-mse", "--at", "0,0")
    assert code == 0
    assert "tolerance" in out and "|λ| <= 2e-06 counts as zero" in out
    assert "classification     saddle" in out
    assert "L ≈ 1 + ½(−4·Δw1Δw2)" in out
    assert out.rstrip().endswith("Saddle point: the loss falls along (0.71, 0.71), where λ = -2.")


def test_analyze_typed_expression_with_domain(capsys) -> None:
    code, out, _ = run(
        capsys,
        "analyze",
        "--expr",
        "x^2 + y^2 - z^2",
        "--vars",
        "x,y,z",
        "--domain",
        "x=-1:1,y=-1:1,z=-1:1",
        "--at",
        "0,0,0",
        "--json",
    )
    assert code == 0
    record = _strict_json(out)
    assert record["surface"] == "custom" and record["minimum_ratio"] == pytest.approx(2 / 3)


def test_analyze_negative_coordinates_with_equals(capsys) -> None:
    code, out, _ = run(capsys, "analyze", "rosenbrock", "--at=-1.2,1", "--json")
    assert code == 0 and _strict_json(out)["classification"] == "not_critical"


def test_critical_points_json(capsys) -> None:
    code, out, _ = run(capsys, "critical-points", "himmelblau", "--json")
    assert code == 0
    record = _strict_json(out)
    assert list(record) == [
        "surface", "variables", "domain", "points", "truncated", "cancelled", "candidates", "note"
    ]  # fmt: skip
    assert record["truncated"] is False and record["cancelled"] is False
    assert record["domain"] == [[-5.0, 5.0], [-5.0, 5.0]]
    assert len(record["points"]) == 9
    for p in record["points"]:
        assert list(p) == ["point", "loss", "classification", "eigenvalues", "minimum_ratio"]
    classes = [p["classification"] for p in record["points"]]
    assert classes.count("local_min") == 4 and classes.count("saddle") == 4
    assert classes[-1] == "local_max"


def test_critical_points_human_marks_continua(capsys) -> None:
    code, out, _ = run(capsys, "critical-points", "w1w2-mse")
    assert code == 0
    assert "degenerate *" in out and "curve or surface of critical points" in out


def test_surfaces_lists_the_catalogue(capsys) -> None:
    code, out, _ = run(capsys, "surfaces", "--json")
    assert code == 0
    entries = _strict_json(out)
    ids = [e["id"] for e in entries]
    assert "w1w2-mse" in ids and "slice-trap" in ids
    assert {"id", "name", "variables", "domain", "start", "description"} <= set(entries[0])
    code, out, _ = run(capsys, "surfaces")
    assert code == 0 and "himmelblau" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["analyze", "no-such", "--at", "0,0"], "unknown surface 'no-such'"),
        (["analyze", "--expr", "__import__('os')", "--vars", "x,y", "--at", "0,0"], "column"),
        (["analyze", "--expr", "x.real + y", "--vars", "x,y", "--at", "0,0"], "attribute"),
        (["analyze", "--expr", "9**9**9", "--vars", "x,y", "--at", "0,0"], "exponent"),
        (["analyze", "--expr", "x^2", "--at", "0,0"], "--vars"),
        (["analyze", "saddle", "--at", "0,0,0"], "needs 2 coordinates"),
        (["analyze", "saddle", "--at", "0,nan"], "finite"),
        (["analyze", "saddle", "--at", "0,inf"], "finite"),
        (["analyze", "saddle", "--at", "0,abc"], "numbers"),
        (["analyze", "saddle"], "--at"),
        (["analyze", "saddle", "--expr", "x", "--at", "0,0"], "not both"),
        (
            ["analyze", "--expr", "x+y", "--vars", "x,y", "--domain", "x=2:1", "--at", "0,0"],
            "low < high",
        ),
        (["critical-points", "nope"], "unknown surface"),
        (["critical-points", "--expr", "x +", "--vars", "x,y"], "bad expression"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv: list[str], needle: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert needle in err


def test_whole_process_analyze_keeps_heavy_modules_off_the_path() -> None:
    probe = (
        "import sys\n"
        "from saddlelab.cli import main\n"
        "code = main(['analyze', 'w1w2-mse', '--at', '0,0', '--json'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'PySide6', 'pyqtgraph', 'OpenGL', 'numba', 'scipy', 'torch'})\n"
        "print('HEAVY', heavy, code)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "HEAVY [] 0" in done.stdout


def test_module_entry_point_reports_errors_with_status_2() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "saddlelab",
            "analyze",
            "--expr",
            "lambda: 1",
            "--vars",
            "x,y",
            "--at",
            "0,0",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert (
        done.stderr.startswith("saddlelab: error: bad expression")
        and "Traceback" not in done.stderr
    )


def test_negative_first_coordinate_needs_no_equals_sign(capsys):
    from saddlelab.cli import main

    assert main(["analyze", "w1w2-mse", "--at", "-1,-1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["point"] == [-1.0, -1.0]
    assert out["loss"] == 0.0
