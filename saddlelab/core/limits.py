"""Bounds on what a user may type, shared by the window, the CLI and the engine.

Every number or range a user types ends up in fixed-width arithmetic (int64 step counters,
float64 grids). These bounds keep it there: a value outside them is refused with a one-line
message instead of overflowing into a traceback, a warning or a silently wrong answer.
"""

from __future__ import annotations

import math

MAX_WHOLE = 2**53 - 1
"""Largest whole number accepted anywhere (steps, seeds, schedule lengths): exact in a float64
and far inside an int64, so no counter can overflow."""

MAX_BOUND = 1e12
"""Largest magnitude of a domain bound. A grid over a wider range loses the float64 resolution
that the derivatives and the critical-point search need (and its width can overflow)."""

MIN_RELATIVE_WIDTH = 1e-9
"""A domain interval must be at least this wide relative to max(1, |bounds|): narrower ones
have grid cells that float64 cannot tell apart."""


def whole_number(value: object, what: str, minimum: int = 0, maximum: int = MAX_WHOLE) -> int:
    """``value`` (typed text, int or float) as an int in ``[minimum, maximum]``.

    Raises ValueError with a one-line message naming ``what`` otherwise. Text is read as an
    integer first (so 30 digits are not rounded through a float), then as a float (``1e3``).
    """
    number: int | float
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a whole number, got '{echo(value)}'")
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise ValueError(f"{what} must be a whole number, got '{echo(value)}'") from None
    else:
        try:
            number = value if isinstance(value, int) else float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{what} must be a whole number, got '{echo(value)}'") from None
    if isinstance(number, float):
        if not math.isfinite(number) or number != int(number):
            raise ValueError(f"{what} must be a whole number, got '{echo(value)}'")
        if abs(number) > 2.0**63:
            raise ValueError(f"{what} must be at most {maximum:,}, got {number:g}")
        number = int(number)
    if number < minimum:
        raise ValueError(f"{what} must be at least {minimum}, got {_short(number)}")
    if number > maximum:
        raise ValueError(f"{what} must be at most {maximum:,}, got {_short(number)}")
    return number


def echo(value: object, limit: int = 40) -> str:
    """A typed value quoted in a one-line message: unprintable characters escaped, long text
    shortened."""
    from .expression_error import printable

    return printable(str(value).strip(), limit)


def _short(number: int) -> str:
    """An int for a message: long ones abbreviated (a typed 10^400 is not echoed in full)."""
    text = str(number)
    return text if len(text) <= 24 else f"{text[:6]}…({len(text)} digits)"


def check_interval(name: str, low: float, high: float) -> tuple[float, float]:
    """``(low, high)`` as floats if they make a usable domain interval, else ValueError."""
    try:
        low, high = float(low), float(high)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"domain bounds for '{name}' must be numbers") from None
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        raise ValueError(f"domain for '{name}' needs finite bounds with low < high")
    if max(abs(low), abs(high)) > MAX_BOUND:
        raise ValueError(
            f"domain for '{name}' is too large: bounds must lie within ±{MAX_BOUND:g} "
            f"(got {low:g}:{high:g})"
        )
    if high - low < MIN_RELATIVE_WIDTH * max(1.0, abs(low), abs(high)):
        raise ValueError(
            f"domain for '{name}' is too narrow for float64 grids (width {high - low:g}; at "
            f"least {MIN_RELATIVE_WIDTH:g} x max(1, |bound|))"
        )
    return low, high
