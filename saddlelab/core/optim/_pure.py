"""Stepping without numba: the engine's own functions run uncompiled, bit for bit as compiled.

The shared formulas (:mod:`._formulas`, :mod:`._updates`, :mod:`._rules`, :mod:`._rows`) are
plain Python; numba compiles them into the loops. This module runs the very same function code
(the same code objects, rebound) on numpy float64 scalars, so each operation is the IEEE
operation the compiled loop performs, with these substitutions for what numba does differently
from Python:

- ``math`` is :class:`IeeeMath`: the C library's functions (the ones the compiled code calls),
  returning inf or NaN where Python's ``math`` would raise;
- the surface's loss, gradient and Hessian are the scalar functions :mod:`.codegen` prints from
  the sympy trees (:func:`.codegen.surface_source`, the text numba compiles), executed as plain
  Python with each power ``a ** b`` evaluated as numba and LLVM lower it (:func:`power`): an
  integer literal exponent by repeated multiplication, ``** 0.5`` as a square root, ``** 2.0``
  as a product, a power-of-two base as ``exp2``;
- float errors (overflow, 0/0) give inf/NaN silently, as numba's ``error_model="numpy"``.

Importing this module does not import numba. It is the exact pure-Python path: the golden and
equality tests compare it with the compiled loop array for array. It is slower (a few
microseconds per operation; ~50,000 Adam updates a second on Rosenbrock against ~2 million
compiled) but starts at once: the window steps with it while the compiled loops are being built
(see :mod:`.warmup`), the CLI for runs too short to repay loading them.
"""

from __future__ import annotations

import ast
import ctypes
import ctypes.util
import math
import types

import numpy as np

from . import _formulas, _rows, _rules, _updates
from ._jitable import MARKED
from .codegen import surface_source

_UNARY = ("acos acosh asin asinh atan atanh cbrt cos cosh erf erfc exp exp2 expm1 fabs log "
          "log10 log1p log2 sin sinh sqrt tan tanh lgamma tgamma").split()  # fmt: skip
_BINARY = ("atan2", "copysign", "fmod", "hypot", "pow")


def _libm():
    name = ctypes.util.find_library("m")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:  # pragma: no cover (no C math library by that name)
        return None


class IeeeMath:
    """``math`` as compiled code sees it: the C library's functions on doubles, no exceptions.

    Where no C math library can be loaded, Python's ``math`` with inf/NaN for its errors (the
    same values except, possibly, in the last bit of some transcendental functions).
    """

    def __init__(self) -> None:
        lib = _libm()
        for names, arity in ((_UNARY, 1), (_BINARY, 2)):
            for name in names:
                fn = getattr(lib, name, None) if lib is not None else None
                if fn is not None:
                    fn.restype = ctypes.c_double
                    fn.argtypes = [ctypes.c_double] * arity
                    setattr(self, name, _wrap(fn))
                elif hasattr(math, name):
                    setattr(self, name, _guarded(getattr(math, name)))
        self.gamma = getattr(self, "tgamma", _guarded(math.gamma))

    def __getattr__(self, name: str):  # constants and tests: pi, e, inf, isfinite, floor ...
        return getattr(math, name)


def _wrap(fn):
    def call(*args):
        return np.float64(fn(*(float(a) for a in args)))

    return call


def _guarded(fn):
    def call(*args):
        try:
            return np.float64(fn(*args))
        except (OverflowError, ValueError):
            with np.errstate(all="ignore"):
                name = {"gamma": "nan"}.get(fn.__name__, fn.__name__)
                return np.float64(getattr(np, name, lambda *a: np.nan)(*args))

    return call


MATH = IeeeMath()


def power(a, b, kind: str):
    """``a ** b`` as numba compiles it; ``kind`` says which operand is a literal constant."""
    if kind == "int":  # numba: repeated squaring, 1/x for a negative exponent
        n = abs(b)
        result, base = np.float64(1.0), np.float64(a)
        while n:
            if n & 1:
                result = result * base
            n >>= 1
            base = base * base
        if b < 0 and result == 0.0:  # numba keeps Python's error here
            raise ZeroDivisionError("0.0 cannot be raised to a negative power")
        return np.float64(1.0) / result if b < 0 else result
    if kind == "exponent":  # LLVM's folds of pow(x, constant)
        a = np.float64(a)
        if b == 0.5:
            return np.float64(math.inf) if a == -math.inf else abs(MATH.sqrt(a))
        if b == 2.0:
            return a * a
        if b == -1.0:
            return np.float64(1.0) / a
        if b == 1.0:
            return a
        if b == 0.0:
            return np.float64(1.0)
    if kind == "base" and a > 0.0:  # LLVM: pow(2^n, x) = exp2(n x)
        n = math.log2(a)
        if n == int(n) and n != 0.0:
            return MATH.exp2(np.float64(b) * n)
    return MATH.pow(a, b)


class _Powers(ast.NodeTransformer):
    """Rewrite ``a ** b`` as ``_power(a, b, kind)``."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.op, ast.Pow):
            return node
        right, left = _constant(node.right), _constant(node.left)
        if isinstance(right, int):
            kind = "int"
        elif isinstance(right, float):
            kind = "exponent"
        elif left is not None:
            kind = "base"
        else:
            kind = "variable"
        args = [node.left, node.right, ast.Constant(kind)]
        return ast.Call(ast.Name("_power", ast.Load()), args, [])


def _constant(node: ast.AST):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _constant(node.operand)
        return None if value is None else -value
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


def surface_functions(surface) -> types.SimpleNamespace:
    """The surface's ``surface_loss``, ``surface_grad`` and ``surface_hess`` as plain Python,
    from the same printed source the compiled module is built from."""
    tree = ast.fix_missing_locations(_Powers().visit(ast.parse(surface_source(surface))))
    namespace = {"math": MATH, "float": np.float64, "_power": power}
    exec(compile(tree, f"<saddlelab surface {surface.id}>", "exec"), namespace)
    return types.SimpleNamespace(**{k: namespace[k] for k in
                                    ("surface_loss", "surface_grad", "surface_hess")})  # fmt: skip


def _rebind() -> dict:
    """Every jitable function of the shared modules, rebound to namespaces where ``math`` is
    :data:`MATH` and the functions they call are the rebound ones."""
    modules = (_formulas, _updates, _rules, _rows)
    spaces = {m.__name__: {**vars(m), "math": MATH} for m in modules}
    clones = {}
    for fn in MARKED:
        space = spaces.get(fn.__module__)
        if space is not None:
            clones[fn] = types.FunctionType(fn.__code__, space, fn.__name__, fn.__defaults__)
    for space in spaces.values():
        for name, value in space.items():
            if isinstance(value, types.FunctionType) and value in clones:
                space[name] = clones[value]
    return {fn.__name__: clone for fn, clone in clones.items()}


_FUNCTIONS = _rebind()
scratch = _rows.scratch


def first_class(function):
    """The loops' function arguments are the plain functions themselves here."""
    return function


def initialize(grad, loss, P, G, L, GN) -> None:
    """:func:`._rows.initialize_rows`, uncompiled."""
    with np.errstate(all="ignore"):
        _FUNCTIONS["initialize_rows"](grad, loss, P, G, L, GN)


def advance(*args) -> int:
    """:func:`._rows.advance_rows`, uncompiled (same arguments as ``_kernels.advance``)."""
    with np.errstate(all="ignore"):
        return int(_FUNCTIONS["advance_rows"](*args))
