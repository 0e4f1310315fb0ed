"""``saddlelab`` with no arguments opens the window on the lecture example; ``saddlelab FILE``
opens it on a saved session.

FILE is a session when it is the only argument, is not a sub-command's name, and either ends in
the session suffix (``.saddlelab``) or is an existing file. The file is read and checked before
any window exists: a missing, malformed or hostile one is one line on stderr and exit status 2,
and no window opens (a script that passes a bad path learns so at once).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from saddlelab.commands.common import CLIError

SESSION_SUFFIX = ".saddlelab"


def opens_window(argv: list[str], build_parser) -> bool:
    """Whether ``saddlelab ARGV`` opens the window: no arguments, or a lone session file
    (``build_parser()`` gives the sub-commands, whose names are never files)."""
    if not argv:
        return True
    if len(argv) != 1:
        return False
    commands = {
        name
        for action in build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
        for name in action.choices
    }
    return is_session_argument(argv[0], commands)  # fmt: skip


def is_session_argument(arg: str, commands: set[str]) -> bool:
    """Whether the lone argument ``arg`` asks to open a session file (see the module doc)."""
    if arg.startswith("-") or arg in commands:
        return False
    return arg.endswith(SESSION_SUFFIX) or Path(arg).is_file()


def load(path: str):
    """The session at ``path``, or CLIError with its one line."""
    from saddlelab.models.session import load_session

    try:
        return load_session(path)
    except Exception as error:  # noqa: BLE001 - any unreadable file is one line, exit 2
        line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        line = line.removeprefix(f"{Path(path).name}: ")  # the path is named once, in full
        raise CLIError(f"cannot open {path}: {line}") from None


def launch(argv: list[str] | None = None, session_path: str | None = None) -> int:
    """Open the window (on ``session_path`` if given, else w1w2-mse with a GD run at the
    saddle); run the event loop."""
    session = load(session_path) if session_path is not None else None

    from PySide6 import QtWidgets

    from saddlelab.app import style
    from saddlelab.app.window import lecture_window
    from saddlelab.commands.common import silence_float_warnings

    silence_float_warnings()

    if QtWidgets.QApplication.instance() is None:
        style.before_application()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(
        argv if argv is not None else sys.argv[:1]
    )
    app.setOrganizationName("SaddleLab")
    app.setApplicationName("SaddleLab")
    style.apply(app)
    window = lecture_window()
    if session is not None:
        window.file_menu.open_session(session, session_path)
    screen = app.primaryScreen().availableGeometry()
    window.resize(min(1280, screen.width()), min(800, screen.height()))
    window.show()
    try:
        return int(app.exec())
    finally:
        window.shutdown()
