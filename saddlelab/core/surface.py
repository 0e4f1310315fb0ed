"""Loss surfaces with exact derivatives.

A :class:`Surface` holds a parsed sympy expression over 2 or 3 variables, its domain, its
descriptive metadata and optional named parameters. Gradient and Hessian are differentiated
symbolically once and compiled (``sympy.lambdify`` with common-subexpression elimination) to
numpy functions that evaluate a whole grid or a batch of points in one call.

``lambdify`` generates Python source from the *sympy tree* that :mod:`.expressions` built from a
whitelisted syntax tree; the user's text itself is never executed. That source is kept on disk
per expression (:mod:`.surface_code`, checked before use), so a surface seen before is built
without importing sympy; its sympy trees are then parsed again only when asked for.

Evaluation never raises: non-finite results (log of a negative, overflow) become NaN, and
:meth:`Surface.evaluate` reports how many there were.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from . import surface_code
from .domain import DEFAULT_BOUND, Domain, parse_domain
from .expression_error import ExpressionError
from .limits import check_interval

if TYPE_CHECKING:
    import sympy


def _remove_distributions(expr: sympy.Expr) -> sympy.Expr:
    """Drop DiracDelta terms (derivatives of |x| at a kink) so the result compiles."""
    import sympy

    if expr.has(sympy.DiracDelta):
        expr = expr.replace(sympy.DiracDelta, lambda *args: sympy.Integer(0))
    return expr


@dataclass(frozen=True)
class GridEvaluation:
    """Values on a grid, with non-finite entries replaced by NaN and counted."""

    values: np.ndarray
    nonfinite: int

    @property
    def finite_mask(self) -> np.ndarray:
        return np.isfinite(self.values)


@dataclass(eq=False)
class Surface:
    """A loss surface over 2 or 3 variables with compiled exact derivatives.

    Build one with :meth:`from_expression`; the catalogue builds the built-in ones.
    """

    expression: str
    variables: tuple[str, ...]
    domain: Domain
    id: str = "custom"
    name: str = "Custom surface"
    description: str = ""
    start: tuple[float, ...] | None = None
    parameters: Mapping[str, float] = field(default_factory=dict)
    formula: str = ""
    symbolic_expr: sympy.Expr | None = field(default=None, repr=False)
    code_key: str = field(default="", repr=False)
    """Key of the surface's printed code in :mod:`.surface_code`'s cache ("" = not cached)."""

    @classmethod
    def from_expression(
        cls,
        expression: str,
        variables: Sequence[str],
        domain: Domain | str | None = None,
        *,
        parameters: Mapping[str, float] | None = None,
        **metadata,
    ) -> Surface:
        """Parse and compile a surface. Raises ExpressionError on any bad input.

        An expression whose code is cached (:mod:`.surface_code`) was accepted before with the
        same names and values, so it is not parsed again (nor sympy imported).
        """
        variables = tuple(v.strip() for v in variables)
        parameters = dict(parameters or {})
        key = surface_code.code_key(expression, variables, parameters)
        code = surface_code.load(key) if key else None
        symbolic = None
        if code is None:
            from .expressions import parse_expression, validate_name

            variables = tuple(validate_name(v) for v in variables)
        if not 2 <= len(variables) <= 3:
            raise ExpressionError("a surface needs 2 or 3 variables")
        if len(set(variables)) != len(variables):
            raise ExpressionError("variable names must differ")
        for pname, value in parameters.items():
            if code is None:
                validate_name(pname)
            if not np.isfinite(float(value)):
                raise ExpressionError(f"parameter '{pname}' must be a finite number")
        if code is None:
            symbolic = parse_expression(expression, variables, parameters)
        if domain is None:
            domain = tuple((-DEFAULT_BOUND, DEFAULT_BOUND) for _ in variables)
        elif isinstance(domain, str):
            domain = parse_domain(domain, variables)
        else:
            domain = tuple(domain)
            if len(domain) != len(variables):
                raise ExpressionError("the domain needs one interval per variable")
            try:
                domain = tuple(
                    check_interval(v, lo, hi) for v, (lo, hi) in zip(variables, domain, strict=True)
                )
            except ValueError as error:
                raise ExpressionError(str(error)) from None
        start = metadata.pop("start", None)
        if start is not None:
            start = tuple(float(s) for s in start)
            if len(start) != len(variables):
                raise ExpressionError("the start point needs one coordinate per variable")
        surface = cls(
            expression=expression,
            variables=variables,
            domain=domain,
            start=start,
            parameters={k: float(v) for k, v in parameters.items()},
            symbolic_expr=symbolic,
            **metadata,
        )
        surface.code_key = key
        surface._compile_all(code)
        return surface

    def with_parameters(self, **values: float) -> Surface:
        """A copy of this surface with some parameters changed."""
        unknown = set(values) - set(self.parameters)
        if unknown:
            raise ExpressionError(f"unknown parameter(s): {', '.join(sorted(unknown))}")
        return Surface.from_expression(
            self.expression,
            self.variables,
            self.domain,
            parameters={**self.parameters, **values},
            id=self.id,
            name=self.name,
            description=self.description,
            start=self.start,
            formula=self.formula,
        )

    # -- symbolic ---------------------------------------------------------------------------
    @property
    def ndim(self) -> int:
        return len(self.variables)

    @property
    def symbolic(self) -> sympy.Expr:
        """The parsed loss (parsed now if the surface was built from cached code)."""
        if self.symbolic_expr is None:
            from .expressions import parse_expression

            self.symbolic_expr = parse_expression(self.expression, self.variables, self.parameters)
        return self.symbolic_expr

    @cached_property
    def symbols(self) -> tuple[sympy.Symbol, ...]:
        from .expressions import make_symbol

        return tuple(make_symbol(v) for v in self.variables)

    @cached_property
    def expr(self) -> sympy.Expr:
        """The loss with parameter values substituted."""
        import sympy

        from .expressions import make_symbol

        subs = {make_symbol(k): sympy.Float(v) for k, v in self.parameters.items()}
        return self.symbolic.subs(subs) if subs else self.symbolic

    @cached_property
    def gradient_exprs(self) -> tuple[sympy.Expr, ...]:
        import sympy

        return tuple(_remove_distributions(sympy.diff(self.expr, s)) for s in self.symbols)

    @cached_property
    def hessian_exprs(self) -> tuple[tuple[sympy.Expr, ...], ...]:
        import sympy

        n = self.ndim
        rows = [[sympy.Integer(0)] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                d2 = _remove_distributions(sympy.diff(self.gradient_exprs[i], self.symbols[j]))
                rows[i][j] = rows[j][i] = d2
        return tuple(tuple(r) for r in rows)

    def _check_complexity(self) -> None:
        """Differentiate within the size and time budget of :mod:`.complexity` (filling the
        cached derivatives), or refuse with an ExpressionError that says why."""
        from . import complexity  # sympy: only when an expression must be differentiated

        try:
            gradient, hessian = complexity.differentiate(
                self.expr, self.symbols, _remove_distributions
            )
        except complexity.TooComplex as error:
            raise ExpressionError(str(error)) from None
        self.__dict__["gradient_exprs"] = gradient  # the cached properties' values
        self.__dict__["hessian_exprs"] = hessian

    def _compile_all(self, code: surface_code.SurfaceCode | None) -> None:
        """The numpy functions: from cached ``code``, or differentiated and printed now (and
        cached when their text passes the check)."""
        self.code = code
        if code is not None:
            self._loss_fn = surface_code.numpy_function(code.loss)
            self._grad_fn = surface_code.numpy_function(code.grad)
            self._hess_fn = surface_code.numpy_function(code.hess)
            return
        self._check_complexity()
        n = self.ndim
        upper = [self.hessian_exprs[i][j] for i in range(n) for j in range(i, n)]
        self._loss_fn, loss = surface_code.compile_numpy(self.symbols, [self.expr])
        self._grad_fn, grad = surface_code.compile_numpy(self.symbols, list(self.gradient_exprs))
        self._hess_fn, hess = surface_code.compile_numpy(self.symbols, upper)
        if self.code_key and loss and grad and hess:
            self.code = surface_code.SurfaceCode(loss, grad, hess)
            surface_code.store(self.code_key, self.code)

    def remember_scalar_source(self, source: str) -> None:
        """Keep the optimizer's printed scalar functions with the cached code (see codegen)."""
        if self.code is not None and self.code.scalar is None:
            self.code = surface_code.SurfaceCode(self.code.loss, self.code.grad, self.code.hess,
                                                 source)  # fmt: skip
            if self.code_key:
                surface_code.store(self.code_key, self.code)

    # -- numeric ----------------------------------------------------------------------------
    def _coords(self, coords: Sequence) -> tuple[list[np.ndarray], tuple[int, ...]]:
        if len(coords) == 1 and np.ndim(coords[0]) >= 1 and np.shape(coords[0])[-1] == self.ndim:
            points = np.asarray(coords[0], dtype=float)
            arrays = [points[..., i] for i in range(self.ndim)]
        elif len(coords) == self.ndim:
            arrays = [np.asarray(c, dtype=float) for c in coords]
        else:
            raise ValueError(
                f"expected {self.ndim} coordinates or an array of shape (..., {self.ndim})"
            )
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
        return arrays, shape

    @staticmethod
    def _stack(parts: list, shape: tuple[int, ...]) -> np.ndarray:
        out = np.empty((len(parts), *shape))
        for i, part in enumerate(parts):
            out[i] = part
        out[~np.isfinite(out)] = np.nan
        return out

    def loss(self, *coords) -> np.ndarray:
        """Loss at points: ``loss(X, Y)`` on grids, or ``loss(P)`` with P of shape (..., d).

        Non-finite values come back as NaN; this never raises for any numeric input.
        """
        arrays, shape = self._coords(coords)
        with np.errstate(all="ignore"):
            (value,) = self._loss_fn(*arrays)
            out = np.array(np.broadcast_to(value, shape), dtype=float)
        out[~np.isfinite(out)] = np.nan
        return out

    def gradient(self, *coords) -> np.ndarray:
        """Exact gradient, shape ``(..., d)``."""
        arrays, shape = self._coords(coords)
        with np.errstate(all="ignore"):
            parts = self._grad_fn(*arrays)
            out = self._stack(parts, shape)
        return np.moveaxis(out, 0, -1)

    def hessian(self, *coords) -> np.ndarray:
        """Exact Hessian, shape ``(..., d, d)``, symmetric by construction."""
        arrays, shape = self._coords(coords)
        n = self.ndim
        with np.errstate(all="ignore"):
            parts = self._hess_fn(*arrays)
            upper = self._stack(parts, shape)
        out = np.empty((*shape, n, n))
        k = 0
        for i in range(n):
            for j in range(i, n):
                out[..., i, j] = upper[k]
                out[..., j, i] = upper[k]
                k += 1
        return out

    def evaluate(self, *coords) -> GridEvaluation:
        """Loss at points with the number of non-finite values reported."""
        values = self.loss(*coords)
        return GridEvaluation(values=values, nonfinite=int(np.count_nonzero(np.isnan(values))))

    def grid(
        self, resolution: int = 200, fixed: Sequence[float] | None = None
    ) -> tuple[np.ndarray, np.ndarray, GridEvaluation]:
        """Loss on a ``resolution`` x ``resolution`` grid over the first two variables.

        For a 3-variable surface the third is held at ``fixed[0]`` (default: the middle of its
        domain, or the start point). Returns ``(xs, ys, evaluation)`` with ``values[i, j]`` at
        ``(xs[i], ys[j])``.
        """
        (x0, x1), (y0, y1) = self.domain[0], self.domain[1]
        xs = np.linspace(x0, x1, resolution)
        ys = np.linspace(y0, y1, resolution)
        X, Y = np.meshgrid(xs, ys, indexing="ij")
        if self.ndim == 2:
            return xs, ys, self.evaluate(X, Y)
        z = fixed[0] if fixed else self.default_slice()
        return xs, ys, self.evaluate(X, Y, np.full_like(X, z))

    def default_slice(self) -> float:
        """Value of the third variable for 2-D views of a 3-variable surface."""
        if self.start is not None and self.ndim == 3:
            return float(self.start[2])
        lo, hi = self.domain[2]
        return 0.0 if lo < 0 < hi else 0.5 * (lo + hi)

    def contains(self, point: Sequence[float], margin: float = 0.0) -> bool:
        """Whether ``point`` lies in the domain widened by ``margin`` times its size."""
        for x, (lo, hi) in zip(point, self.domain, strict=True):
            pad = margin * (hi - lo)
            if not lo - pad <= x <= hi + pad:
                return False
        return True

    def suggested_start(self) -> tuple[float, ...]:
        """The catalogue's start, else a quarter into the domain; where the loss or its
        gradient is undefined there, the nearest point of a coarse grid where both are finite."""
        if self.start is not None:
            return self.start
        quarter = tuple(lo + 0.25 * (hi - lo) for lo, hi in self.domain)
        if self._defined(np.array(quarter)).all():
            return quarter
        n = 21 if self.ndim == 2 else 11
        axes = [np.linspace(lo, hi, n)[1:-1] for lo, hi in self.domain]
        points = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, self.ndim)
        points = points[self._defined(points)]
        if not len(points):
            return quarter
        span = np.array([hi - lo for lo, hi in self.domain])
        nearest = np.argmin((((points - quarter) / span) ** 2).sum(axis=1))
        return tuple(float(f"{v:.12g}") for v in points[nearest])

    def _defined(self, points: np.ndarray) -> np.ndarray:
        """Whether the loss and the gradient are finite at each of ``points`` (..., d)."""
        return np.isfinite(self.loss(points)) & np.isfinite(self.gradient(points)).all(axis=-1)

    def latex(self) -> str:
        """The loss in LaTeX, for display."""
        import sympy

        return sympy.latex(self.symbolic)

    def pretty(self) -> str:
        """The loss as readable one-line text (``**`` as ``^``)."""
        if self.formula:
            return self.formula
        import sympy

        return sympy.sstr(self.symbolic).replace("**", "^")
