"""`saddlelab run --save-session FILE`: the file reopens the same run, to the last bit; a path
that cannot be written is one line and exit 2, before any step."""

from __future__ import annotations

import json

import numpy as np
import pytest

from saddlelab.cli import main
from saddlelab.models.session import load_session


@pytest.mark.parametrize(
    "surface",
    [["rosenbrock"], ["--expr", "(1 - a*b)^2 + 0.1*b^4", "--vars", "a,b", "--domain", "a=-3:2.5"]],
    ids=["catalogue", "typed"],
)
def test_the_saved_session_replays_the_run_exactly(tmp_path, capsys, surface):
    path = tmp_path / "run.json"
    args = ["run", *surface, "--optimizer", "adam", "--set", "lr=0.003", "--set", "grad_noise=0.2",
            "--set", "clip_norm=3", "--schedule", "warmup=5+cosine:T_max=150", "--seed", "42",
            "--steps", "400", "--exact-steps", "--start", "-1,1.5"]  # fmt: skip
    assert main([*args, "--json", "--save-session", str(path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    session = load_session(path)
    assert session.runs[0].record.config.early_stop is False
    state = session.build_state()
    run = state.runs.selected
    assert run.steps == printed["steps"] == 400
    assert np.array_equal(run.trajectory.points[-1], np.array(printed["trajectory"][-1]))
    assert run.status.value == printed["status"]
    assert run.schedule_text == "warmup=5+cosine:T_max=150,eta_min=0.0"
    assert json.loads(path.read_text())["saddlelab_session"] == 1


def test_a_path_that_cannot_be_written_is_one_line_and_exit_2(tmp_path, capsys):
    for bad, words in [(tmp_path / "no" / "s.json", "no folder"), (tmp_path, "is a folder")]:
        code = main(["run", "booth", "--optimizer", "sgd", "--steps", "10",
                     "--save-session", str(bad)])  # fmt: skip
        err = capsys.readouterr()
        assert code == 2 and err.out == ""
        assert err.err.count("\n") == 1 and words in err.err and "--save-session" in err.err


def test_a_session_file_for_a_command_is_read_and_shown_or_one_line(tmp_path):
    from saddlelab.commands.common import CLIError
    from saddlelab.commands.session_io import session_state

    path = tmp_path / "s.json"
    assert main(["run", "booth", "--optimizer", "adam", "--steps", "50", "--exact-steps",
                 "--save-session", str(path)]) == 0  # fmt: skip
    session, state = session_state(str(path))
    assert state.runs.selected.steps == 50 and session.runs[0].record.steps == 50
    path.write_text(path.read_text().replace('"adam"', '"adamx"'))
    with pytest.raises(
        CLIError, match=r"^s\.json: runs\[0\]\.optimizer: unknown optimizer 'adamx'"
    ):
        session_state(str(path))
