"""The CLI's first minute: what ``analyze`` and a short ``run`` import, and what a long run
keeps in memory (issue 10, point 4; the timings themselves are in
benchmarks/bench_first_minute.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from saddlelab.cli import main
from saddlelab.core.optim import trajectory

ROOT = Path(__file__).resolve().parents[1]


def _fresh(code: str, cache: Path) -> dict:
    """Run ``code`` in a fresh interpreter with its own caches; it prints a JSON dict."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SADDLELAB_CACHE_DIR": str(cache / "kernels"),
           "NUMBA_CACHE_DIR": str(cache / "numba")}  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


CLI = """
import contextlib, io, json, sys
from saddlelab.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main({argv!r})
loaded = {{name: name in sys.modules for name in ("sympy", "numba")}}
print(json.dumps({{"code": code, **loaded}}))
"""


def test_analyze_of_a_surface_seen_before_does_not_import_sympy(tmp_path):
    argv = ["analyze", "rosenbrock", "--at", "0.5,0.5"]
    first = _fresh(CLI.format(argv=argv), tmp_path)  # differentiates, fills the code cache
    assert first["code"] == 0 and first["sympy"]
    again = _fresh(CLI.format(argv=argv), tmp_path)
    assert again == {"code": 0, "sympy": False, "numba": False}


def test_a_short_run_does_not_import_numba(tmp_path):
    argv = ["run", "rosenbrock", "--optimizer", "adam", "--steps", "1000"]
    assert _fresh(CLI.format(argv=argv), tmp_path) == {"code": 0, "sympy": True, "numba": False}
    # a second time it needs neither
    assert _fresh(CLI.format(argv=argv), tmp_path) == {"code": 0, "sympy": False, "numba": False}


def test_a_run_without_output_options_keeps_no_trajectory(monkeypatch, capsys):
    kept = []
    append = trajectory.TrajectoryBuffer.append

    def counting(self, step, *rows):
        kept.append(len(step))
        return append(self, step, *rows)

    monkeypatch.setattr(trajectory.TrajectoryBuffer, "append", counting)
    assert main(["run", "rosenbrock", "--optimizer", "sgd", "--steps", "5000"]) == 0
    assert "steps: 5000" in capsys.readouterr().out
    assert sum(kept) == 0  # nothing prints the rows, so none were stored
    assert main(["run", "rosenbrock", "--optimizer", "sgd", "--steps", "50", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["step"]) == 51 and sum(kept) == 51
