"""The application's look in one place: theme, the surface colour map, the second-order colours.

- Theme: Fusion style, a dark palette and a font large enough to project.
- The surface colour map, shared by the 3-D view, its colour bar and the contour view.
- The colours and glyphs of the second-order story (eigen-directions, critical points, step-size
  regimes): one place, so the red of an escape arrow in 3-D is the red of a negative eigenvalue
  in the panel and the legend, and a lecture audience learns the code once.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.core.criticality import NAMES

# -- theme ----------------------------------------------------------------------------------------
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
    QtCore.QCoreApplication.setAttribute(QtCore.Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


# -- the surface colour map ---------------------------------------------------------------------
COLORMAP = "viridis"
CONTOUR_LEVELS = 14


@cache
def lut() -> np.ndarray:
    """256 x 4 uint8 RGBA lookup table of the surface colour map."""
    return pg.colormap.get(COLORMAP).getLookupTable(0.0, 1.0, 256, alpha=True).astype(np.uint8)


def colormap() -> pg.ColorMap:
    return pg.colormap.get(COLORMAP)


UNDEFINED_HATCH = "#8a93a6"
"""Hatch lines drawn where the loss is undefined (NaN/inf): that part has no colour."""
UNDEFINED_LABEL = "L undefined (no colour)"
"""The legends' entry for the hatched, uncoloured part of a surface."""


def height_rgba(u: np.ndarray) -> np.ndarray:
    """RGBA bytes for relative heights ``u`` in [0, 1]; NaN (the loss is undefined there) is
    fully transparent: never drawn as a value."""
    u = np.asarray(u, dtype=float)
    idx = np.clip(np.nan_to_num(u, nan=0.0) * 255.0 + 0.5, 0, 255).astype(np.intp)
    out = lut()[idx]
    out[np.isnan(u)] = (0, 0, 0, 0)
    return out


def hatch_brush() -> QtGui.QBrush:
    """The diagonal hatch of undefined cells (contour view, colour legends)."""
    return QtGui.QBrush(QtGui.QColor(UNDEFINED_HATCH), QtCore.Qt.BrushStyle.BDiagPattern)


# -- the second-order story ---------------------------------------------------------------------
NEGATIVE = "#ff3030"
"""λ < 0: the loss falls along this eigenvector (an escape direction)."""
POSITIVE = "#e8f1ff"
"""λ > 0: the loss rises along this eigenvector."""
FLAT = "#a0a0a0"
"""|λ| within the tolerance: second order says nothing."""

CLASS_COLOURS = {
    "local_min": "#00ff6a",
    "local_max": "#ff2bd6",
    "saddle": "#ff9a00",
    "degenerate": "#c8c8c8",
    "not_critical": "#9ab4d8",
}
CLASS_NAMES = NAMES
"""The classifications' titles: the core's one wording (:mod:`saddlelab.core.criticality`)."""
CLASS_SYMBOLS = {"local_min": "o", "local_max": "t1", "saddle": "x", "degenerate": "d"}
"""pyqtgraph symbols of the 2-D markers: shape and colour both carry the class."""
CLASS_GLYPHS = {
    "local_min": "\u25cf",
    "local_max": "\u25b2",
    "saddle": "\u2716",
    "degenerate": "\u25c6",
}
"""The same shapes as text, for legends and tables."""

PATCH_COLOUR = "#7fe8ff"

REGIME_COLOURS = {
    "monotone": "#35c46a",
    "one step": "#35c46a",
    "oscillating": "#f0b400",
    "divergent": "#ff4040",
    "flat": FLAT,
    "escaping": NEGATIVE,
}

BASE_POINT_SIZE = 13
"""Panel text size in points: readable from the back of a lecture hall when projected."""


def eigen_colour(eigenvalue: float, tolerance: float) -> str:
    if abs(eigenvalue) <= tolerance:
        return FLAT
    return NEGATIVE if eigenvalue < 0 else POSITIVE


def rgba(colour: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    """``#rrggbb`` to an RGBA tuple of floats for OpenGL."""
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) / 255.0 for i in (0, 2, 4))
    return (r, g, b, float(alpha))
