""" "Copy as command": the printed line, run by the CLI, makes exactly the same run."""

from __future__ import annotations

import json
import shlex

import numpy as np
import pytest

from saddlelab.cli import build_parser, main
from saddlelab.commands.render_args import parse_records
from saddlelab.core import catalogue
from saddlelab.core.optim import RunConfig, parse_schedule
from saddlelab.core.optim.replay import Edit, RunRecord, replay
from saddlelab.core.surface import Surface
from saddlelab.export.command_line import render_command, run_command
from saddlelab.export.options import ExportOptions

TYPED = Surface.from_expression("(1 - w1*w2)^2 + 0.1*log(1 + w1^2)", ["w1", "w2"],
                                "w1=-2.5:1.5,w2=-0.5:3", id="typed")  # fmt: skip
CASES = [
    (catalogue.load("rosenbrock"),
     RunRecord(RunConfig.make("adam", (-1.2, 1.0), {"lr": 0.0123, "betas": (0.8, 0.995),
                                                    "amsgrad": True},
                              schedule=parse_schedule("warmup=7+cosine:T_max=90,eta_min=0.0001"),
                              grad_noise=0.25, clip_norm=3.5, seed=12), (), 140)),
    (catalogue.load("himmelblau"),
     RunRecord(RunConfig.make("sgd", (0.1 + 0.2, -1 / 3), {"lr": 1e-3, "momentum": 0.9,
                                                          "nesterov": True}), (), 500)),
    (TYPED, RunRecord(RunConfig.make("rmsprop", (-0.7, 0.05), {"lr": 3e-3, "centered": True},
                                     early_stop=False), (), 400)),
    (catalogue.load("w1w2-mse"),
     RunRecord(RunConfig.make("gd-escape", (0.01, -0.02), {"lr": 0.05}), (), 3000)),
]  # fmt: skip


def _cli_final(words, capsys) -> np.ndarray:
    assert words[:2] == ["saddlelab", "run"]
    assert main([*words[1:], "--json"]) == 0
    return np.array(json.loads(capsys.readouterr().out)["final"]["point"])


@pytest.mark.parametrize("case", range(len(CASES)))
def test_command_reproduces_the_run_exactly(case, capsys):
    surface, record = CASES[case]
    command = run_command(surface, record)
    assert "\n" not in command and command.startswith("saddlelab run ")
    engine = replay(surface, record)
    np.testing.assert_array_equal(_cli_final(shlex.split(command), capsys), engine.point)


def test_only_non_default_settings_are_set():
    surface, record = CASES[1]
    words = shlex.split(run_command(surface, record))
    sets = [words[i + 1] for i, w in enumerate(words) if w == "--set"]
    assert sets == ["momentum=0.9", "nesterov=true"]  # lr 1e-3 is SGD's default
    assert words[words.index("--start") + 1] == "0.30000000000000004,-0.3333333333333333"
    assert "--seed" not in words and "--schedule" not in words
    typed = shlex.split(run_command(*CASES[2]))
    assert typed[2:8] == ["--expr", TYPED.expression, "--vars", "w1,w2",
                          "--domain", "w1=-2.5:1.5,w2=-0.5:3.0"]  # fmt: skip
    assert "--exact-steps" in typed


def test_a_run_changed_mid_run_says_the_command_has_its_initial_settings(capsys):
    surface = catalogue.load("rosenbrock")
    record = RunRecord(RunConfig.make("adam", (-1.2, 1.0), {"lr": 0.01}),
                       (Edit(50, "params", {"lr": 0.05}),), 100)  # fmt: skip
    note, command = run_command(surface, record).split("\n")
    assert note.startswith("# ") and "initial settings only" in note and "params at step 50" in note
    unchanged = replay(surface, RunRecord(record.config, (), 100))
    np.testing.assert_array_equal(_cli_final(shlex.split(command), capsys), unchanged.point)


def test_render_command_parses_back_to_the_same_runs(tmp_path):
    surface = catalogue.load("rosenbrock")
    records = [CASES[0][1], RunRecord(RunConfig.make("sgd", (0.5, -0.5), {"lr": 2e-3},
                                                     max_steps=300), (), 300)]  # fmt: skip
    out = str(tmp_path / "my figure.pdf")
    options = ExportOptions.preset("column", theme="dark")
    command = render_command(surface, records, out, options)
    words = shlex.split(command)
    assert words[:3] == ["saddlelab", "render", "rosenbrock"]
    args = build_parser().parse_args(words[1:])
    assert args.out == out and args.theme == "dark" and args.view == "contour"
    assert args.size == "3.5x2.8in" and args.dpi == "200"
    parsed = parse_records(args, surface)
    for mine, theirs in zip(parsed, records, strict=True):
        assert mine.steps == theirs.steps
        assert mine.config.with_changes(max_steps=0) == theirs.config.with_changes(max_steps=0)
    movie = shlex.split(render_command(surface, records[:1], "a.mp4",
                                       ExportOptions(size_px=(640, 360), fps=24, duration=2.5,
                                                     view="surface", orbit=True)))  # fmt: skip
    for pair in (["--size", "640x360"], ["--fps", "24"], ["--duration", "2.5"]):
        assert pair[1] == movie[movie.index(pair[0]) + 1]
    assert "--orbit" in movie and "--dpi" not in movie
