"""A long CLI run whose loops were never compiled has them compiled in a child process while
it steps on the exact pure path, and switches once the child is done (issue 10, point 4: the
CLI's peak memory stays that of loading, not compiling; figures in
benchmarks/bench_first_minute.py)."""

from __future__ import annotations

import json
import sys

from saddlelab.cli import main
from saddlelab.core import catalogue
from saddlelab.core.optim import Run, RunConfig, warmup

ARGV = ["run", "rosenbrock", "--optimizer", "sgd", "--set", "lr=0.0001", "--steps", "200000",
        "--exact-steps", "--json"]  # fmt: skip


class _Child:
    """Stands in for the background compiler: its child is done after a few questions."""

    def __init__(self, events: list, busy_for: int) -> None:
        self.events = events
        self.busy_for = busy_for

    def __call__(self, nice: int = 10) -> _Child:
        self.events.append(("nice", nice))
        return self

    def request(self, surface) -> None:
        self.events.append(("request", surface.id))

    def compiled(self, surface) -> bool:
        self.busy_for -= 1
        self.events.append(("asked", self.busy_for < 0))
        return self.busy_for < 0

    def close(self) -> None:
        self.events.append(("close",))


def _cold(monkeypatch, tmp_path, busy_for: int) -> list:
    monkeypatch.setenv("SADDLELAB_CACHE_DIR", str(tmp_path))  # never compiled here
    monkeypatch.setattr(warmup, "COLD_COMPILE_S", 1e-3)  # compiling always pays
    events: list = []
    child = _Child(events, busy_for)
    monkeypatch.setattr(warmup, "BackgroundCompiler", child)
    compile_ = Run.compile

    def compile_here(self):
        events.append(("compile", self.steps))
        compile_(self)

    monkeypatch.setattr(Run, "compile", compile_here)
    return events


def test_a_cold_long_run_steps_pure_until_the_child_compiled_the_loops(
    monkeypatch, tmp_path, capsys
):
    events = _cold(monkeypatch, tmp_path, busy_for=3)
    assert main(ARGV) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["steps"] == 200000
    assert events[:2] == [("nice", 0), ("request", "rosenbrock")]  # nothing compiled here
    compiles = [e for e in events if e[0] == "compile"]
    assert len(compiles) == 1 and 0 < compiles[0][1] < 200000  # switched mid-run, once
    before = events[: events.index(compiles[0])]
    assert before.count(("asked", False)) == 3 and before[-1] == ("asked", True)
    assert events[-1] == ("close",)  # a child still compiling would be stopped


def test_the_switch_after_the_child_keeps_the_run_bit_identical(monkeypatch, tmp_path, capsys):
    _cold(monkeypatch, tmp_path, busy_for=2)
    assert main(ARGV) == 0
    switched = json.loads(capsys.readouterr().out)
    monkeypatch.undo()
    surface = catalogue.load("rosenbrock")
    config = RunConfig.make("sgd", surface.suggested_start(), {"lr": "0.0001"}, max_steps=200000,
                            early_stop=False)  # fmt: skip
    compiled = Run(surface, config)  # compiled from the start, the same configuration
    compiled.advance(200000)
    assert switched["trajectory"][-1] == compiled.point.tolist()
    assert switched["loss"][-1] == compiled.loss


def test_a_failed_child_counts_as_done(monkeypatch, tmp_path):
    """Then the loops compile in-process, as before there was a child."""
    monkeypatch.setenv("SADDLELAB_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "executable", "false")  # the child exits with an error at once

    compiler = warmup.BackgroundCompiler()
    surface = catalogue.load("rosenbrock")
    compiler.request(surface)
    try:
        compiler._children[compiler._key(surface)].wait(timeout=30)
        assert compiler.compiled(surface)
    finally:
        compiler.close()


class _FirstChild:
    """Stands in for the compiler that :func:`progress.compile_first` waits for."""

    def __init__(self, events: list, answers: list) -> None:
        self.events, self.answers = events, answers

    def __call__(self, nice: int = 10) -> _FirstChild:
        self.events.append(("nice", nice))
        return self

    def request(self, spec) -> None:
        self.events.append(("request", spec.expression, tuple(spec.variables)))

    def compiled(self, spec) -> bool:
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        self.events.append(("asked", answer))
        return answer

    def close(self) -> None:
        self.events.append(("close",))


def _first(monkeypatch, tmp_path, answers: list) -> list:
    from saddlelab.commands import progress
    from saddlelab.commands import run as run_command

    monkeypatch.setenv("SADDLELAB_CACHE_DIR", str(tmp_path))  # never compiled here
    monkeypatch.setattr(progress, "LONG_RUN", 1000)
    monkeypatch.setattr(progress.time, "sleep", lambda _: None)
    events: list = []
    monkeypatch.setattr(warmup, "BackgroundCompiler", _FirstChild(events, answers))
    build = run_command.surface_from_args

    def built(args):
        events.append(("built",))
        return build(args)

    monkeypatch.setattr(run_command, "surface_from_args", built)
    return events


def test_a_long_cold_run_is_compiled_before_this_process_builds_the_surface(
    monkeypatch, tmp_path, capsys
):
    events = _first(monkeypatch, tmp_path, [False, False, True])
    entry = catalogue.entry("rosenbrock")
    code = main(["run", "rosenbrock", "--optimizer", "sgd", "--steps", "2000", "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["steps_taken"] > 0
    assert events[:6] == [
        ("nice", 0),
        ("request", entry.expression, tuple(entry.variables)),
        ("asked", False),
        ("asked", False),
        ("asked", True),
        ("close",),
    ]
    assert events[6] == ("built",)  # only after the child: from the caches, without sympy
    assert "compiling the step loop" in err and err.count("\n") == 1


def test_ctrl_c_while_a_long_run_is_compiled_first_ends_cleanly(monkeypatch, tmp_path, capsys):
    events = _first(monkeypatch, tmp_path, [False, KeyboardInterrupt()])
    code = main(["run", "rosenbrock", "--optimizer", "sgd", "--steps", "2000", "--json"])
    out, err = capsys.readouterr()
    assert code == 130 and out == ""
    assert (
        err.splitlines()[-1] == "saddlelab: interrupted by Ctrl-C while compiling: no steps taken"
    )
    assert events[-1] == ("close",) and ("built",) not in events


def test_a_short_or_typed_wrong_run_is_not_compiled_first(monkeypatch, tmp_path, capsys):
    events = _first(monkeypatch, tmp_path, [])
    assert main(["run", "rosenbrock", "--optimizer", "sgd", "--steps", "999"]) == 0
    assert main(["run", "--expr", "x^2+y^2", "--vars", "x,y", "--domain", "x=1:0",
                 "--optimizer", "sgd", "--steps", "5000"]) == 2  # fmt: skip
    assert not [e for e in events if e[0] in ("request", "asked")]
