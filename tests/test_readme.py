"""The README's two commands are the contract with a new user and with CI."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text)


def test_readme_opens_with_two_commands_install_and_test():
    install, test = _readme_commands()[:2]
    assert install.rstrip().endswith("saddlelab"), "first command must launch the app"
    assert "pip install ." in install
    assert "pytest" in test and '".[test]"' in test


def test_ci_runs_the_readme_test_command_verbatim():
    test_command = _readme_commands()[1]
    ci_lines = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    assert test_command in ci_lines


def test_test_extra_installs_what_the_suite_imports():
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    for package in ("pytest", "pytest-qt", "hypothesis", "import-linter"):
        assert f'"{package}>=' in pyproject
