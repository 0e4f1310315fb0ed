"""Batch stepping: all rows of a batch per call, the surface inlined, per-update scalars shared.

:func:`body_for` makes the loop for one optimizer and one surface; the surface's generated
module (:mod:`.codegen`) wraps it in a ``cache=True`` kernel per optimizer, so the surface's
gradient is a known function LLVM inlines. Rows are walked in blocks of :data:`ROW_BLOCK` that
stay in cache while the block takes all ``n`` updates of the call. Blocks of the element-wise
optimizers (:data:`LANE_OPTIMIZERS`) without noise or clipping run as vectorised lanes
(:mod:`._lanes`: the running rows' updates in one loop the compiler vectorises, the status
checked where a cheap test flags it); other blocks and optimizers take the row path: the
single-run loop :func:`._rows.advance_rows` on the block. Both paths take every formula from
:mod:`._rules` and :mod:`._rows`.

Rows with the same hyper-parameters, schedule and step count form a *group*; the learning rate
and the bias corrections of each update are computed once per group and update into a table by
:func:`fill_tables`, with the same :func:`._rules.step_scalars` and ``schedule_lr`` code the
single-run loop calls, so every row sees bit-identical scalars.
"""

import threading

import numba
import numpy as np
from numba import types
from numba.extending import register_jitable

from ._formulas import (
    F_CLIP,
    F_ETA_MIN,
    F_GAMMA,
    F_NOISE,
    F_STEP_SIZE,
    F_T_MAX,
    F_WARMUP,
    I_MAX_STEPS,
    I_SCHEDULE,
    MAX_STEPS,
    RUNNING,
    schedule_lr,
)  # fmt: skip
from ._jitable import register as register_jitables
from ._kernels import _JIT, F1, F2, F3, FN_HESS, I1, I2
from ._lanes import lanes_for
from ._numba_cache import drop_stale_cache
from ._rows import advance_rows, finish_rows, start_rows
from ._rules import step_scalars, uses_hessian
from .specs import OPTIMIZERS

drop_stale_cache(__file__)  # before any cached function is compiled or loaded
register_jitables()  # the shared formulas, before a loop that calls them compiles

ROW_BLOCK = 256
"""Rows that take all updates of a call together (their state fits in the L1/L2 cache)."""
LANE_OPTIMIZERS = tuple(name for name, spec in OPTIMIZERS.items() if not uses_hessian(spec.code))
"""Optimizers whose blocks without noise or clipping run as vectorised lanes (:mod:`._lanes`):
the element-wise ones. Newton, saddle-free Newton and gd-escape need each row's Hessian per
update and take the row path."""
N_TAB = 3
"""Table columns per (group, update): lr, then the two :func:`step_scalars`."""


@numba.njit(**_JIT)
def fill_tables(opt, RF, RI, T, ST, GID, n_groups, k0, n, TAB):
    """Fill TAB[g, k] for updates k0 .. k0+n-1 of this call; False if a group's running rows
    are not all at the same step (the caller then regroups)."""
    t0 = np.full(n_groups, -1, dtype=np.int64)
    rep = np.zeros(n_groups, dtype=np.int64)
    for i in range(T.shape[0]):
        if ST[i] != RUNNING:
            continue
        g = GID[i]
        if t0[g] < 0:
            t0[g] = T[i]
            rep[g] = i
        elif t0[g] != T[i]:
            return False
    for g in range(n_groups):
        if t0[g] < 0:
            continue
        i = rep[g]
        for k in range(n):
            t = t0[g] + k0 + k
            lr = schedule_lr(
                RI[i, I_SCHEDULE], RF[i, 0], t, RF[i, F_STEP_SIZE], RF[i, F_GAMMA],
                RF[i, F_T_MAX], RF[i, F_ETA_MIN], RF[i, F_WARMUP],
            )  # fmt: skip
            sa, sb = step_scalars(opt, lr, t, RF[i, 1], RF[i, 2])
            TAB[g, k, 0] = lr
            TAB[g, k, 1] = sa
            TAB[g, k, 2] = sb
    return True


def body_for(opt: int, D: int, grad, loss_fn):
    """The batch loop for optimizer code ``opt`` on a ``D``-variable surface's functions.

    ``opt``, ``D`` and the surface's gradient and loss are constants of the returned function
    (so the compiled kernel can be cached, and they inline), so LLVM drops the other
    optimizers' branches and unrolls the coordinate loops. The loop advances every RUNNING row
    by up to ``n`` updates as the single-run loop does (:func:`._rows.advance_rows`, same start
    test, same statuses), update k's scalars taken from TAB. The gradient norm is kept squared
    between updates; its square root is taken where the status needs it (near the tolerance)
    and at the end of the call. The Hessian, needed by the curvature methods and gd-escape's
    status only, comes in as a first-class function, as in the single-run loop.
    """

    with_lanes = not uses_hessian(opt)  # LANE_OPTIMIZERS

    lanes = lanes_for(opt, D, grad, loss_fn, ROW_BLOCK)

    @register_jitable
    def body(hess, P, G, L, GN, S, T, FL, ST, CKL, CKT, RF, RI, lo, hi, n, GID, TAB):
        RB = ROW_BLOCK
        scratch = (np.empty(D), np.empty((D, D)), np.empty(D), np.empty((D, D)),
                   np.empty((D, D)), np.empty(RB), np.empty(RB, dtype=np.bool_),
                   np.empty(RB, dtype=np.bool_))  # fmt: skip
        H, lam, U, W, tot, moved, fresh = scratch[1:]
        no_record = np.empty((1, D)), np.empty(1)
        for b0 in range(0, P.shape[0], RB):
            b1 = min(P.shape[0], b0 + RB)
            if with_lanes:  # a constant: numba drops this block from other optimizers' kernels
                lanes_ok = True
                for i in range(b0, b1):
                    lanes_ok = lanes_ok and RF[i, F_NOISE] <= 0.0 and RF[i, F_CLIP] <= 0.0
                if lanes_ok:
                    start_rows(opt, hess, P, L, GN, T, FL, ST, RF, lo, hi, moved, fresh, b0, b1,
                               H, lam, U, W)  # fmt: skip
                    for i in range(b0, b1):
                        if ST[i] == RUNNING and T[i] >= RI[i, I_MAX_STEPS]:
                            ST[i] = MAX_STEPS  # the first update's check, done up front
                    lanes(hess, b0, b1, P, G, S, T, FL, ST, CKL, CKT, RF, RI, lo, hi, n, GID,
                          TAB, fresh, tot, (H, lam, U, W))  # fmt: skip
                    finish_rows(loss_fn, P, L, GN, moved, fresh, tot, False, b0, b1)
                    continue
            OP, OL = no_record  # the row path: the single-run loop on the block
            advance_rows(opt, grad, loss_fn, hess, P[b0:b1], G[b0:b1], L[b0:b1], GN[b0:b1],
                         S[b0:b1], T[b0:b1], FL[b0:b1], ST[b0:b1], CKL[b0:b1], CKT[b0:b1],
                         RF[b0:b1], RI[b0:b1], lo, hi, n, False, OP, OL, OL, OL, GID[b0:b1], TAB,
                         scratch)  # fmt: skip

    return body


KERNEL_SIGNATURE = types.void(
    FN_HESS, F2, F2, F1, F1, F3, I1, I1, I1, F1, I1, F2, I2, F1, F1, types.int64, I1, F3
)
"""(hess, P, G, L, GN, S, T, FL, ST, CKL, CKT, RF, RI, lo, hi, n, GID, TAB)"""


def lazy_kernel(function):
    """``function`` compiled (or loaded from numba's cache) on its first call, not before."""
    compiled = []
    lock = threading.Lock()

    def kernel(*args):
        if not compiled:
            with lock:
                if not compiled:
                    compiled.append(numba.njit(KERNEL_SIGNATURE, **_JIT)(function))
        return compiled[0](*args)

    return kernel


def wrapper_source(names, ndim: int) -> str:
    """Source of the per-optimizer batch kernels a generated surface module defines.

    Each is compiled lazily (on a batch's first call) and cached on disk beside the module.
    """
    lines = [
        "",
        "from saddlelab.core.optim._batch import body_for as _body_for, lazy_kernel as _lazy",
    ]
    args = "hess, P, G, L, GN, S, T, FL, ST, CKL, CKT, RF, RI, lo, hi, n, GID, TAB"
    for code, name in enumerate(names):
        ident = name.replace("-", "_")
        lines += [
            f"_body_{ident} = _body_for({code}, {ndim}, surface_grad, surface_loss)",
            "",
            "",
            "@_lazy",
            f"def batch_{ident}({args}):",
            f"    _body_{ident}({args})",
            "",
        ]
    return "\n".join(lines) + "\n"
