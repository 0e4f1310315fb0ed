"""The CLI on a loss that is undefined on part of its domain: it says where, and a start or a
point there gets its own one-line answer (text and JSON)."""

from __future__ import annotations

import json

from saddlelab.cli import main

LOG = ["--expr", "log(x) + y^2", "--vars", "x,y"]
NOTE = "L is undefined on 50% of the domain (x < 0)"


def test_analyze_at_an_undefined_point_answers_one_line(capsys):
    assert main(["analyze", *LOG, "--at", "-1,-1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"note: {NOTE}", "L is undefined at (-1, -1)"]


def test_analyze_json_at_an_undefined_point(capsys):
    assert main(["analyze", *LOG, "--at", "-1,-1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["defined"] is False and data["message"] == "L is undefined at (-1, -1)"
    assert data["undefined"]["share"] == 0.5 and data["undefined"]["where"] == "x < 0"


def test_analyze_where_defined_notes_the_undefined_share(capsys):
    assert main(["analyze", *LOG, "--at", "1,1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["notes"] == [NOTE] and data["loss"] == 1.0 and "defined" not in data


def test_run_from_an_undefined_start(capsys):
    assert main(["run", *LOG, "--optimizer", "sgd", "--start", "-1,-1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "undefined_start" and data["steps"] == 0
    assert data["status_detail"] == "L is undefined at the start (-1, -1): choose another start"
    assert data["undefined"]["message"] == NOTE
    assert main(["run", *LOG, "--optimizer", "sgd", "--start", "-1,-1"]) == 0
    out = capsys.readouterr().out
    assert f"note: {NOTE}" in out and "status: undefined_start" in out and "diverged" not in out


def test_run_into_the_undefined_region(capsys):
    assert main(["run", *LOG, "--optimizer", "sgd", "--set", "lr=1", "--start", "0.1,1",
                 "--json"]) == 0  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert (
        data["status"] == "undefined"
        and "left the region where L is defined" in (data["status_detail"])
    )


def test_a_partial_domain_is_completed_and_said(capsys):
    args = ["--expr", "x^2 + y^2", "--vars", "x,y", "--domain", "x=5:9"]
    assert main(["analyze", *args, "--at", "6,0", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["notes"] == ["y has no range in the domain: using y = -2:2 (the default)"]
    assert main(["critical-points", *args]) == 0
    assert "note: y has no range in the domain: using y = -2:2" in capsys.readouterr().out
