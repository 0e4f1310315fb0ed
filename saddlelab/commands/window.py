"""``saddlelab`` with no arguments: open the main window on the lecture example."""

from __future__ import annotations

import sys


def launch(argv: list[str] | None = None) -> int:
    """Open the window (w1w2-mse, a gradient-descent run ready near the saddle); run the loop."""
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
    screen = app.primaryScreen().availableGeometry()
    window.resize(min(1280, screen.width()), min(800, screen.height()))
    window.show()
    try:
        return int(app.exec())
    finally:
        window.shutdown()
