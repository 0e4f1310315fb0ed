"""A surface's loss as PyTorch source: a small printer over the sympy tree.

The expression language (:data:`saddlelab.core.expressions.FUNCTIONS`) builds its trees from
sums, products, powers, numbers, the constants pi and e, and the functions sin, cos, tan,
asin, acos, atan, sinh, cosh, tanh, exp, log, sqrt (a power 1/2) and abs; sigmoid and softplus
arrive as ``1/(1 + exp(-x))`` and ``log(1 + exp(x))``. Each becomes the torch function of the
same name, so autograd differentiates the very formula the engine differentiates with sympy.
Sub-expressions without a variable are printed as their value (``repr`` of the float).
A node of any other kind raises :class:`TorchPrintError` instead of printing wrong code.
"""

from __future__ import annotations

import keyword
import math

import sympy

from .options import ExportError

TORCH_FUNCTIONS = {
    sympy.sin: "torch.sin",
    sympy.cos: "torch.cos",
    sympy.tan: "torch.tan",
    sympy.asin: "torch.asin",
    sympy.acos: "torch.acos",
    sympy.atan: "torch.atan",
    sympy.sinh: "torch.sinh",
    sympy.cosh: "torch.cosh",
    sympy.tanh: "torch.tanh",
    sympy.exp: "torch.exp",
    sympy.log: "torch.log",
    sympy.Abs: "torch.abs",
}
"""sympy function -> torch function (square roots are powers; see :func:`_power`)."""

SCRIPT_NAMES = frozenset({"torch", "math", "theta", "loss_fn", "opt", "scheduler", "t", "gauss",
                          "mix", "print", "range", "sum", "float", "abs"})  # fmt: skip
"""Names the generated script uses: a variable called so is renamed (``torch_``)."""

# precedence: the loosest operation a printed text contains
_ADD, _MUL, _NEG, _POW, _ATOM = 1, 2, 3, 4, 5


class TorchPrintError(ExportError):
    """The expression holds something the printer has no torch form for (one line)."""


def safe_name(name: str) -> str:
    """A variable's name in the script: unchanged unless the script uses it already."""
    return f"{name}_" if name in SCRIPT_NAMES or keyword.iskeyword(name) else name


def torch_source(expr: sympy.Expr, names: dict[sympy.Symbol, str]) -> str:
    """``expr`` as torch source over the symbols' script names."""
    return _print(expr, names)[0]


def _number(value: sympy.Expr) -> tuple[str, int]:
    number = complex(sympy.N(value, 17))
    if number.imag != 0 or not math.isfinite(number.real):
        raise TorchPrintError(f"the constant {value} has no real finite value")
    text = repr(float(number.real))
    return text, (_NEG if text.startswith("-") else _ATOM)


def _wrap(part: tuple[str, int], level: int) -> str:
    text, prec = part
    return f"({text})" if prec < level else text


def _print(expr: sympy.Expr, names: dict) -> tuple[str, int]:
    if expr.is_Symbol:
        if expr not in names:
            raise TorchPrintError(f"'{expr}' is not a variable of the surface")
        return names[expr], _ATOM
    if not expr.free_symbols:
        return _number(expr)
    if expr.is_Add:
        return _sum(expr, names)
    if expr.is_Mul:
        return _product(expr, names)
    if expr.is_Pow:
        return _power(expr, names)
    function = TORCH_FUNCTIONS.get(expr.func)
    if function is not None and len(expr.args) == 1:
        return f"{function}({_print(expr.args[0], names)[0]})", _ATOM
    raise TorchPrintError(f"no PyTorch form for {type(expr).__name__} in the loss")


def _sum(expr: sympy.Add, names: dict) -> tuple[str, int]:
    text = ""
    for term in expr.as_ordered_terms():
        negative = term.could_extract_minus_sign()
        part = _print(-term if negative else term, names)
        body = _wrap(part, _MUL if negative else _ADD)
        if not text:
            text = _negated(part)[0] if negative else body
        else:
            text += f" - {body}" if negative else f" + {body}"
    return text, _ADD


def _negated(part: tuple[str, int]) -> tuple[str, int]:
    """``-a * b`` for a product (the same double as ``-(a * b)``), ``-(a + b)`` for a sum."""
    return f"-{_wrap(part, _MUL)}", (_NEG if part[1] >= _POW else _MUL)


def _product(expr: sympy.Mul, names: dict) -> tuple[str, int]:
    if expr.could_extract_minus_sign():
        return _negated(_print(-expr, names))
    top, bottom = [], []
    for factor in expr.as_ordered_factors():
        base, exponent = factor.as_base_exp()
        if factor.is_Pow and exponent.is_number and exponent.is_negative:
            bottom.append(base**-exponent)
        elif factor.is_Rational and not factor.is_Integer:
            top.append(sympy.Integer(factor.p))
            bottom.append(sympy.Integer(factor.q))
        else:
            top.append(factor)
    top = [f for f in top if f != 1]
    text = " * ".join(_wrap(_print(f, names), _MUL) for f in top) or "1.0"
    for factor in bottom:  # a * b / c / d: left to right, so no brackets on the left
        text += f" / {_wrap(_print(factor, names), _POW)}"
    return text, _MUL


def _power(expr: sympy.Pow, names: dict) -> tuple[str, int]:
    base, exponent = expr.args
    if base == sympy.E:
        return f"torch.exp({_print(exponent, names)[0]})", _ATOM
    if exponent == sympy.Rational(1, 2):
        return f"torch.sqrt({_print(base, names)[0]})", _ATOM
    if exponent.is_number and exponent.is_negative:
        return f"1.0 / {_wrap(_print(base**-exponent, names), _POW)}", _MUL
    if exponent.is_Integer:
        power = str(int(exponent))
    else:
        power = _wrap(_print(exponent, names), _POW + 1)
    return f"{_wrap(_print(base, names), _POW + 1)}**{power}", _POW
