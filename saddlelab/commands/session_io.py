"""Session files on the command line: ``--save-session FILE`` (``saddlelab run``, and any
command that computes runs) and reading one (``saddlelab render --session FILE``), with the
CLI's one-line errors (exit status 2)."""

from __future__ import annotations

import os
from pathlib import Path

from saddlelab.commands.common import CLIError


def check_target(path: str | None) -> None:
    """Refuse at once (before any run) a session path that cannot be written."""
    if not path:
        return
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise CLIError(f"--save-session: {path} is a folder, not a file")
    if not folder.is_dir():
        raise CLIError(f"--save-session: no folder {folder} to write {target.name} in")
    if not os.access(folder, os.W_OK):
        raise CLIError(f"--save-session: cannot write in {folder}")


def save_runs_session(path: str | None, surface, runs) -> None:
    """Write the session that reproduces the engine's ``runs`` on ``surface`` (nothing if no
    path was given)."""
    if not path:
        return
    from saddlelab.core.optim.replay import RunRecord
    from saddlelab.models.session import Session, SessionError, save_session

    records = [RunRecord(run.config, (), run.steps) for run in runs]
    try:
        save_session(Session.of_runs(surface, records), path)
    except SessionError as error:
        raise CLIError(f"--save-session: {error}") from None


def read_session(path: str):
    """The session in ``path``, or CLIError with the file's one-line problem."""
    from saddlelab.models.session import SessionError, load_session

    try:
        return load_session(path)
    except SessionError as error:
        raise CLIError(str(error)) from None


def session_state(path: str):
    """The session in ``path`` and the headless AppState it shows (its runs replayed here), or
    CLIError with the file's one-line problem (``saddlelab render --session FILE``)."""
    from saddlelab.models.session import SessionError

    session = read_session(path)
    try:
        return session, session.build_state()
    except SessionError as error:
        raise CLIError(str(error)) from None
