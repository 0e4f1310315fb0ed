"""The error a rejected expression raises, in a module of its own so that code which only
catches it (the CLI, surfaces loaded from the code cache) need not import sympy."""

from __future__ import annotations


class ExpressionError(ValueError):
    """A typed expression could not be accepted.

    ``message`` says what is wrong in plain words; ``column`` is the 1-based position of the
    problem in the typed text, or ``None`` when the problem is not at one place.
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        self.message = message
        self.column = column
        super().__init__(message if column is None else f"{message} (at column {column})")


def printable(text: str, limit: int = 40) -> str:
    """Text for a one-line message: control and other unprintable characters escaped, and
    shortened to ``limit`` characters after escaping (twelve escaped astral characters are
    120 characters: a typed name must not make its own message unreadable)."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
