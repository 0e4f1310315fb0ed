"""The compiled single-run loop (numba, nogil, cached on disk; compiled once for all surfaces).

A surface enters as three first-class functions of three scalars (:mod:`.codegen` prints them
from the sympy trees; 2-variable surfaces ignore the third): the loss, the gradient (a 3-tuple)
and the Hessian's upper triangle (a 6-tuple). The loop therefore compiles once per machine, not
per surface, and a new surface only costs compiling its three small functions.

The loop serves single runs (one row, recorded) and small batches; large batches use the
per-surface kernels of :mod:`._batch`. Both step rows with :func:`._rows.advance_rows` (the
pure-Python path of :mod:`._pure` runs the same code uncompiled). Importing this module compiles
the loop, or loads it from numba's cache: import it lazily. numba caches the loop under
``_rows.py`` and only watches that file, so :func:`._numba_cache.drop_stale_cache` clears the
cache when any module the loop inlines changed.
"""

from __future__ import annotations

import numba
from numba import types
from numba.core.types.function_type import CompileResultWAP

from . import _rows
from ._jitable import register as register_jitables
from ._numba_cache import drop_stale_cache

drop_stale_cache(__file__)  # before any cached function is compiled or loaded
drop_stale_cache(_rows.__file__)  # the loops below are cached under _rows.py, their source
register_jitables()  # the shared formulas, before a loop that calls them compiles

_f = types.float64
F1, F2, F3 = _f[::1], _f[:, ::1], _f[:, :, ::1]
I1, I2, B1 = types.int64[::1], types.int64[:, ::1], types.boolean[::1]
FN_LOSS = types.FunctionType(_f(_f, _f, _f))
FN_GRAD = types.FunctionType(types.UniTuple(_f, 3)(_f, _f, _f))
FN_HESS = types.FunctionType(types.UniTuple(_f, 6)(_f, _f, _f))
SURFACE_SIGNATURES = (FN_LOSS.signature, FN_GRAD.signature, FN_HESS.signature)
"""Signatures :mod:`.codegen` compiles a surface's loss, gradient and Hessian with."""
scratch = _rows.scratch


def first_class(function):
    """A surface function of :mod:`.codegen` as the loops' first-class function argument, its
    address looked up once (passing the dispatcher itself costs ~12 us a call to look it up)."""
    return CompileResultWAP(function.overloads[function.signatures[0]])


SCRATCH = types.Tuple((F1, F2, F1, F2, F2, F1, B1, B1))
_JIT = dict(cache=True, nogil=True, error_model="numpy")


initialize = numba.njit(types.void(FN_GRAD, FN_LOSS, F2, F2, F1, F1), **_JIT)(_rows.initialize_rows)
"""Loss, gradient and gradient norm at the rows' current points."""

advance = numba.njit(
    types.int64(
        types.int64, FN_GRAD, FN_LOSS, FN_HESS, F2, F2, F1, F1, F3, I1, I1, I1, F1, I1, F2, I2, F1,
        F1, types.int64, types.boolean, F2, F1, F1, F1, I1, F3, SCRATCH,
    ),
    **_JIT,
)(_rows.advance_rows)  # fmt: skip
"""The single-run loop: :func:`._rows.advance_rows` with the surface's functions as first-class
function values (so it compiles once for every surface)."""
