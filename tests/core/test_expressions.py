"""The safe expression language: what it accepts, what it refuses, and that it never runs text."""

from __future__ import annotations

import builtins

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saddlelab.core.expressions import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    ExpressionError,
    free_names,
    parse_expression,
)

x, y = sympy.symbols("x y", real=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(1 - x*y)^2", (1 - x * y) ** 2),
        ("x**2 - y**2", x**2 - y**2),
        ("sin(x)*cos(y) + 0.1*(x**2 + y**2)", sympy.sin(x) * sympy.cos(y) + 0.1 * (x**2 + y**2)),
        ("-x + +y", -x + y),
        ("exp(-(x^2 + y^2))", sympy.exp(-(x**2 + y**2))),
        ("pi*x + e", sympy.pi * x + sympy.E),
        ("sigmoid(x)", 1 / (1 + sympy.exp(-x))),
        ("ln(1 + x^2)", sympy.log(1 + x**2)),
        ("2^3^2 * x", 512 * x),
    ],
)
def test_accepts_the_language(text: str, expected: sympy.Expr) -> None:
    assert sympy.simplify(parse_expression(text, ["x", "y"]) - expected) == 0


def test_every_listed_function_parses() -> None:
    for name in FUNCTIONS:
        assert parse_expression(f"{name}(x + 2) * y", ["x", "y"]).has(x)


def test_parameters_are_symbols() -> None:
    expr = parse_expression("(a - x)^2 + b*(y - x^2)^2", ["x", "y"], ["a", "b"])
    assert {str(s) for s in expr.free_symbols} == {"a", "b", "x", "y"}


def test_long_flat_sums_are_not_deep_nesting() -> None:
    text = " + ".join(f"{k}*x^2" for k in range(1, 100))
    assert len(text) < MAX_LENGTH
    assert parse_expression(text, ["x", "y"]) == 4950 * x**2


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("__import__('os')", 12),
        ("x.real", 1),
        ("lambda: 1", 7),
        ("9**9**9", 4),
        ("(" * 60 + "x" + ")" * 60, MAX_DEPTH + 1),
        ("-" * 200 + "x", None),
        ("x" + "+x" * 600, MAX_LENGTH + 1),
        ("2x + y", 1),
        ("x + z", 5),
        ("foo(x)", 1),
        ("sin(x, y)", 1),
        ("x // y", 1),
        ("1/0", 3),
        ("sqrt(-1) * x", 1),
        ("log(0) + x", 1),
        ("exp(exp(1000))", 5),
        ("1e400 * x", 1),
        ("x ; y", 3),
        ("sin", 1),
        ("x if y else 1", 1),
        ("(x + y", 6),
    ],
)
def test_hostile_and_malformed_inputs_give_a_located_error(text: str, column: int | None) -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression(text, ["x", "y"])
    error = info.value
    assert error.message
    if column is not None:
        assert error.column == column
    else:
        assert error.column is not None and 1 <= error.column <= len(text) + 1


def test_parsing_never_calls_eval_exec_or_sympify(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args, **kwargs):
        raise AssertionError("the parser executed text")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(sympy, "sympify", forbidden)
    import sympy.parsing.sympy_parser as sympy_parser

    monkeypatch.setattr(sympy_parser, "parse_expr", forbidden)
    assert parse_expression("(1 - x*y)^2 + sin(x)", ["x", "y"]).has(sympy.sin(x))
    with pytest.raises(ExpressionError):
        parse_expression("__import__('os').system('echo pwned')", ["x", "y"])


def test_free_names_suggests_variables() -> None:
    assert free_names("(1 - w1*w2)^2 + sin(pi*w1)") == ["w1", "w2"]


def _check_parse(text: str) -> None:
    try:
        result = parse_expression(text, ["x", "y"], ["a"])
    except ExpressionError as error:
        assert error.column is None or 1 <= error.column <= max(len(text), MAX_LENGTH) + 1
    else:
        assert isinstance(result, sympy.Expr)
        assert not result.has(sympy.I, sympy.zoo, sympy.nan)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_fuzz_any_text(text: str) -> None:
    _check_parse(text)


_atoms = st.one_of(
    st.sampled_from(["x", "y", "a", "pi", "e", "z", "__import__", "os", "'s'", "0", "1e308"]),
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
)
_ops = st.sampled_from(["+", "-", "*", "/", "**", "^", "//", "%", ",", ".", " ", ""])
_calls = st.sampled_from([*FUNCTIONS, "eval", "open", "lambda"])


def _extend(inner):
    return st.one_of(
        st.tuples(inner, _ops, inner).map("".join),
        st.tuples(_calls, inner).map(lambda t: f"{t[0]}({t[1]})"),
        inner.map(lambda s: f"({s})"),
        inner.map(lambda s: f"-{s}"),
        st.tuples(inner, st.integers(0, 400)).map(lambda t: f"{t[0]}**{t[1]}"),
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(_atoms, _extend, max_leaves=40))
def test_fuzz_expression_like_text(text: str) -> None:
    _check_parse(text)
