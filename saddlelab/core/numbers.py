"""The one number formatter: how SaddleLab writes a number for people (window, CLI, messages).

``fmt`` gives ``digits`` significant figures with a real minus sign and powers of ten written
as 10⁻⁷ (what a lecture slide shows); ``plain=True`` gives the same figures in ASCII
(``-1.5e-07``) for terminals, logs and messages that may be pasted into code. Negative zero is
written 0 either way.

``fmt_on_scale`` writes a value read off a scale (a colour bar, an axis, a sampled minimum) and
prints 0 for what is zero at that scale: a grid's sampled minimum of 8.73e-07 on a surface
spanning 0 to 25 is the 0 of the lecture, not a number to read out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MINUS = "\u2212"
_SUPERSCRIPTS = str.maketrans(
    "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def fmt(x: float, digits: int = 4, plain: bool = False) -> str:
    """A number with ``digits`` significant figures (see the module docstring)."""
    x = float(x)
    if plain:
        text = f"{x:.{digits}g}"
        return "0" if text in ("-0", "0") else text
    if not math.isfinite(x):
        return "\u221e" if x > 0 else (f"{MINUS}\u221e" if x < 0 else "undefined")
    if x == 0:
        return "0"
    if round(x) != 0 and abs(x - round(x)) < 1e-9 * abs(x) and abs(x) < 1e9:
        text = str(int(round(x)))
    else:
        text = f"{x:.{digits}g}"
        if "e" in text:
            mantissa, _, exponent = text.partition("e")
            power = "10" + str(int(exponent)).translate(_SUPERSCRIPTS)
            text = power if mantissa in ("1", "-1") else f"{mantissa}\u00b7{power}"
            if mantissa == "-1":
                text = "-" + text
    return text.replace("-", MINUS)


ZERO_REL = 1e-4
"""Values within this fraction of their scale's span of zero print as 0 (``fmt_on_scale``):
finer than the three significant figures a colour bar or an axis prints."""


def zero_on_scale(x: float, span: float, rel: float = ZERO_REL) -> float:
    """``x``, or 0.0 when ``|x| <= rel * |span|`` (zero within the scale's resolution)."""
    x = float(x)
    return 0.0 if math.isfinite(x) and abs(x) <= rel * abs(float(span)) else x


def fmt_on_scale(x: float, lo: float, hi: float, digits: int = 3, plain: bool = False) -> str:
    """``fmt`` of a value on a scale from ``lo`` to ``hi``, with zero within it written 0."""
    return fmt(zero_on_scale(x, float(hi) - float(lo)), digits, plain)


def fmt_vector(v: Sequence[float], digits: int = 3, plain: bool = False) -> str:
    """``(0.71, 0.71)``-style tuple text."""
    return "(" + ", ".join(fmt(x, digits, plain) for x in v) + ")"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` with its noun in the right number: ``1 step``, ``2 steps``, ``0 steps``."""
    n = int(n)
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"
