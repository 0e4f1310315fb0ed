"""Mark functions for numba now; register them once a loop module has imported numba.

:mod:`._formulas` is imported by the whole app (schedules, statuses, the models), numba only
by the modules that compile loops (:mod:`._kernels`, :mod:`._batch`), which the worker thread
imports when it first steps. Importing numba takes ~0.25 s, so the window opens without it.
``numba.extending.register_jitable`` returns the function unchanged and registers a
compilation for it, so registering later is the same as decorating.
"""

from __future__ import annotations

from collections.abc import Callable

_PENDING: list[Callable] = []


def jitable(fn: Callable) -> Callable:
    """Mark ``fn`` to be compiled into the loops that call it (plain Python until then)."""
    _PENDING.append(fn)
    return fn


def register() -> None:
    """Register every marked function with numba (before a loop that calls one compiles)."""
    from numba.extending import register_jitable

    while _PENDING:
        register_jitable(_PENDING.pop(0))
