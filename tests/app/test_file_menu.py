"""The File menu driven as a user would: save, new, open gives the same runs and settings; the
document is marked modified by changes and steps and clean after a save; recent files; the
close prompt's Save / Discard / Cancel; a bad session file changes nothing and says so once."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets
from window_actions import answer_file_dialogs

from saddlelab.app import file_menu
from saddlelab.app.file_menu import FileMenu

ASK_TO_SAVE = FileMenu.ask_to_save  # before conftest's fixture makes it answer Discard
TIMEOUT = 120_000
BUTTON = QtWidgets.QMessageBox.StandardButton


@pytest.fixture
def sessions(tmp_path):
    folder = tmp_path / "sessions"
    folder.mkdir()
    return folder


def _save_as(monkeypatch, path) -> None:
    answer_file_dialogs(monkeypatch, save=path)


def _open_as(monkeypatch, path) -> None:
    answer_file_dialogs(monkeypatch, open_=path)


def _trigger(window, key: str) -> None:
    window.file_menu.actions[key].trigger()


def _settled(qtbot, window) -> None:
    """Wait for the merged modified-check to run."""
    qtbot.wait(file_menu.CHECK_AFTER_MS + 100)


def _step(qtbot, window, n: int) -> None:
    runs = list(window.state.runs)
    target = [r.steps + n for r in runs]
    window.state.playback.step(n)
    qtbot.waitUntil(
        lambda: all(r.steps >= t or r.done for r, t in zip(runs, target, strict=True)),
        timeout=TIMEOUT,
    )


def test_file_is_the_first_menu_with_its_keys(window):
    bar = window.menuBar().actions()
    assert [a.text() for a in bar[:3]] == ["&File", "&Edit", "&Run"]
    keys = {k: a.shortcut().toString() for k, a in window.file_menu.actions.items()}
    assert keys == {"new": "Ctrl+N", "open": "Ctrl+O", "save": "Ctrl+S",
                    "save_as": "Ctrl+Shift+S", "quit": "Ctrl+Q"}  # fmt: skip
    texts = [a.text() for a in window.file_menu.menu.actions() if a.text()]
    assert texts == ["&New", "&Open…", "Open &Recent", "&Save", "Save &As…", "&Export", "&Quit"]


def test_save_new_open_gives_the_same_runs_and_settings(qtbot, window, sessions, monkeypatch):
    state = window.state
    state.playback.set_speed(math.inf)
    state.add_run("adam", {"lr": 0.02})
    state.runs.selected.set_grad_noise("0.05")
    _step(qtbot, window, 150)
    state.view.log_height = True
    state.view.set_taylor_radius(0.25)
    state.playback.set_speed(120.0)
    qtbot.wait(300)
    saved = [(r.optimizer, dict(r.params), r.colour, r.steps, r.trajectory.points[-1].copy())
             for r in state.runs]  # fmt: skip
    path = sessions / "lecture.saddlelab"
    _save_as(monkeypatch, path)
    _trigger(window, "save_as")
    assert path.is_file() and window.windowTitle() == "lecture.saddlelab[*] — SaddleLab"
    assert not window.isWindowModified()

    _trigger(window, "new")
    assert [r.optimizer for r in state.runs] == ["sgd"] and state.runs.selected.steps == 0
    assert not state.view.log_height and state.playback.speed == 30.0
    assert window.windowTitle() == file_menu.UNTITLED_TITLE

    _open_as(monkeypatch, path)
    _trigger(window, "open")
    runs = list(state.runs)
    qtbot.waitUntil(lambda: [r.steps for r in runs] == [s[3] for s in saved], timeout=TIMEOUT)
    for run, (optimizer, params, colour, _steps, last) in zip(runs, saved, strict=True):
        assert (run.optimizer, dict(run.params), run.colour) == (optimizer, params, colour)
        assert np.array_equal(run.trajectory.points[-1], last)
    assert state.view.log_height and state.view.taylor_radius == 0.25
    assert state.playback.speed == 120.0
    _settled(qtbot, window)
    assert not window.isWindowModified()  # the replay brought back exactly what was saved
    assert window.windowTitle() == "lecture.saddlelab[*] — SaddleLab"


def test_changes_and_steps_mark_the_document_modified_and_save_clears_it(
    qtbot, window, sessions, monkeypatch
):
    _settled(qtbot, window)
    assert not window.isWindowModified()
    window.state.view.contour_lines = False
    qtbot.waitUntil(window.isWindowModified)
    _save_as(monkeypatch, sessions / "a.saddlelab")
    _trigger(window, "save")  # untitled: Save asks for a name
    assert not window.isWindowModified() and (sessions / "a.saddlelab").is_file()
    window.state.view.look = window.state.view.look.zoomed(1)  # a zoom is not the document's
    _settled(qtbot, window)
    assert not window.isWindowModified()
    _step(qtbot, window, 5)  # new rows: a reopened session would replay them
    qtbot.waitUntil(window.isWindowModified)
    _trigger(window, "save")  # named now: saved without asking
    assert not window.isWindowModified()


def test_recent_files_list_greys_missing_ones_and_clears(qtbot, window, sessions, monkeypatch):
    paths = [sessions / f"s{i}.saddlelab" for i in range(10)]
    for path in paths:
        window.file_menu.write(path)
    recent = file_menu.recent_files()
    assert recent == [str(p.resolve()) for p in reversed(paths)][: file_menu.MAX_RECENT]
    paths[9].unlink()
    window.file_menu.fill_recent()
    actions = window.file_menu.recent_menu.actions()
    assert actions[0].text() == "&1 s9.saddlelab (not found)" and not actions[0].isEnabled()
    assert actions[1].text() == "&2 s8.saddlelab" and actions[1].isEnabled()
    window.file_menu.open_recent(str(paths[9].resolve()))  # gone since the menu was filled
    assert str(paths[9].resolve()) not in file_menu.recent_files()
    assert window.file_menu.error_box.text() == (
        "s9.saddlelab is no longer there: removed from the recent list"
    )
    window.file_menu.error_box.close()
    texts = {a.text(): a for a in window.file_menu.recent_menu.actions()}
    texts["Clear list"].trigger()
    assert file_menu.recent_files() == []


def _answer_prompt(qtbot, button) -> list[str]:
    """Click ``button`` in the close prompt as soon as it is up; its text is recorded."""
    seen: list[str] = []

    def click() -> None:
        box = QtWidgets.QApplication.activeModalWidget()
        if not isinstance(box, QtWidgets.QMessageBox):
            QtCore.QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        box.button(button).click()

    QtCore.QTimer.singleShot(20, click)
    return seen


@pytest.mark.parametrize("answer", ["cancel", "discard", "save"])
def test_quit_with_unsaved_changes_asks_save_discard_or_cancel(
    qtbot, window, sessions, monkeypatch, answer
):
    monkeypatch.setattr(FileMenu, "ask_to_save", ASK_TO_SAVE)
    window.state.view.grid_lines = False
    qtbot.waitUntil(window.isWindowModified)
    path = sessions / "kept.saddlelab"
    _save_as(monkeypatch, path)
    button = {"cancel": BUTTON.Cancel, "discard": BUTTON.Discard, "save": BUTTON.Save}[answer]
    seen = _answer_prompt(qtbot, button)
    _trigger(window, "quit")
    assert seen == ["Save the changes to this session?"]
    assert window.isVisible() == (answer == "cancel")
    assert path.is_file() == (answer == "save")
    if answer == "cancel":
        assert window.isWindowModified()
        assert window.controller.worker.isRunning()  # nothing was shut down
    monkeypatch.setattr(FileMenu, "ask_to_save", lambda self: BUTTON.Discard)  # teardown


def test_a_bad_session_file_changes_nothing_and_says_so_in_one_line(qtbot, window, sessions):
    state = window.state
    before = [(r.optimizer, r.steps) for r in state.runs], state.surface.surface.id
    bad = sessions / "broken.saddlelab"
    bad.write_text('{"saddlelab_session": 1, "surface": {"expression": "__import__(\'os\')"')
    assert window.file_menu.open_file(bad) is False
    assert ([(r.optimizer, r.steps) for r in state.runs], state.surface.surface.id) == before
    box = window.file_menu.error_box
    assert box.isVisible() and box.text().startswith("Cannot open broken.saddlelab: ")
    assert box.text().count("broken.saddlelab") == 1
    assert "\n" not in box.text()
    assert window.statusBar().currentMessage() == box.text()
    box.close()
    assert window.windowTitle() == file_menu.UNTITLED_TITLE
