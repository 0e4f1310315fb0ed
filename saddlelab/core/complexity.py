"""A size budget for exact derivatives: refuse in milliseconds what sympy would take minutes on.

A short expression can have enormous derivatives: the product of 60 linear factors is 530
characters, yet its Hessian has hundreds of thousands of terms and sympy needs minutes to build
and compile it. Differentiating cannot be interrupted, so the surface is measured *before*: the
size of each derivative is estimated from the tree by the rules of differentiation (product
rule, chain rule), without building it. Time to differentiate, eliminate common subexpressions
and compile grows with that size, so a bound on it is a bound on time; the bound is set so that
what is accepted is built in well under 5 s on a slow machine (``benchmarks/bench_hostile.py``).

The estimate is an upper bound in spirit (sympy's automatic simplification can only make the
real derivative smaller), cheap (linear in the tree, with shared subtrees counted once) and
needs nothing but the sympy tree.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import sympy

MAX_DERIVATIVE_SIZE = 25_000
"""Largest accepted estimated size (tree nodes) of the gradient or of the Hessian, summed over
its entries."""


SYMBOLIC_SECONDS = 2.5
"""Wall-clock budget of differentiation. Sizes predict time only roughly (sympy's automatic
evaluation of trig functions and powers of real symbols costs more per node), so the gradient
is timed and the Hessian refused when the time it would take, extrapolated from the gradient's,
would overrun this; compiling afterwards takes about half as long again."""


class TooComplex(ValueError):
    """The derivatives would be too large to build and compile quickly."""


class _Sizer:
    """Tree sizes of an expression and of its derivative with respect to one variable."""

    def __init__(self, variable: sympy.Symbol) -> None:
        self.variable = variable
        self._size: dict[sympy.Basic, int] = {}
        self._dsize: dict[sympy.Basic, int] = {}

    def size(self, e: sympy.Basic) -> int:
        cached = self._size.get(e)
        if cached is None:
            cached = 1 + sum(self.size(a) for a in e.args)
            self._size[e] = cached
        return cached

    def dsize(self, e: sympy.Basic) -> int:
        """Estimated size of d e / d variable (0 if e does not depend on it)."""
        cached = self._dsize.get(e)
        if cached is not None:
            return cached
        if self.variable not in e.free_symbols:
            value = 0
        elif e.is_Symbol:
            value = 1
        elif e.is_Add:
            value = 1 + sum(self.dsize(a) for a in e.args)
        elif e.is_Mul:
            sizes = [self.size(a) for a in e.args]
            total = sum(sizes)
            value = 1 + sum(
                self.dsize(a) + total - s + 1
                for a, s in zip(e.args, sizes, strict=True)
                if self.variable in a.free_symbols
            )
        elif e.is_Pow:
            base, exponent = e.args
            if self.variable in exponent.free_symbols:
                value = 2 * self.size(e) + self.dsize(base) + self.dsize(exponent) + 6
            else:
                value = self.size(base) + self.size(exponent) + self.dsize(base) + 4
        else:  # a function f(a): f'(a)·a', with f'(a) about as large as f(a), twice for safety
            value = 2 * self.size(e) + sum(self.dsize(a) for a in e.args) + 2
        self._dsize[e] = value
        return value


def gradient_size(expr: sympy.Expr, symbols: Sequence[sympy.Symbol]) -> int:
    """Estimated total size of the gradient of ``expr``."""
    return sum(_Sizer(s).dsize(expr) for s in symbols)


def hessian_size(gradient: Sequence[sympy.Expr], symbols: Sequence[sympy.Symbol]) -> int:
    """Estimated total size of the upper triangle of the Hessian, from the exact gradient."""
    n = len(symbols)
    return sum(_Sizer(symbols[j]).dsize(gradient[i]) for i in range(n) for j in range(i, n))


def check(size: int, what: str) -> None:
    """Raise TooComplex if an estimated derivative ``size`` is over the budget."""
    if size > MAX_DERIVATIVE_SIZE:
        raise TooComplex(
            f"too complex to differentiate exactly in 5 s: its {what} would have about "
            f"{_round(size)} terms (at most {MAX_DERIVATIVE_SIZE:,}); simplify or shorten it"
        )


def _round(n: int) -> str:
    return f"{n:,}" if n < 10_000 else f"{float(f'{n:.2g}'):,.0f}"


def differentiate(
    expr: sympy.Expr,
    symbols: Sequence[sympy.Symbol],
    clean: Callable[[sympy.Expr], sympy.Expr] = lambda e: e,
    budget: float = SYMBOLIC_SECONDS,
) -> tuple[tuple[sympy.Expr, ...], tuple[tuple[sympy.Expr, ...], ...]]:
    """Gradient and Hessian of ``expr`` within the size budget and about ``budget`` seconds.

    Raises TooComplex, saying why, before starting work that would overrun: sizes are checked
    before differentiating, the Hessian's time is extrapolated from the gradient's, and the
    clock is checked after each derivative.
    """
    start = time.monotonic()
    gsize = gradient_size(expr, symbols)
    check(gsize, "gradient")
    gradient = []
    for s in symbols:
        gradient.append(clean(sympy.diff(expr, s)))
        _check_clock(start, budget, "gradient")
    hsize = hessian_size(gradient, symbols)
    check(hsize, "Hessian")
    spent = time.monotonic() - start
    predicted = spent * hsize / max(gsize, 1)
    if spent + predicted > budget:
        raise TooComplex(
            f"too complex to differentiate exactly in 5 s: the gradient took {spent:.1f} s and "
            f"the Hessian would take about {predicted:.0f} s more; simplify or shorten it"
        )
    n = len(symbols)
    rows: list[list[sympy.Expr]] = [[sympy.Integer(0)] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            rows[i][j] = rows[j][i] = clean(sympy.diff(gradient[i], symbols[j]))
            _check_clock(start, 1.2 * budget, "Hessian")
    return tuple(gradient), tuple(tuple(r) for r in rows)


def _check_clock(start: float, budget: float, what: str) -> None:
    spent = time.monotonic() - start
    if spent > budget:
        raise TooComplex(
            f"too complex to differentiate exactly in 5 s: its {what} took more than "
            f"{spent:.1f} s; simplify or shorten it"
        )
