"""The one number formatter: how SaddleLab writes a number for people (window, CLI, messages).

``fmt`` gives ``digits`` significant figures with a real minus sign and powers of ten written
as 10⁻⁷ (what a lecture slide shows); ``plain=True`` gives the same figures in ASCII
(``-1.5e-07``) for terminals, logs and messages that may be pasted into code. Negative zero is
written 0 either way.
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
    if abs(x - round(x)) < 1e-9 * max(1.0, abs(x)) and abs(x) < 1e9:
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


def fmt_vector(v: Sequence[float], digits: int = 3, plain: bool = False) -> str:
    """``(0.71, 0.71)``-style tuple text."""
    return "(" + ", ".join(fmt(x, digits, plain) for x in v) + ")"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` with its noun in the right number: ``1 step``, ``2 steps``, ``0 steps``."""
    n = int(n)
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"
