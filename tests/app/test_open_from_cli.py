"""``saddlelab FILE``: a good session opens in the window (runs replayed, title named after
the file); a bad one is one line on stderr and exit status 2, and no window is made."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6 import QtWidgets

from saddlelab.cli import main
from saddlelab.commands import window as window_command
from saddlelab.models.session import Session, save_session

TIMEOUT = 120_000


def test_a_session_file_opens_in_the_window(qtbot, tmp_path, monkeypatch, gl_context):
    from saddlelab.app.window import lecture_state

    state = lecture_state()
    state.add_run("adam", {"lr": 0.01})
    path = tmp_path / "two runs.saddlelab"
    save_session(Session.capture(state), path)
    opened = []
    import saddlelab.app.window as app_window  # launch imports it from here

    make = app_window.lecture_window

    def lecture_window(resolution: int = 60):
        win = make(resolution=60)
        opened.append(win)
        return win

    monkeypatch.setattr(app_window, "lecture_window", lecture_window)
    monkeypatch.setattr(QtWidgets.QApplication, "exec", lambda self: 0)
    assert main([str(path)]) == 0
    [win] = opened
    qtbot.addWidget(win)
    assert [r.optimizer for r in win.state.runs] == ["sgd", "adam"]
    assert win.windowTitle() == "two runs.saddlelab[*] — SaddleLab"
    win.close()


def test_a_bad_session_file_is_one_line_exit_2_and_no_window(tmp_path):
    bad = tmp_path / "bad.saddlelab"
    bad.write_text('{"saddlelab_session": 99}')
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    code = (
        "import sys; from saddlelab.cli import main; code = main(sys.argv[1:]); "
        "print('Qt loaded' if 'PySide6' in sys.modules else 'no Qt'); sys.exit(code)"
    )
    for arg in (str(bad), str(tmp_path / "missing.saddlelab")):
        done = subprocess.run([sys.executable, "-c", code, arg], env=env, capture_output=True,
                              text=True, timeout=120)  # fmt: skip
        assert done.returncode == 2, done.stderr
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"saddlelab: error: cannot open {arg}: ")
        assert lines[0].count(Path(arg).name) == 1  # the file is named once
        assert done.stdout == "no Qt\n"  # checked before any window (or Qt) exists


def test_only_a_lone_file_argument_is_a_session(tmp_path):
    existing = tmp_path / "notes.txt"
    existing.write_text("x")
    names = {"run", "analyze"}
    assert window_command.is_session_argument("a.saddlelab", names)
    assert window_command.is_session_argument(str(existing), names)
    assert not window_command.is_session_argument("run", names)
    assert not window_command.is_session_argument("--version", names)
    assert not window_command.is_session_argument(str(tmp_path / "gone.json"), names)
