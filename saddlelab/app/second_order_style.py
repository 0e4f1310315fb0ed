"""Colours and fonts shared by the second-order panels, arrows, markers and legends.

One place, so the red of an escape arrow in 3-D is the red of a negative eigenvalue in the
panel and the legend: a lecture audience learns the code once.
"""

from __future__ import annotations

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
CLASS_NAMES = {
    "local_min": "Local minimum",
    "local_max": "Local maximum",
    "saddle": "Saddle point",
    "degenerate": "Degenerate",
    "not_critical": "Not a critical point",
}
CLASS_SYMBOLS = {"local_min": "o", "local_max": "t1", "saddle": "x", "degenerate": "d"}
"""pyqtgraph symbols of the 2-D markers: shape and colour both carry the class."""
CLASS_GLYPHS = {
    "local_min": "\u25cf",
    "local_max": "\u25b2",
    "saddle": "\u2716",
    "degenerate": "\u25c6",
}
"""The same shapes as text, for legends and tables."""

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
