"""Domains: one interval per variable, parsed from text such as ``"x=-2:2, y=-1:3"``.

Every bound goes through :func:`saddlelab.core.limits.check_interval` (finite, not absurdly
large, wide enough for float64); a variable the text leaves out gets the default range, and
:func:`default_range_note` says so in words.
"""

from __future__ import annotations

from collections.abc import Sequence

from .expression_error import ExpressionError, printable
from .limits import check_interval

Domain = tuple[tuple[float, float], ...]
"""One ``(low, high)`` interval per variable."""

DEFAULT_BOUND = 2.0


def parse_domain(text: str, variables: Sequence[str]) -> Domain:
    """Parse ``"x=-2:2,y=-1:3"`` into a domain ordered like ``variables``.

    Variables not named keep the default ``-2:2``. Raises ExpressionError on bad input.
    """
    bounds = {name: (-DEFAULT_BOUND, DEFAULT_BOUND) for name in variables}
    text = text.strip()
    if not text:
        return tuple(bounds[name] for name in variables)
    for part in text.split(","):
        if "=" not in part or ":" not in part:
            raise ExpressionError(
                f"domain entry '{printable(part.strip())}' should look like x=-2:2"
            )
        name, _, interval = part.partition("=")
        name = name.strip()
        if name not in bounds:
            raise ExpressionError(f"domain names '{printable(name)}', which is not a variable")
        low_text, _, high_text = interval.partition(":")
        try:
            bounds[name] = check_interval(name, low_text, high_text)
        except ValueError as error:
            raise ExpressionError(str(error)) from None
    return tuple(bounds[name] for name in variables)


def domain_defaults(text: str | None, variables: Sequence[str]) -> list[str]:
    """The variables a non-empty domain text leaves out (they get ``-2:2``), to be stated."""
    if not text or not text.strip():
        return []
    named = {part.partition("=")[0].strip() for part in text.split(",")}
    return [name for name in variables if name not in named]


def default_range_note(missing: Sequence[str]) -> str:
    """``"y has no range in the domain: using y = -2:2 (the default)"``; empty for none."""
    if not missing:
        return ""
    lo, hi = f"{-DEFAULT_BOUND:g}", f"{DEFAULT_BOUND:g}"
    names = " and ".join(missing)
    verb = "has" if len(missing) == 1 else "have"
    using = ", ".join(f"{name} = {lo}:{hi}" for name in missing)
    return f"{names} {verb} no range in the domain: using {using} (the default)"
