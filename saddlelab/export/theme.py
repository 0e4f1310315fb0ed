"""How an exported picture looks: the light (paper) and dark (slides) themes, run colours that
stay visible on both, and type and line sizes that follow the figure's size.

The run palette (:data:`saddlelab.models.runs.PALETTE`) is made for the window's dark views:
yellow and white vanish on paper. :func:`run_colour` darkens a colour, keeping its hue, until it
stands out from the theme's paper (WCAG non-text contrast, :data:`MIN_LINE_CONTRAST`); every
exporter calls it, so a run's line, marker and legend entry keep one colour.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

import numpy as np

from saddlelab.models import colours

MIN_LINE_CONTRAST = 3.0
"""WCAG 2 non-text contrast: a line or marker against the paper behind it."""


@dataclass(frozen=True)
class Theme:
    name: str
    paper: str
    """Figure background (and the loss view's axes)."""
    text: str
    muted: str
    grid: str
    legend_face: str
    legend_edge: str
    iso: tuple[float, float, float, float]
    """Contour lines over the colour map (the window's: white, half transparent)."""


THEMES = {
    "light": Theme(
        "light", "#ffffff", "#1a1a1a", "#555b66", "#d9dce1", "#ffffff", "#b8bcc4",
        (1.0, 1.0, 1.0, 0.5),
    ),
    "dark": Theme(
        "dark", colours.VIEW, colours.TEXT, colours.MUTED, "#34363c", "#1f2026", "#4a4d55",
        (1.0, 1.0, 1.0, 0.47),
    ),
}  # fmt: skip


def theme(name: str) -> Theme:
    return THEMES[name]


def _channel(c: float) -> float:
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance of an RGB triple in [0, 1]."""
    r, g, b = (_channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def rgb_of(colour: str) -> tuple[float, float, float]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) / 255.0 for i in (0, 2, 4))  # type: ignore[return-value]


def hex_of(rgb) -> str:
    return "#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02x}" for c in rgb)


def run_colour(colour: str, theme_name: str) -> str:
    """The run's colour as the theme draws it (lines, markers, legend): unchanged where it
    stands out from the paper, else darkened (light) or lightened (dark) in its own hue."""
    paper = rgb_of(THEMES[theme_name].paper)
    rgb = rgb_of(colour)
    if contrast(rgb, paper) >= MIN_LINE_CONTRAST:
        return hex_of(rgb)
    h, lightness, s = colorsys.rgb_to_hls(*rgb)
    darker = luminance(paper) > 0.5
    for step in np.linspace(0.0, 1.0, 101)[1:]:
        light = lightness * (1 - step) if darker else lightness + (1 - lightness) * step
        candidate = hex_of(colorsys.hls_to_rgb(h, light, s))  # as written: whole bytes
        if contrast(rgb_of(candidate), paper) >= MIN_LINE_CONTRAST:
            return candidate
    return hex_of((0.0, 0.0, 0.0) if darker else (1.0, 1.0, 1.0))


@dataclass(frozen=True)
class Sizes:
    """Type and line sizes for one figure width (points)."""

    font: float
    line: float
    marker: float

    @property
    def small(self) -> float:
        return round(self.font * 0.85, 2)


WIDTHS = (3.5, 7.0, 13.333)
"""The presets' widths (inches): one column, two columns, a 16:9 slide."""
FONTS = (7.0, 9.0, 16.0)
"""Body type at those widths: 7 pt in a journal column, slide type readable from the back."""


def sizes(width_in: float) -> Sizes:
    """Type and lines for a figure ``width_in`` inches wide (between the presets: linear)."""
    font = float(np.interp(width_in, WIDTHS, FONTS))
    return Sizes(font=round(font, 2), line=round(font / 6.0, 2), marker=round(font * 0.75, 2))
