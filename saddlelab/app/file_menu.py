"""The File menu: sessions (New, Open, Save, Save As, Open Recent), the Export submenu, Quit.

``attach_file_menu(window)`` is the one call the window makes: it puts File (first) and Edit in
the menu bar, the Export submenu (:mod:`.export_menu`) and the context menus
(:mod:`.context_menus`), and watches the window's close to offer saving unsaved changes.

The document is what a session file holds (surface, runs and their settings and steps taken,
view settings, probe, slice, Taylor radius, speed). Modified means: the session the window would
save now differs from the one last saved or opened. The comparison is made a moment after any
change of the state (merged by a timer), so it follows every field a session keeps and nothing
else (a zoom or the presentation mode is not a document change). Stepping counts: a session
records the steps each run took, and reopening replays exactly those, so new rows are work that
would be lost. The camera is saved but moving it is not a change (it moves with every look).

Opening replays the runs in the stepping worker (``Session.apply``), never on the GUI thread. A
file that cannot be opened gets one line in a message box; the window keeps what it had.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.context_menus import ContextMenus
from saddlelab.app.export_menu import ExportMenu
from saddlelab.app.runtime.export_job import one_line
from saddlelab.commands.window import SESSION_SUFFIX
from saddlelab.models.subscriptions import Subscriptions

SUFFIX = SESSION_SUFFIX
FILTER = f"SaddleLab sessions (*{SUFFIX} *.json);;All files (*)"
RECENT_KEY = "recent_files"
MAX_RECENT = 8
UNTITLED_TITLE = "SaddleLab — why training gets stuck[*]"
CHECK_AFTER_MS = 150
"""A change is compared with the saved session this long after it (changes merge)."""
BUTTON = QtWidgets.QMessageBox.StandardButton


def settings() -> QtCore.QSettings:
    return QtCore.QSettings("SaddleLab", "SaddleLab")


def recent_files() -> list[str]:
    value = settings().value(RECENT_KEY, [])
    if isinstance(value, str):  # QSettings gives one string for a list of one
        value = [value]
    return [str(v) for v in (value or []) if v][:MAX_RECENT]


def set_recent_files(paths: list[str]) -> None:
    settings().setValue(RECENT_KEY, list(paths)[:MAX_RECENT])


def remember_recent(path: str | Path) -> None:
    path = str(Path(path).resolve())
    set_recent_files([path] + [p for p in recent_files() if p != path])


class FileMenu(QtCore.QObject):
    """The window's File and Edit menus and its document (path, modified, close prompt)."""

    def __init__(self, window: QtWidgets.QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.path: Path | None = None
        self._clean_text: str | None = None
        self._closing = False
        self.error_box: QtWidgets.QMessageBox | None = None
        self.exports = ExportMenu(window)
        self.context = ContextMenus(window, self.exports)
        self.menu = self._build_menu()
        self.edit_menu = self.context.edit_menu()
        bar = window.menuBar()
        first = bar.actions()[0] if bar.actions() else None
        bar.insertMenu(first, self.menu)
        bar.insertMenu(first, self.edit_menu)
        self._check = QtCore.QTimer(self)
        self._check.setSingleShot(True)
        self._check.setInterval(CHECK_AFTER_MS)
        self._check.timeout.connect(self.update_modified)
        self._subs = Subscriptions()
        self._watch(window.state)
        window.installEventFilter(self)
        self.mark_clean()

    # -- the menu ---------------------------------------------------------------------------------
    def _action(self, text: str, tip: str, slot, key=None) -> QtGui.QAction:
        action = QtGui.QAction(text, self.window)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        if key is not None:
            action.setShortcut(QtGui.QKeySequence(key))
            action.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
            self.window.addAction(action)
        action.triggered.connect(lambda *_: slot())
        return action

    def _build_menu(self) -> QtWidgets.QMenu:
        keys = QtGui.QKeySequence.StandardKey
        menu = QtWidgets.QMenu("&File", self.window)
        menu.setToolTipsVisible(True)
        self.actions = {
            "new": self._action("&New", "Back to the opening example (one GD run at the saddle)",
                                self.new_document, keys.New),
            "open": self._action("&Open…", "Open a saved session", self.open_dialog, keys.Open),
            "save": self._action("&Save", "Save the session", self.save, keys.Save),
            "save_as": self._action("Save &As…", "Save the session under a new name",
                                    self.save_as, QtGui.QKeySequence("Ctrl+Shift+S")),
            "quit": self._action("&Quit", "Close SaddleLab (asks about unsaved changes)",
                                 self.window.close, QtGui.QKeySequence("Ctrl+Q")),
        }  # fmt: skip
        menu.addAction(self.actions["new"])
        menu.addAction(self.actions["open"])
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        self.fill_recent()
        menu.addSeparator()
        menu.addAction(self.actions["save"])
        menu.addAction(self.actions["save_as"])
        menu.addSeparator()
        menu.addMenu(self.exports.menu)
        menu.addSeparator()
        menu.addAction(self.actions["quit"])
        return menu

    def fill_recent(self) -> None:
        """The recent sessions, newest first; a file no longer there is greyed out."""
        menu = self.recent_menu
        menu.clear()
        paths = recent_files()
        missing = [p for p in paths if not Path(p).is_file()]
        for i, path in enumerate(paths, 1):
            name = Path(path).name.replace("&", "&&")
            gone = path in missing
            action = menu.addAction(f"&{i} {name}" + (" (not found)" if gone else ""))
            action.setToolTip(f"No file at {path}" if gone else path)
            action.setStatusTip(action.toolTip())
            action.setEnabled(not gone)
            action.triggered.connect(lambda *_, p=path: self.open_recent(p))
        if not paths:
            menu.addAction("No recent sessions").setEnabled(False)
        menu.addSeparator()
        if missing:
            drop = menu.addAction("Remove files not found")
            drop.triggered.connect(lambda: set_recent_files([p for p in paths if p not in missing]))
        clear = menu.addAction("Clear list")
        clear.setEnabled(bool(paths))
        clear.triggered.connect(lambda: set_recent_files([]))

    # -- the document -----------------------------------------------------------------------------
    def _watch(self, state) -> None:
        on = self._subs.connect
        later = self._check.start
        for signal in (state.surface.changed, state.surface.slice_changed, state.view.events.all,
                       state.playback.speed_changed, state.runs.events.inserted,
                       state.runs.events.removed, state.runs.events.child_event):  # fmt: skip
            on(signal, lambda *_: later())

    def document_text(self, runs: tuple | None = None) -> str:
        """The session the window would save now, without the camera (see the module doc);
        ``runs``: these run entries instead of the runs' own (a session being replayed)."""
        from saddlelab.models.session import Session, SessionError

        session = Session.capture(self.window.state)
        if runs is not None:
            session = replace(session, runs=runs)
        try:
            return session.to_text()
        except SessionError as error:  # beyond a session's limits: unsaved, and Save says why
            return f"unsavable: {error}"

    def update_modified(self) -> None:
        if self._closing:
            return
        self.window.setWindowModified(self.document_text() != self._clean_text)

    def mark_clean(self, runs: tuple | None = None) -> None:
        """The window shows what is saved (``runs``: a session's runs, still replaying)."""
        self._check.stop()
        self._clean_text = self.document_text(runs)
        self.window.setWindowModified(False)
        self._update_title()

    def _update_title(self) -> None:
        if self.path is None:
            self.window.setWindowTitle(UNTITLED_TITLE)
        else:
            self.window.setWindowTitle(f"{self.path.name}[*] — SaddleLab")

    def may_discard(self) -> bool:
        """True when the current document may go: unchanged, saved, or the user said Discard."""
        self._check.stop()
        self.update_modified()
        if not self.window.isWindowModified():
            return True
        answer = self.ask_to_save()
        if answer == BUTTON.Save:
            return self.save()
        return answer == BUTTON.Discard

    def ask_to_save(self) -> QtWidgets.QMessageBox.StandardButton:
        """Save / Discard / Cancel for the unsaved changes (a modal box)."""
        name = self.path.name if self.path else "this session"
        box = QtWidgets.QMessageBox(self.window)
        box.setIcon(QtWidgets.QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setText(f"Save the changes to {name}?")
        box.setInformativeText("The runs and settings since the last save are lost otherwise.")
        box.setStandardButtons(BUTTON.Save | BUTTON.Discard | BUTTON.Cancel)
        box.setDefaultButton(BUTTON.Save)
        box.setEscapeButton(BUTTON.Cancel)
        answer = box.exec()
        box.deleteLater()
        return BUTTON(answer)

    def show_error(self, line: str) -> None:
        """One line in a (window-modal, non-blocking) message box and the status bar."""
        self.window.statusBar().showMessage(line, 10000)
        if self.error_box is not None:
            self.error_box.close()
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Warning, "SaddleLab", line,
                                    BUTTON.Ok, self.window)  # fmt: skip
        box.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
        box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda *_: setattr(self, "error_box", None))
        self.error_box = box
        box.open()

    # -- File actions -----------------------------------------------------------------------------
    def new_document(self) -> None:
        from saddlelab.app.window import lecture_state
        from saddlelab.models.session import Session

        if not self.may_discard():
            return
        self._apply(Session.capture(lecture_state()), None)
        self.window.view3d.reset_camera()

    def open_dialog(self) -> None:
        if not self.may_discard():
            return
        folder = str(self.path.parent) if self.path else self.exports.folder()
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self.window, "Open session", folder, FILTER)
        if path:
            self.open_file(path, ask=False)

    def open_recent(self, path: str) -> None:
        if not Path(path).is_file():
            set_recent_files([p for p in recent_files() if p != path])
            self.show_error(f"{Path(path).name} is no longer there: removed from the recent list")
            return
        self.open_file(path)

    def open_file(self, path: str | Path, ask: bool = True) -> bool:
        """Open the session at ``path``; False (one line shown, state untouched) if it cannot."""
        from saddlelab.models.session import load_session

        if ask and not self.may_discard():
            return False
        try:
            session = load_session(path)
        except Exception as error:  # noqa: BLE001 - hostile file: one line, nothing changes
            line, name = _line(error), Path(path).name
            self.show_error(f"Cannot open {line}" if line.startswith(f"{name}:") else
                            f"Cannot open {name}: {line}")  # fmt: skip
            return False
        return self.open_session(session, path)

    def open_session(self, session, path: str | Path | None) -> bool:
        """Show a loaded session (``saddlelab FILE`` calls this with the one it checked)."""
        try:
            self._apply(session, path)
        except Exception as error:  # noqa: BLE001 - one line, the window stays usable
            self.show_error(f"Cannot open {Path(path or '').name}: {_line(error)}")
            return False
        if session.camera:
            from saddlelab.app.scene3d.offscreen import set_camera_state

            set_camera_state(self.window.view3d, session.camera)
        if path is not None:
            remember_recent(path)
        return True

    def _apply(self, session, path: str | Path | None) -> None:
        self.window.state.playback.set_playing(False)
        session.apply(self.window.state)
        self.path = Path(path).resolve() if path is not None else None
        self.mark_clean(session.runs)  # the rows the worker replays are not a change

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self.write(self.path)

    def save_as(self) -> bool:
        folder = self.path.parent if self.path else Path(self.exports.folder())
        name = self.path.name if self.path else f"{self.window.state.surface.surface.name}{SUFFIX}"
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self.window, "Save session as", str(folder / name), FILTER
        )
        if not path:
            return False
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(SUFFIX)
        return self.write(path)

    def write(self, path: str | Path) -> bool:
        """Save the session (camera included) to ``path``; False with one line if it fails."""
        from saddlelab.app.scene3d.offscreen import camera_state
        from saddlelab.models.session import Session, save_session

        try:
            session = Session.capture(self.window.state, camera_state(self.window.view3d))
            save_session(session, path)
        except Exception as error:  # noqa: BLE001 - a full disk or a locked file: one line
            self.show_error(f"Cannot save {Path(path).name}: {_line(error)}")
            return False
        self.path = Path(path).resolve()
        remember_recent(self.path)
        self.mark_clean()
        self.window.statusBar().showMessage(f"Saved {self.path.name}", 5000)
        return True

    # -- closing ----------------------------------------------------------------------------------
    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        if watched is self.window and event.type() == QtCore.QEvent.Type.Close:
            if not self._closing and not self.may_discard():
                event.ignore()
                return True
            self.close()
        return False

    def close(self) -> None:
        """The window is closing: stop the exports (waiting for their threads), disconnect
        (once: Qt may send a closing window a second close event)."""
        if self._closing:
            return
        self._closing = True
        self._check.stop()
        self._subs.clear()
        self.exports.stop_all()
        self.context.close()


def _line(error: BaseException) -> str:
    """A session's own one-line message as it is; anything else as :func:`one_line`."""
    from saddlelab.models.session import SessionError

    return str(error) if isinstance(error, SessionError) else one_line(error)


def attach_file_menu(window: QtWidgets.QMainWindow) -> FileMenu:
    """Give ``window`` its File and Edit menus, exports, context menus and close prompt."""
    window.file_menu = FileMenu(window)
    return window.file_menu
