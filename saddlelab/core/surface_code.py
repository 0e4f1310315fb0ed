"""The code printed from a surface's sympy trees, kept on disk so sympy is needed only once.

Differentiating and printing a surface needs sympy (~0.3 s to import, more to differentiate).
The printed code depends only on the expression text, its variable and parameter names and
values, and the versions of sympy, Python and the printing code, so it is stored per
expression in ``cache_dir()/surfaces/<key>.json``: the three vectorised numpy functions
(``sympy.lambdify``'s own text) and, once a run has needed them, the scalar functions the
optimizer compiles (:func:`.optim.codegen.surface_source`). A later session builds the same
surface from that text without importing sympy (``saddlelab analyze rosenbrock`` then costs
about what importing numpy does).

The text is our own generated code, but the file could have been changed by anyone who can
write the cache folder, so it is never trusted: before it is executed its syntax tree must pass
:func:`check_source`, a whitelist that admits only what the printers produce (arithmetic, local
names, calls of numpy ufuncs and ``math`` functions) and it runs with no builtins. A file that
fails the check, does not parse or does not match its key is ignored and regenerated.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import math
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

FORMAT = 1
"""Bumped whenever the stored layout or the generated code changes meaning."""
_PRINTING_SOURCES = ("expressions.py", "expression_builder.py", "surface.py", "surface_code.py",
                     "optim/codegen.py")  # fmt: skip
"""Code whose edits can change what is printed (or which expressions are accepted)."""
_NUMPY_CONSTANTS = frozenset({"pi", "e", "inf", "nan"})
_LOCK = threading.Lock()


def cache_dir() -> Path:
    """``$SADDLELAB_CACHE_DIR``, else ``$XDG_CACHE_HOME/saddlelab/kernels``
    (``~/.cache/saddlelab/kernels``); a temporary folder if neither is writable."""
    configured = os.environ.get("SADDLELAB_CACHE_DIR")
    if configured:
        base = Path(configured)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        base = Path(xdg) / "saddlelab" / "kernels"
    try:
        base.mkdir(parents=True, exist_ok=True)
        probe = base / f".probe-{os.getpid()}-{threading.get_ident()}"
        probe.write_text("")
        probe.unlink()
        return base
    except OSError:
        fallback = Path(tempfile.gettempdir()) / f"saddlelab-kernels-{os.getuid()}"
        fallback.mkdir(parents=True, exist_ok=True)
        return fallback


@functools.cache
def _environment() -> str:
    here = Path(__file__).parent
    h = hashlib.sha256()
    for name in _PRINTING_SOURCES:
        h.update((here / name).read_bytes())
    try:
        sympy_version = metadata.version("sympy")
    except metadata.PackageNotFoundError:  # pragma: no cover (sympy is a dependency)
        sympy_version = "?"
    return f"{FORMAT}|{sys.version_info[:2]}|{sympy_version}|{np.__version__}|{h.hexdigest()}"


def code_key(expression: str, variables: Sequence[str], parameters: Mapping[str, float]) -> str:
    """Everything the printed code depends on, hashed ("" for inputs of the wrong types: the
    parser then says what is wrong)."""
    try:
        params = sorted((str(k), float(v).hex()) for k, v in parameters.items())
    except (TypeError, ValueError, OverflowError):
        return ""
    text = json.dumps([_environment(), expression, list(variables), params])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SurfaceCode:
    """Printed functions of one surface: numpy ``loss``, ``grad``, ``hess`` (the Hessian's upper
    triangle, row by row) and, once printed, the optimizer's ``scalar`` functions."""

    loss: str
    grad: str
    hess: str
    scalar: str | None = None

    def valid(self) -> bool:
        ok = all(check_source(s, "numpy", 1) for s in (self.loss, self.grad, self.hess))
        return ok and (self.scalar is None or check_source(self.scalar, "math", 3))


def _path(key: str) -> Path:
    return cache_dir() / "surfaces" / f"{key}.json"


def load(key: str) -> SurfaceCode | None:
    """The stored code for ``key`` if there is a file for it that passes the checks."""
    try:
        data = json.loads(_path(key).read_text("utf-8"))
        if data.pop("key") != key:
            return None
        code = SurfaceCode(**data)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    if not all(isinstance(s, str | None) for s in asdict(code).values()):
        return None
    return code if code.valid() else None


def store(key: str, code: SurfaceCode) -> None:
    """Write ``code`` for ``key`` (atomically; a cache that cannot be written is skipped)."""
    if not code.valid():
        return
    path = _path(key)
    partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with _LOCK:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(json.dumps({"key": key, **asdict(code)}), "utf-8")
            os.replace(partial, path)
    except OSError:
        pass


def numpy_function(source: str) -> Callable:
    """The one function defined by a checked numpy ``source``, run with numpy and no builtins."""
    if not check_source(source, "numpy", 1):
        raise ValueError("generated code failed its check")
    namespace: dict = {"__builtins__": {}, "numpy": np}
    tree = ast.parse(source)
    exec(compile(tree, "<saddlelab surface code>", "exec"), namespace)
    return namespace[tree.body[0].name]


# -- the check ---------------------------------------------------------------------------------
_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)
_SCALAR_FUNCTIONS = ("surface_loss", "surface_grad", "surface_hess")


def _allowed_attribute(module: str, name: str) -> bool:
    if name.startswith("_"):
        return False
    if module == "numpy":
        value = getattr(np, name, None)
        return isinstance(value, np.ufunc) or name in _NUMPY_CONSTANTS
    value = getattr(math, name, None)
    return isinstance(value, float) or type(value) is type(math.exp)


def check_source(source: str, module: str, functions: int) -> bool:
    """Whether ``source`` is only ``functions`` plain function definitions of arithmetic on
    their arguments and locals, calling nothing but ``module``'s (numpy's ufuncs, or ``math``)
    functions (and ``float`` in ``math`` code). Anything else: False."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    if len(tree.body) != functions:
        return False
    names = [getattr(f, "name", None) for f in tree.body]
    if module == "math" and names != list(_SCALAR_FUNCTIONS):
        return False
    try:
        return all(_check_function(f, module) for f in tree.body)
    except RecursionError:
        return False


def _check_function(fn: ast.stmt, module: str) -> bool:
    if not isinstance(fn, ast.FunctionDef) or fn.decorator_list or fn.returns:
        return False
    a = fn.args
    if a.posonlyargs or a.vararg or a.kwonlyargs or a.kwarg or a.defaults or a.kw_defaults:
        return False
    reserved = {module, "float"}
    known = {arg.arg for arg in a.args}
    if known & reserved or any(n.startswith("__") for n in known) or not fn.body:
        return False
    for i, statement in enumerate(fn.body):
        last = i == len(fn.body) - 1
        if isinstance(statement, ast.Return) and last and statement.value is not None:
            if not _check_expr(statement.value, module, known):
                return False
        elif isinstance(statement, ast.Assign) and not last and len(statement.targets) == 1:
            target = statement.targets[0]
            if not isinstance(target, ast.Name) or target.id in reserved | {"__builtins__"}:
                return False
            if not _check_expr(statement.value, module, known):
                return False
            known.add(target.id)
        else:
            return False
    return True


def _check_expr(node: ast.AST, module: str, known: set[str]) -> bool:
    check = functools.partial(_check_expr, module=module, known=known)
    if isinstance(node, ast.Constant):
        return type(node.value) in (int, float)
    if isinstance(node, ast.Name):
        return node.id in known
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, _OPERATORS) and check(node.operand)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Pow) and all(
            isinstance(x, ast.Constant) for x in (node.left, node.right)
        ):
            return False  # nothing the printers write; could be made to take forever
        return isinstance(node.op, _OPERATORS) and check(node.left) and check(node.right)
    if isinstance(node, ast.List | ast.Tuple):
        return all(check(e) for e in node.elts)
    if isinstance(node, ast.Attribute):
        return _module_attribute(node, module)
    if isinstance(node, ast.Call):
        if node.keywords or not all(check(arg) for arg in node.args):
            return False
        f = node.func
        if module == "math" and isinstance(f, ast.Name) and f.id == "float":
            return len(node.args) == 1
        return isinstance(f, ast.Attribute) and _module_attribute(f, module)
    return False


def _module_attribute(node: ast.Attribute, module: str) -> bool:
    owner = node.value
    return (
        isinstance(owner, ast.Name) and owner.id == module and isinstance(node.ctx, ast.Load)
        and _allowed_attribute(module, node.attr)
    )  # fmt: skip


def compile_numpy(symbols: Sequence, exprs: Sequence) -> tuple[Callable, str]:
    """Compile a list of sympy expressions (in sympy ``symbols``) to one vectorized numpy
    function returning a list, and return it with its source text ("" when that text does not
    pass :func:`check_source`, e.g. for a function it does not admit: it is then not cached).

    The namespace is just ``{"numpy": numpy}`` with the NumPy printer (every call is printed
    as ``numpy.<name>``): ``modules="numpy"`` would also probe all of numpy's lazily loaded
    submodules, which costs ~0.15 s of start-up in every ``saddlelab analyze``.
    """
    import inspect

    import sympy
    from sympy.printing.numpy import NumPyPrinter

    # The generated source names the arguments _v0, _v1, ... (a user's name can never start
    # with '_'), so a variable called numpy, math or x0 cannot shadow anything it uses.
    local = {s: sympy.Symbol(f"_v{i}", real=True) for i, s in enumerate(symbols)}
    fn = sympy.lambdify(
        list(local.values()),
        [sympy.sympify(e).xreplace(local) for e in exprs],
        modules=[{"numpy": np}],
        printer=NumPyPrinter,
        cse=True,
    )
    source = inspect.getsource(fn)  # lambdify registers its text with linecache
    if not check_source(source, "numpy", 1):
        return fn, ""
    return numpy_function(source), source  # run exactly as when loaded later
