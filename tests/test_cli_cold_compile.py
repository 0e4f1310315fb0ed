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
