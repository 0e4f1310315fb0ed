"""Application look: Fusion style, a dark palette and a font large enough to project."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtGui, QtWidgets

FONT_POINTS = 11


def apply(app: QtWidgets.QApplication) -> None:
    """Dark Fusion palette (the views are dark, so the panels match) and readable type."""
    app.setStyle("Fusion")
    p = QtGui.QPalette()
    role, group = QtGui.QPalette.ColorRole, QtGui.QPalette.ColorGroup
    colours = {
        role.Window: (37, 38, 43),
        role.WindowText: (230, 230, 230),
        role.Base: (26, 27, 31),
        role.AlternateBase: (44, 45, 51),
        role.ToolTipBase: (250, 250, 220),
        role.ToolTipText: (20, 20, 20),
        role.Text: (230, 230, 230),
        role.Button: (52, 54, 60),
        role.ButtonText: (235, 235, 235),
        role.BrightText: (255, 80, 80),
        role.Highlight: (64, 128, 200),
        role.HighlightedText: (255, 255, 255),
        role.Link: (110, 170, 255),
        role.PlaceholderText: (140, 140, 150),
    }
    for r, rgb in colours.items():
        p.setColor(r, QtGui.QColor(*rgb))
    for r in (role.Text, role.ButtonText, role.WindowText):
        p.setColor(group.Disabled, r, QtGui.QColor(120, 120, 120))
    app.setPalette(p)
    font = app.font()
    font.setPointSize(FONT_POINTS)
    app.setFont(font)
    # Antialiased wide lines cost milliseconds each in Qt's raster engine: off, to keep up.
    pg.setConfigOptions(antialias=False, foreground=(230, 230, 230))


def before_application() -> None:
    """Settings Qt needs before the QApplication exists.

    pyqtgraph caches compiled shader programs per class, so every GL widget must share one
    OpenGL context group (otherwise a second window draws with a dead program).
    """
    from PySide6 import QtCore

    QtCore.QCoreApplication.setAttribute(QtCore.Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
