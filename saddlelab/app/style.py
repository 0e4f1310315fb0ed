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

# Re-exported: the app reads the shared colours from here, the exporters from models.colours.
from saddlelab.models.colours import (  # noqa: F401
    CLASS_COLOURS,
    CLASS_GLYPHS,
    CLASS_NAMES,
    COLORMAP,
    CONTOUR_LEVELS,
    MUTED,
    TEXT,
    UNDEFINED_HATCH,
    UNDEFINED_LABEL,
    VIEW,
)

# -- theme ----------------------------------------------------------------------------------------
FONT_POINTS = 11

WINDOW = "#25262b"
BASE = "#1a1b1f"
BUTTON = "#34363c"
HINT = "#a3a9b0"
"""Secondary text in editors: torch defaults, descriptions."""
PLACEHOLDER = "#9696a0"
DISABLED = "#a4a4aa"
"""Text of greyed-out buttons and fields: dimmer than TEXT, still readable when projected."""
PANEL = "#171b22"
"""Background of the analysis panel (a dark "blackboard")."""
PLOT = "#15181f"
"""Background of the step-size plot."""
OVERLAY = "#0c0e14"
"""Legend boxes drawn over the views (opaque enough to read over any colour: OVERLAY_ALPHA)."""
OVERLAY_ALPHA = 205
LEGEND_TEXT = "#f0f4fa"
WARNING = "#ffd166"
ERROR = "#ff6b6b"
UNDEFINED = "#ffb347"
"""Where the loss is undefined: the surface bar's note, the analysis title, run statuses."""
BANNER_TEXT = "#fff3e0"
BANNER = "#3a2414"
"""The saddle-escape banner's background (and BANNER_EDGE its border)."""
BANNER_EDGE = "#ff9a00"
LEGEND_NOTE = "#aab4c4"
"""Secondary text in the legend boxes over the views."""
MIN_CONTRAST = 4.5
"""WCAG 2 AA for normal text: every text colour against its background (tests check)."""

TEXT_PAIRS = {
    "window text": (TEXT, WINDOW),
    "field text": (TEXT, BASE),
    "button text": (TEXT, BUTTON),
    "muted on window": (MUTED, WINDOW),
    "undefined note on window": (UNDEFINED, WINDOW),
    "undefined title on panel": (UNDEFINED, PANEL),
    "muted on field": (MUTED, BASE),
    "muted on panel": (MUTED, PANEL),
    "hint on window": (HINT, WINDOW),
    "hint on field": (HINT, BASE),
    "placeholder": (PLACEHOLDER, BASE),
    "disabled on window": (DISABLED, WINDOW),
    "disabled on button": (DISABLED, BUTTON),
    "disabled on field": (DISABLED, BASE),
    "muted on plot": (MUTED, PLOT),
    "muted on view": (MUTED, VIEW),
    "legend note": (LEGEND_NOTE, OVERLAY),
    "warning on window": (WARNING, WINDOW),
    "error on window": (ERROR, WINDOW),
    "error on field": (ERROR, BASE),
    "banner text": (BANNER_TEXT, BANNER),
}
"""(foreground, background) of every text colour the theme uses (``overlay_on`` adds the
legend boxes over the brightest surface colour)."""


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def overlay_on(under: str) -> str:
    """The legend box colour as seen over ``under`` (OVERLAY at OVERLAY_ALPHA)."""
    a = OVERLAY_ALPHA / 255.0
    mixed = (round(a * o + (1 - a) * u) for o, u in zip(_rgb(OVERLAY), _rgb(under), strict=True))
    return "#" + "".join(f"{c:02x}" for c in mixed)


def text_pairs() -> dict[str, tuple[str, str]]:
    """TEXT_PAIRS plus the legend boxes over the brightest surface colours and the coloured
    words of the analysis panel (classes, eigenvalue signs, step-size regimes)."""
    pairs = dict(TEXT_PAIRS)
    for name, under in (("white", "#ffffff"), ("top of the colour map", _top_colour())):
        box = overlay_on(under)
        pairs[f"legend text over {name}"] = (LEGEND_TEXT, box)
        pairs[f"legend note over {name}"] = (LEGEND_NOTE, box)
    coloured = {**CLASS_COLOURS, **REGIME_COLOURS, "negative": NEGATIVE, "positive": POSITIVE}
    for name, colour in coloured.items():
        pairs[f"{name} on panel"] = (colour, PANEL)
    return pairs


def _top_colour() -> str:
    r, g, b, _ = (int(c) for c in lut()[-1])
    return f"#{r:02x}{g:02x}{b:02x}"


def apply(app: QtWidgets.QApplication) -> None:
    """Dark Fusion palette (the views are dark, so the panels match) and readable type."""
    app.setStyle("Fusion")
    p = QtGui.QPalette()
    role, group = QtGui.QPalette.ColorRole, QtGui.QPalette.ColorGroup
    colours = {
        role.Window: WINDOW,
        role.WindowText: TEXT,
        role.Base: BASE,
        role.AlternateBase: "#2c2d33",
        role.ToolTipBase: "#fafadc",
        role.ToolTipText: "#141414",
        role.Text: TEXT,
        role.Button: BUTTON,
        role.ButtonText: TEXT,
        role.BrightText: "#ff5050",
        role.Highlight: "#4080c8",
        role.HighlightedText: "#ffffff",
        role.Link: "#6eaaff",
        role.PlaceholderText: PLACEHOLDER,
    }
    for r, colour in colours.items():
        p.setColor(r, QtGui.QColor(colour))
    for r in (role.Text, role.ButtonText, role.WindowText):
        p.setColor(group.Disabled, r, QtGui.QColor(DISABLED))
    app.setPalette(p)
    font = app.font()
    font.setPointSize(FONT_POINTS)
    app.setFont(font)
    # Antialiased wide lines cost milliseconds each in Qt's raster engine: off, to keep up.
    pg.setConfigOptions(antialias=False, foreground=TEXT)


AXIS_POINTS = 10
"""Tick values of the 2-D plots; their axis names are a point larger."""


def scale_plot_axes(item: pg.PlotItem, type_scale: float = 1.0) -> None:
    """Tick values and axis names of a plot's left and bottom axes at the look's size."""
    font = QtGui.QFont()
    font.setPointSizeF(round(AXIS_POINTS * type_scale, 1))
    size = f"{round((AXIS_POINTS + 1) * type_scale, 1)}pt"
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        axis.setTickFont(font)
        if axis.labelText:
            axis.setLabel(axis.labelText, **{**axis.labelStyle, "font-size": size})
        else:
            axis.labelStyle = {**axis.labelStyle, "font-size": size}


def tint(widget: QtWidgets.QWidget, colour: str, bold: bool = False) -> QtWidgets.QWidget:
    """Text colour (and weight) through the palette and font, not a style sheet: a widget
    with a style sheet keeps its font size when the window's changes (presentation mode)."""
    palette = widget.palette()
    for role in (QtGui.QPalette.ColorRole.WindowText, QtGui.QPalette.ColorRole.Text):
        palette.setColor(role, QtGui.QColor(colour))
    widget.setPalette(palette)
    if bold:
        font = QtGui.QFont()  # only the weight is set: the size still follows the parent's
        font.setBold(True)
        widget.setFont(font)
    return widget


def before_application() -> None:
    """Settings Qt needs before the QApplication exists.

    pyqtgraph caches compiled shader programs per class, so every GL widget must share one
    OpenGL context group (otherwise a second window draws with a dead program).
    """
    QtCore.QCoreApplication.setAttribute(QtCore.Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


# -- the surface colour map ---------------------------------------------------------------------
@cache
def lut() -> np.ndarray:
    """256 x 4 uint8 RGBA lookup table of the surface colour map."""
    return pg.colormap.get(COLORMAP).getLookupTable(0.0, 1.0, 256, alpha=True).astype(np.uint8)


def colormap() -> pg.ColorMap:
    return pg.colormap.get(COLORMAP)


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

CLASS_SYMBOLS = {"local_min": "o", "local_max": "t1", "saddle": "x", "degenerate": "d"}
"""pyqtgraph symbols of the 2-D markers: shape and colour both carry the class."""

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
