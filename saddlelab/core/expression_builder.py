"""The builder of the safe expression language: walks a whitelisted ``ast`` tree and builds the
sympy expression node by node (the language itself, its limits and errors are in
:mod:`.expressions`).

Constant sub-expressions are tracked as plain floats too, so constants that are complex,
undefined or astronomically large are refused before sympy tries to evaluate them.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy

from .expressions import (
    CONSTANT_VALUES,
    CONSTANTS,
    FUNCTIONS,
    MAX_CONSTANT_LOG10,
    MAX_DEPTH,
    MAX_EXPONENT,
    ExpressionError,
)

_OPERATORS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}

_OPERATOR_WORDS = {
    ast.FloorDiv: "'//' (floor division)",
    ast.Mod: "'%' (remainder)",
    ast.MatMult: "'@' (matrix product)",
    ast.LShift: "'<<'",
    ast.RShift: "'>>'",
    ast.BitOr: "'|'",
    ast.BitAnd: "'&'",
    ast.BitXor: "'^'",
}


def _float_sigmoid(x: float) -> float:
    return 0.5 * (1.0 + math.tanh(0.5 * x))


def _float_softplus(x: float) -> float:
    return x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))


_FLOAT_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "tanh": math.tanh,
    "exp": math.exp,
    "log": math.log,
    "ln": math.log,
    "sqrt": math.sqrt,
    "abs": abs,
    "sigmoid": _float_sigmoid,
    "softplus": _float_softplus,
}
"""Plain-float twins of FUNCTIONS, used to vet constant sub-expressions."""


@dataclass(frozen=True)
class _Term:
    """A built sub-expression and, when it has no free names, its value as a float.

    Tracking constant values in plain floats lets the builder reject constants that are
    complex (``sqrt(-1)``), undefined (``log(0)``) or astronomically large (``exp(exp(1000))``)
    before sympy ever tries to evaluate them: sympy's own numeric evaluation of such
    constants can overflow or run for a very long time.
    """

    expr: sympy.Expr
    value: float | None = None


class Builder:
    """Walk a whitelisted ``ast`` tree and build the sympy expression."""

    def __init__(self, names: Mapping[str, sympy.Symbol], origin: list[int]) -> None:
        self.names = names
        self.origin = origin

    def column(self, node: ast.AST) -> int | None:
        offset = getattr(node, "col_offset", None)
        if offset is None:
            return None
        offset = min(offset, len(self.origin) - 1)
        return self.origin[offset] + 1

    def fail(self, message: str, node: ast.AST) -> ExpressionError:
        return ExpressionError(message, self.column(node))

    def build(self, node: ast.AST, depth: int = 0) -> _Term:
        if depth > MAX_DEPTH:
            raise self.fail(f"expression is nested too deeply (more than {MAX_DEPTH} levels)", node)
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            operand = self.build(node.operand, depth + 1)
            if isinstance(node.op, ast.USub):
                value = None if operand.value is None else -operand.value
                return _Term(-operand.expr, value)
            if isinstance(node.op, ast.UAdd):
                return operand
            raise self.fail("only + and - may stand before a term", node)
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise self.fail(self.describe_unsupported(node), node)

    def constant(self, node: ast.Constant) -> _Term:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{value!r} is not a number", node)
        if isinstance(value, float):
            if not math.isfinite(value) or abs(value) >= 10.0**MAX_CONSTANT_LOG10:
                raise self.fail("number is too large", node)
            return _Term(sympy.Float(value), value)
        if value.bit_length() > 996:  # 2**996 < 10**300
            raise self.fail("number is too large", node)
        return _Term(sympy.Integer(value), float(value))

    def name(self, node: ast.Name) -> _Term:
        if node.id in CONSTANTS:
            return _Term(CONSTANTS[node.id], CONSTANT_VALUES[node.id])
        if node.id in self.names:
            return _Term(self.names[node.id])
        if node.id in FUNCTIONS:
            raise self.fail(f"'{node.id}' is a function: write {node.id}(...)", node)
        known = ", ".join(self.names) or "none"
        raise self.fail(f"unknown name '{node.id}' (the variables are: {known})", node)

    def binop(self, node: ast.BinOp, depth: int) -> _Term:
        # A chain a + b - c + ... (or a * b / c ...) is a left-leaning tree as deep as it is
        # long; fold it iteratively so that long sums count as one level of nesting.
        chain: list[ast.BinOp] = []
        current: ast.AST = node
        group = _chain_group(node.op)
        while (
            isinstance(current, ast.BinOp)
            and group is not None
            and _chain_group(current.op) == group
        ):
            chain.append(current)
            current = current.left
        if not chain:
            chain, current = [node], node.left
        result = self.build(current, depth + 1)
        for link in reversed(chain):
            result = self.apply(link, result, self.build(link.right, depth + 1))
        return result

    def apply(self, node: ast.BinOp, left: _Term, right: _Term) -> _Term:
        op_type = type(node.op)
        if op_type in _OPERATOR_WORDS:
            word = _OPERATOR_WORDS[op_type]
            raise self.fail(f"operator {word} is not supported", node)
        if op_type is ast.Pow:
            return self.power(left, right, node)
        if op_type is ast.Div and right.expr == 0:
            raise self.fail("division by zero", node.right)
        value = None
        if left.value is not None and right.value is not None:
            value = self.checked(lambda: _OPERATORS[op_type](left.value, right.value), node)
        result = _OPERATORS[op_type](left.expr, right.expr)
        self.check_defined(result, node)
        return _Term(result, value)

    def power(self, base: _Term, exponent: _Term, node: ast.BinOp) -> _Term:
        if exponent.value is not None:
            if abs(exponent.value) > MAX_EXPONENT:
                raise self.fail(
                    f"constant exponent {exponent.expr} is too large (at most {MAX_EXPONENT})",
                    node.right,
                )
            if base.expr == 0 and exponent.value < 0:
                raise self.fail("zero raised to a negative power", node)
        value = None
        if base.value is not None and exponent.value is not None:
            value = self.checked(lambda: base.value**exponent.value, node)
        result = base.expr**exponent.expr
        self.check_defined(result, node)
        return _Term(result, value)

    def checked(self, compute: Callable[[], float | complex], node: ast.AST) -> float:
        """Evaluate a constant in plain floats; reject complex, undefined or huge values."""
        try:
            value = compute()
        except ZeroDivisionError:
            raise self.fail("division by zero", node) from None
        except (OverflowError, ValueError):
            raise self.fail("constant is too large or undefined", node) from None
        if isinstance(value, complex):
            raise self.fail("constant is not a real number", node)
        if not math.isfinite(value) or abs(value) >= 10.0**MAX_CONSTANT_LOG10:
            raise self.fail("constant is too large", node)
        return float(value)

    def check_defined(self, value: sympy.Expr, node: ast.AST) -> None:
        if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I):
            raise self.fail("expression is undefined there", node)

    def call(self, node: ast.Call, depth: int) -> _Term:
        if not isinstance(node.func, ast.Name):
            raise self.fail("only plain function names may be called, e.g. sin(x)", node)
        name = node.func.id
        if name not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise self.fail(f"unknown function '{name}' (allowed: {allowed})", node.func)
        if node.keywords:
            raise self.fail(f"{name}() takes no named arguments", node)
        function = FUNCTIONS[name]
        if len(node.args) != function.arity:
            raise self.fail(
                f"{name}() takes {function.arity} argument(s), got {len(node.args)}", node
            )
        args = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.fail("'*' unpacking is not supported", arg)
            args.append(self.build(arg, depth + 1))
        value = None
        if all(a.value is not None for a in args):
            try:
                value = self.checked(lambda: _FLOAT_FUNCTIONS[name](*(a.value for a in args)), node)
            except ExpressionError:
                raise self.fail(f"{name}() is undefined or too large there", node) from None
        result = function.build(*(a.expr for a in args))
        if result.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I):
            raise self.fail(f"{name}() is undefined there", node)
        return _Term(result, value)

    @staticmethod
    def describe_unsupported(node: ast.AST) -> str:
        kinds = {
            ast.Compare: "comparisons are not supported",
            ast.BoolOp: "'and'/'or' are not supported",
            ast.Attribute: "attribute access ('.') is not supported",
            ast.Subscript: "indexing ('[ ]') is not supported",
            ast.Lambda: "lambda is not supported",
            ast.IfExp: "'if' expressions are not supported",
            ast.Tuple: "a ',' is not allowed here (one expression only)",
            ast.List: "lists are not supported",
            ast.Dict: "dictionaries are not supported",
            ast.Set: "sets are not supported",
            ast.JoinedStr: "strings are not supported",
            ast.NamedExpr: "':=' is not supported",
        }
        for kind, message in kinds.items():
            if isinstance(node, kind):
                return message
        return f"'{type(node).__name__}' is not allowed in an expression"


def _chain_group(op: ast.operator) -> int | None:
    """Operators that chain left to right at one precedence level share a group."""
    if isinstance(op, ast.Add | ast.Sub):
        return 0
    if isinstance(op, ast.Mult | ast.Div):
        return 1
    return None
