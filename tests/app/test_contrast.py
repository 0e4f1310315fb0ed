"""Every text colour of the theme reaches WCAG 2 AA contrast (4.5:1) against its background,
computed with WCAG's relative luminance: the palette the app applies, the named secondary
colours of ``style`` and every colour written into a style sheet or rich text in the app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6 import QtGui

import saddlelab.app
from saddlelab.app import style

AA = 4.5


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour ``#rrggbb``."""
    c = QtGui.QColor(colour)

    def linear(v: int) -> float:
        s = v / 255.0
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(c.red()) + 0.7152 * linear(c.green()) + 0.0722 * linear(c.blue())


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_theme_text_pairs_reach_aa():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)  # the formula is WCAG's
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    pairs = style.text_pairs()
    assert {"muted on panel", "disabled on button", "legend note over white"} <= set(pairs)
    low = {
        name: (fg, bg, round(contrast(fg, bg), 2))
        for name, (fg, bg) in pairs.items()
        if contrast(fg, bg) < AA
    }
    assert not low


def test_applied_palette_reaches_aa_including_greyed_out_text(qapp):
    style.apply(qapp)
    p = qapp.palette()
    role, group = QtGui.QPalette.ColorRole, QtGui.QPalette.ColorGroup
    pairs = [
        (p.color(role.WindowText), p.color(role.Window)),
        (p.color(role.Text), p.color(role.Base)),
        (p.color(role.ButtonText), p.color(role.Button)),
        (p.color(role.PlaceholderText), p.color(role.Base)),
        (p.color(group.Disabled, role.WindowText), p.color(role.Window)),
        (p.color(group.Disabled, role.ButtonText), p.color(role.Button)),
        (p.color(group.Disabled, role.Text), p.color(role.Base)),
    ]
    for fg, bg in pairs:
        assert contrast(fg.name(), bg.name()) >= AA, (fg.name(), bg.name())


def _hard_coded_text_colours() -> set[str]:
    """``color: #rrggbb`` in style sheets and rich text anywhere in the app's sources."""
    root = Path(saddlelab.app.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        for match in re.finditer(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", path.read_text()):
            found.add(match.group(1).lower())
    return found


def test_hard_coded_text_colours_reach_aa_on_every_panel_background():
    backgrounds = (style.WINDOW, style.BASE, style.PANEL)
    low = {
        (fg, bg, round(contrast(fg, bg), 2))
        for fg in _hard_coded_text_colours()
        for bg in backgrounds
        if contrast(fg, bg) < AA
    }
    assert not low
