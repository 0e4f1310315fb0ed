"""The shape of the package: Qt stays out of the core and the models, the app keeps its tiers,
every package ships, modules stay readable, and the CLI entry point stays thin."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    done = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "broken" not in done.stdout.lower().replace("0 broken", "")


def _fresh_python(code: str) -> str:
    """What ``code`` prints in a new interpreter (so earlier imports do not count)."""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_importing_core_models_and_exporters_loads_no_gui_module() -> None:
    """Also the exporters: matplotlib is used through its Agg canvas, never pyplot (which
    would pick a Qt backend where PySide6 is installed)."""
    probe = (
        "import importlib, pkgutil, sys\n"
        "import saddlelab.core, saddlelab.models, saddlelab.export\n"
        "names = []\n"
        "for pkg in (saddlelab.core, saddlelab.models, saddlelab.export):\n"
        "    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "        names.append(info.name)\n"
        "gui = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'OpenGL', 'shiboken6') or m.startswith('saddlelab.app'))\n"
        "print(len(names), 'modules;', 'GUI:', gui)\n"
    )
    out = _fresh_python(probe)
    count = int(out.split()[0])
    assert count >= 5  # expressions, surface, catalogue, analysis, critical at least
    assert out.strip().endswith("GUI: []"), out


def test_the_window_module_loads_without_numba() -> None:
    """numba (~0.25 s to import) is loaded by the worker when it first steps, not at launch."""
    probe = (
        "import sys\n"
        "import saddlelab.app.window\n"
        "from saddlelab.core.optim import Run, RunConfig, parse_schedule\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numba', 'llvmlite')))\n"
    )
    out = _fresh_python(probe)
    assert out.strip() == "[]", out


def test_every_package_is_in_the_wheel() -> None:
    """``pip install .`` builds from pyproject's package list: a new sub-package must be in it."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "saddlelab").rglob("__init__.py")
    }
    assert found <= listed, sorted(found - listed)


MAX_LINES = 400
"""Modules stay small enough to read in one sitting (house style: ~400 lines)."""


def test_no_module_is_too_long_to_read_in_one_sitting() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / "saddlelab").rglob("*.py")
        if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long


def test_the_cli_entry_point_stays_thin_and_commands_never_import_it() -> None:
    imports_cli = re.compile(
        r"^\s*(from saddlelab\.cli import|import saddlelab\.cli|from saddlelab import cli)", re.M
    )
    for path in (ROOT / "saddlelab" / "commands").glob("*.py"):
        assert not imports_cli.search(path.read_text("utf-8")), path.name
    cli = (ROOT / "saddlelab" / "cli.py").read_text("utf-8")
    assert len(cli.splitlines()) < 120 and "def main(" in cli
