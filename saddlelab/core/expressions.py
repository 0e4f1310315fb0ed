"""A safe expression language for loss surfaces.

Users type losses such as ``(1 - w1*w2)^2``. The text is parsed by Python's ``ast`` module
(which only builds a tree and never runs anything) and the tree is then walked with a strict
whitelist: numbers, names, ``+ - * / ** ^``, unary signs, parentheses and calls to a fixed set
of functions. Only after that walk succeeds is a sympy expression built, node by node. The text
is never handed to ``eval``, ``exec``, ``sympify`` or ``parse_expr``.

Length, nesting depth and the size of constant exponents are bounded so that no input can hang
the parser or exhaust memory. Every problem raises :class:`ExpressionError` with a message and
the 1-based column of the offending character.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sympy

from .expression_error import ExpressionError, printable

MAX_LENGTH = 1000
"""Longest accepted expression, in characters."""
MAX_DEPTH = 40
"""Deepest accepted nesting of operations and calls."""
MAX_EXPONENT = 100
"""Largest accepted magnitude of a constant exponent (``x**100`` yes, ``x**1000`` no)."""
MAX_CONSTANT_LOG10 = 300
"""Constant sub-expressions must stay below 10**300 in magnitude (they become floats)."""

NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")


def _sigmoid(x: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + sympy.exp(-x))


def _softplus(x: sympy.Expr) -> sympy.Expr:
    return sympy.log(1 + sympy.exp(x))


@dataclass(frozen=True)
class _Function:
    build: Callable[..., sympy.Expr]
    arity: int
    doc: str


FUNCTIONS: dict[str, _Function] = {
    "sin": _Function(sympy.sin, 1, "sine"),
    "cos": _Function(sympy.cos, 1, "cosine"),
    "tan": _Function(sympy.tan, 1, "tangent"),
    "asin": _Function(sympy.asin, 1, "inverse sine"),
    "acos": _Function(sympy.acos, 1, "inverse cosine"),
    "atan": _Function(sympy.atan, 1, "inverse tangent"),
    "sinh": _Function(sympy.sinh, 1, "hyperbolic sine"),
    "cosh": _Function(sympy.cosh, 1, "hyperbolic cosine"),
    "tanh": _Function(sympy.tanh, 1, "hyperbolic tangent"),
    "exp": _Function(sympy.exp, 1, "exponential"),
    "log": _Function(sympy.log, 1, "natural logarithm"),
    "ln": _Function(sympy.log, 1, "natural logarithm"),
    "sqrt": _Function(sympy.sqrt, 1, "square root"),
    "abs": _Function(sympy.Abs, 1, "absolute value"),
    "sigmoid": _Function(_sigmoid, 1, "logistic sigmoid 1/(1+exp(-x))"),
    "softplus": _Function(_softplus, 1, "softplus log(1+exp(x))"),
}
"""The only functions an expression may call, with their number of arguments."""

CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E}
"""Named constants an expression may use."""
CONSTANT_VALUES: dict[str, float] = {"pi": math.pi, "e": math.e}

RESERVED_NAMES = frozenset(FUNCTIONS) | frozenset(CONSTANTS)


def validate_name(name: str) -> str:
    """Return ``name`` if it may be a variable or parameter name, else raise ExpressionError.

    Names used by generated code (numpy, math, x0, ...) are fine: generated source never uses
    a user's names. Refused are only names that cannot be read back unambiguously: Python
    keywords, the language's functions and constants, and anything but short ASCII words.
    """
    if not isinstance(name, str) or not name:
        raise ExpressionError("a variable name is empty: give names such as x, y")
    if len(name) > 32:
        raise ExpressionError(
            f"the name '{printable(name[:12])}…' is too long (at most 32 characters)"
        )
    if keyword.iskeyword(name):
        raise ExpressionError(f"'{name}' is a Python keyword and cannot be a variable name")
    if not NAME_PATTERN.match(name):
        raise ExpressionError(
            f"'{printable(name)}' is not a valid name: use an ASCII letter followed by letters, "
            "digits or _"
        )
    if name in RESERVED_NAMES:
        raise ExpressionError(f"'{name}' is a built-in function or constant, not a free name")
    return name


def make_symbol(name: str) -> sympy.Symbol:
    """The sympy symbol used for a variable or parameter called ``name`` (always real)."""
    return sympy.Symbol(name, real=True)


def _caret_to_power(text: str) -> tuple[str, list[int]]:
    """Replace ``^`` by ``**`` and return the new text with a map back to original columns."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch == "^":
            out.append("**")
            origin.extend((i, i))
        else:
            out.append(ch)
            origin.append(i)
    origin.append(len(text))
    return "".join(out), origin


def _syntax_column(error: SyntaxError, origin: list[int]) -> int | None:
    if error.offset is None:
        return None
    index = max(0, min(error.offset - 1, len(origin) - 1))
    return origin[index] + 1


def _check_brackets(text: str) -> None:
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(
                    f"too many nested brackets (more than {MAX_DEPTH} levels)", i + 1
                )
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                raise ExpressionError("')' without a matching '('", i + 1)
    if depth > 0:
        raise ExpressionError("'(' is never closed", len(text))


def _check_characters(text: str) -> None:
    for i, ch in enumerate(text):
        if not (ch.isascii() and (ch.isalnum() or ch in " \t_.+-*/^()," or ch == "\n")):
            raise ExpressionError(f"character {ch!r} is not allowed", i + 1)


def parse_expression(
    text: str,
    variables: Iterable[str],
    parameters: Iterable[str] = (),
) -> sympy.Expr:
    """Parse ``text`` into a sympy expression over ``variables`` (and named ``parameters``).

    Raises :class:`ExpressionError` for anything outside the language; never executes the text.
    """
    if not isinstance(text, str):
        raise ExpressionError("the expression must be text")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"expression is too long ({len(text)} > {MAX_LENGTH} characters)", MAX_LENGTH + 1
        )
    stripped = text.strip()
    if not stripped:
        raise ExpressionError("the expression is empty")
    _check_characters(text)
    _check_brackets(text)

    names: dict[str, sympy.Symbol] = {}
    for name in [*variables, *parameters]:
        validate_name(name)
        if name in names:
            raise ExpressionError(f"the name '{name}' is given twice")
        names[name] = make_symbol(name)

    python_text, origin = _caret_to_power(text.replace("\n", " "))
    try:
        tree = ast.parse(python_text.strip(), mode="eval")
    except SyntaxError as error:
        # ast.parse is called on the stripped text; shift the column back.
        lead = len(python_text) - len(python_text.lstrip())
        shifted = SyntaxError(error.msg)
        shifted.offset = None if error.offset is None else error.offset + lead
        column = _syntax_column(shifted, origin)
        raise ExpressionError(_friendly_syntax_message(error), column) from None
    except (ValueError, MemoryError, RecursionError):
        raise ExpressionError("the expression could not be read") from None

    from .expression_builder import Builder  # it builds with this module's language

    lead = len(python_text) - len(python_text.lstrip())
    builder = Builder(names, origin[lead:])
    try:
        return builder.build(tree.body).expr
    except ExpressionError:
        raise
    except (RecursionError, MemoryError, OverflowError, ValueError, TypeError, ArithmeticError):
        raise ExpressionError("the expression could not be built") from None


def _friendly_syntax_message(error: SyntaxError) -> str:
    msg = (error.msg or "").lower()
    if "invalid decimal literal" in msg or "invalid syntax. perhaps you forgot a comma" in msg:
        return "missing operator, e.g. write 2*x rather than 2x"
    if "unexpected eof" in msg or "was never closed" in msg:
        return "the expression ends too early"
    if "unmatched" in msg:
        return "unmatched bracket"
    return "this is not a valid expression"


def free_names(text: str) -> list[str]:
    """Names in ``text`` that are neither functions nor constants, in order of appearance.

    Used to suggest variables for a typed expression. Raises ExpressionError on bad syntax.
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"expression is too long ({len(text)} > {MAX_LENGTH} characters)", MAX_LENGTH + 1
        )
    _check_characters(text)
    _check_brackets(text)
    python_text, _ = _caret_to_power(text.replace("\n", " "))
    try:
        tree = ast.parse(python_text.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise ExpressionError("this is not a valid expression") from None
    seen: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in RESERVED_NAMES and node.id not in seen:
            seen.append(node.id)
    return sorted(seen)
