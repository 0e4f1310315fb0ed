"""The colours and glyphs every picture of SaddleLab shares, Qt-free.

The window (:mod:`saddlelab.app.style`, which re-exports these) and the exported figures and
animations (:mod:`saddlelab.export`) both read them here, so a saddle is the same orange on
screen and on paper, and the undefined part of a surface is hatched in both.
"""

from __future__ import annotations

from saddlelab.core.criticality import NAMES

COLORMAP = "viridis"
"""The surface colour map (pyqtgraph's and matplotlib's viridis are the same table)."""
CONTOUR_LEVELS = 14
"""Iso-lines of the contour view and of the 3-D surface, evenly spaced in (log) height."""

VIEW = "#141418"
"""Background of the 3-D and contour views and their colour legend (dark theme)."""
TEXT = "#ebebeb"
"""Primary text on every dark background."""
MUTED = "#9aa6b8"
"""Secondary text: captions, row names, hints."""

UNDEFINED_HATCH = "#8a93a6"
"""Hatch lines drawn where the loss is undefined (NaN/inf): that part has no colour."""
UNDEFINED_LABEL = "L undefined (no colour)"
"""The legends' entry for the hatched, uncoloured part of a surface."""

CLASS_COLOURS = {
    "local_min": "#00ff6a",
    "local_max": "#ff2bd6",
    "saddle": "#ff9a00",
    "degenerate": "#c8c8c8",
    "not_critical": "#9ab4d8",
}
CLASS_NAMES = NAMES
"""The classifications' titles: the core's one wording (:mod:`saddlelab.core.criticality`)."""
CLASS_GLYPHS = {
    "local_min": "\u25cf",
    "local_max": "\u25b2",
    "saddle": "\u2716",
    "degenerate": "\u25c6",
}
"""The shapes of the critical-point markers as text, for legends and tables."""
