"""Mark functions for numba now; register them once a loop module has imported numba.

The shared formulas (:mod:`._formulas`, :mod:`._updates`, :mod:`._rules`, :mod:`._rows`) are
plain Python modules: the whole app imports them (schedules, statuses, the models) and the
pure-Python stepping path (:mod:`._pure`) runs them uncompiled. numba is imported only by the
modules that compile loops (:mod:`._kernels`, :mod:`._batch`), which the worker thread imports
when it first steps; importing numba takes ~0.25 s, so the window opens without it.
``numba.extending.register_jitable`` returns the function unchanged and registers a
compilation for it, so registering later is the same as decorating.
"""

from __future__ import annotations

from collections.abc import Callable

_PENDING: list[tuple[Callable, dict]] = []
MARKED: list[Callable] = []
"""Every function marked so far (the pure path rebinds them, see :mod:`._pure`)."""


def jitable(fn: Callable | None = None, **options) -> Callable:
    """Mark ``fn`` to be compiled into the loops that call it (plain Python until then).

    ``@jitable`` or ``@jitable(inline="always")`` (numba's options of ``register_jitable``).
    """

    def mark(fn: Callable) -> Callable:
        _PENDING.append((fn, options))
        MARKED.append(fn)
        return fn

    return mark if fn is None else mark(fn)


def register() -> None:
    """Register every marked function with numba (before a loop that calls one compiles).

    Also silences numba's ``NumbaIRAssumptionWarning``: an internal pedantic check that the
    functions inlined with ``inline="always"`` set off while the loops compile (their results
    are unaffected: the golden-hash tests hold them bit for bit). Compiling happens in the
    window's worker thread and in the CLI, and a numba-internal note must not reach the user's
    terminal.
    """
    import warnings

    from numba.core.errors import NumbaIRAssumptionWarning
    from numba.extending import register_jitable

    warnings.filterwarnings("ignore", category=NumbaIRAssumptionWarning)

    while _PENDING:
        fn, options = _PENDING.pop(0)
        register_jitable(**dict(options))(fn) if options else register_jitable(fn)
