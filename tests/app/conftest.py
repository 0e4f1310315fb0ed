"""Qt fixtures for the window tests (kept here so tests/core and tests/models stay Qt-free).

- every Qt warning, critical or fatal message fails the test that caused it;
- a test that leaves a QThread running fails (and the thread is stopped, so Qt cannot abort);
- ``gl_context`` skips cleanly where no OpenGL context can be made (under xvfb-run it runs);
- ``window`` opens the lecture window with a coarse mesh and closes it after the test;
- QSettings read and write a temporary folder of each test, never the user's settings;
- closing a window with unsaved changes discards them without asking (a modal box would wait
  for a click no test gives); tests/app/test_file_menu.py drives the real prompt.
"""

from __future__ import annotations

import gc

import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app import style
from saddlelab.app.file_menu import FileMenu
from saddlelab.app.window import MainWindow, lecture_window

style.before_application()  # before pytest-qt creates the QApplication

FAILING = (
    QtCore.QtMsgType.QtWarningMsg,
    QtCore.QtMsgType.QtCriticalMsg,
    QtCore.QtMsgType.QtFatalMsg,
)


@pytest.fixture(autouse=True)
def qt_warnings_fail(qapp):
    """Record Qt's warnings while the test runs; any of them fails the test."""
    recorded: list[str] = []

    def handler(mode, context, message):
        if mode in FAILING:
            recorded.append(f"{mode.name}: {message}")

    previous = QtCore.qInstallMessageHandler(handler)
    try:
        yield recorded
    finally:
        QtCore.QCoreApplication.processEvents()
        QtCore.qInstallMessageHandler(previous)
    assert not recorded, "Qt warnings:\n" + "\n".join(recorded)


@pytest.fixture(autouse=True)
def temporary_settings(tmp_path):
    """Point QSettings (presentation mode, zoom) at a fresh folder for every test."""
    folder = tmp_path / "settings"
    folder.mkdir()
    scope = QtCore.QSettings.Scope.UserScope
    for form in (QtCore.QSettings.Format.NativeFormat, QtCore.QSettings.Format.IniFormat):
        QtCore.QSettings.setPath(form, scope, str(folder))
    return folder


@pytest.fixture(autouse=True)
def discard_unsaved_on_close(monkeypatch):
    """The close prompt answers Discard (see the module docstring)."""
    monkeypatch.setattr(
        FileMenu, "ask_to_save", lambda self: QtWidgets.QMessageBox.StandardButton.Discard
    )


@pytest.fixture(autouse=True)
def no_thread_left_running(qt_warnings_fail):
    """Fail a test that leaves any QThread running (stopping it first, so Qt cannot abort)."""
    yield
    gc.collect()
    running = [t for t in gc.get_objects() if isinstance(t, QtCore.QThread) and _running(t)]
    for thread in running:
        stop = getattr(thread, "stop", None)
        if stop is not None:
            stop()
        else:
            thread.quit()
            thread.wait()
    assert not running, f"threads left running: {running}"


def _running(thread: QtCore.QThread) -> bool:
    try:
        return thread.isRunning()
    except RuntimeError:  # C++ object already deleted
        return False


@pytest.fixture(scope="session")
def gl_context(qapp):
    """Skip where no OpenGL context can be created (offscreen platform, no GL driver)."""
    if QtGui.QGuiApplication.platformName() in ("offscreen", "minimal"):
        pytest.skip(f"Qt platform '{QtGui.QGuiApplication.platformName()}' has no OpenGL")
    context = QtGui.QOpenGLContext()
    surface = QtGui.QOffscreenSurface()
    surface.create()
    if not context.create() or not context.makeCurrent(surface):
        pytest.skip("no OpenGL context can be created here")
    version = context.format().version()
    context.doneCurrent()
    return version


@pytest.fixture
def window(qtbot, gl_context, qapp) -> MainWindow:
    """The lecture window (coarse 60 x 60 mesh for speed), shown at 1280 x 800."""
    style.apply(qapp)
    win = lecture_window(resolution=60)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
