"""Batch stepping: all rows of a batch per call, the surface inlined, per-update scalars shared.

:func:`body_for` makes the loop for one optimizer and one surface; the surface's generated
module (:mod:`.codegen`) wraps it in a ``cache=True`` kernel per optimizer, so the surface's
gradient is a known function LLVM inlines. Rows are walked in blocks of :data:`ROW_BLOCK` that
stay in cache while the block takes all ``n`` updates of the call. Adam/AdamW blocks without
noise or clipping run as vectorised lanes (every row's :func:`._rules.coordinate` computed,
kept only where the row is running); other blocks and optimizers take the row path: the
single-run loop :func:`._rows.advance_rows` on the block. Both paths take every formula from
:mod:`._rules` and :mod:`._rows`.

Rows with the same hyper-parameters, schedule and step count form a *group*; the learning rate
and the bias corrections of each update are computed once per group and update into a table by
:func:`fill_tables`, with the same :func:`._rules.step_scalars` and ``schedule_lr`` code the
single-run loop calls, so every row sees bit-identical scalars.
"""

import math
import threading

import numba
import numpy as np
from numba import types
from numba.extending import register_jitable

from ._formulas import (
    F_CLIP,
    F_CRIT_TOL,
    F_ETA_MIN,
    F_GAMMA,
    F_GRAD_RTOL,
    F_GTOL,
    F_MARGIN,
    F_NOISE,
    F_STALL_ATOL,
    F_STALL_RTOL,
    F_STEP_SIZE,
    F_T_MAX,
    F_WARMUP,
    I_MAX_STEPS,
    I_SCHEDULE,
    I_STALL_WINDOW,
    MAX_STEPS,
    RUNNING,
    schedule_lr,
)  # fmt: skip
from ._jitable import register as register_jitables
from ._kernels import _JIT, F1, F2, F3, FN_HESS, I1, I2
from ._numba_cache import drop_stale_cache
from ._rows import advance_rows, finish_rows, needs_status, outside, start_rows, update_status
from ._rules import buffer_flag, coordinate, step_scalars, uses_hessian

drop_stale_cache(__file__)  # before any cached function is compiled or loaded
register_jitables()  # the shared formulas, before a loop that calls them compiles

ROW_BLOCK = 256
"""Rows that take all updates of a call together (their state fits in the L1/L2 cache)."""
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

    with_lanes = not uses_hessian(opt)  # the element-wise optimizers

    @register_jitable
    def lanes(hess, b0, b1, P, G, S, T, FL, ST, CKL, CKT, RF, RI, lo, hi, n, GID, TAB, fresh,
              tot, X):  # fmt: skip
        """Rows b0..b1 (no noise, no clipping) in lanes the compiler vectorises.

        The block's state is copied into coordinate-major scratch (X) for the call; each update
        computes every row's new values with :func:`._rules.coordinate` and keeps them only for
        running rows (a select, not a branch), then a short scalar pass applies
        :func:`._rows.update_status` to the rows :func:`._rows.outside` and
        :func:`._rows.near` flag.
        """
        LP, LG, LM1, LM2, LM3, PAR, LT, RUN, IPAR, FLAG, LFL = X
        m = b1 - b0
        running = 0
        for b in range(m):
            i = b0 + b
            RUN[b] = ST[i] == RUNNING
            running += RUN[b]
            LT[b] = T[i]
            LFL[b] = FL[i]
            for j in range(D):
                LP[j, b] = P[i, j]
                LG[j, b] = G[i, j]
                LM1[j, b] = S[i, 0, j]
                LM2[j, b] = S[i, 1, j]
                LM3[j, b] = S[i, 2, j]
            for h in range(5):
                PAR[h, b] = RF[i, 1 + h]
            PAR[8, b] = RF[i, F_CRIT_TOL]
            PAR[9, b] = RF[i, F_MARGIN]
            IPAR[0, b] = RI[i, I_STALL_WINDOW]
            IPAR[1, b] = RI[i, I_MAX_STEPS]
        uniform = True  # one group in the block: broadcast its scalars, no gather
        for b in range(m):
            uniform = uniform and GID[b0 + b] == GID[b0]
            fresh[b] = RUN[b] and n > 0  # every running lane takes the first update
        for k in range(n):
            if uniform:
                lr, sa, sb = TAB[GID[b0], k, 0], TAB[GID[b0], k, 1], TAB[GID[b0], k, 2]
                for b in range(m):
                    PAR[5, b] = lr
                    PAR[6, b] = sa
                    PAR[7, b] = sb
            else:
                for b in range(m):
                    grp = GID[b0 + b]
                    PAR[5, b] = TAB[grp, k, 0]
                    PAR[6, b] = TAB[grp, k, 1]
                    PAR[7, b] = TAB[grp, k, 2]
            for b in range(m):  # the update, computed for every lane, kept where running
                run = RUN[b]
                hp1, hp2, hp3, hp4, hp5 = PAR[0, b], PAR[1, b], PAR[2, b], PAR[3, b], PAR[4, b]
                lr, sa, sb = PAR[5, b], PAR[6, b], PAR[7, b]
                flags = LFL[b]
                flag, new_flags = buffer_flag(opt, flags, hp1)  # SGD's momentum buffer
                LFL[b] = new_flags if run else flags
                for j in range(D):
                    p, m1, m2, m3 = LP[j, b], LM1[j, b], LM2[j, b], LM3[j, b]
                    pn, m1n, m2n, m3n = coordinate(opt, p, LG[j, b], m1, m2, m3, lr, sa, sb, hp1,
                                                   hp2, hp3, hp4, hp5, flag, 0.0)  # fmt: skip
                    LP[j, b] = pn if run else p
                    LM1[j, b] = m1n if run else m1
                    LM2[j, b] = m2n if run else m2
                    LM3[j, b] = m3n if run else m3
            for b in range(m):  # the gradient at the new points, its squared norm
                run = RUN[b]
                g3 = grad(LP[0, b], LP[1, b], LP[2, b] if D == 3 else 0.0)
                total = 0.0
                for j in range(D):
                    old = LG[j, b]
                    LG[j, b] = g3[j] if run else old
                    total += g3[j] * g3[j]
                old_total = tot[b]
                tot[b] = total if run else old_total
                lt = LT[b]
                LT[b] = lt + 1 if run else lt
            for b in range(m):  # which rows need the status checks (vectorised too)
                i = b0 + b
                bad = not math.isfinite(tot[b])
                for j in range(D):
                    bad = bad | outside(LP[j, b], lo[j], hi[j], PAR[9, b])
                flag = needs_status(tot[b], bad, PAR[8, b], LT[b], CKT[i], IPAR[0, b], IPAR[1, b])
                FLAG[b] = RUN[b] & flag
            for b in range(m):  # the status, as the single-run loop checks it
                if not FLAG[b]:
                    continue
                i = b0 + b
                bad = not math.isfinite(tot[b])
                for j in range(D):
                    bad = bad | outside(LP[j, b], lo[j], hi[j], RF[i, F_MARGIN])
                ST[i], CKL[i], CKT[i], RF[i, F_CRIT_TOL] = update_status(
                    opt, hess, loss_fn, LP[0, b], LP[1, b], LP[2, b] if D == 3 else 0.0, D,
                    tot[b], bad, LT[b], CKT[i], CKL[i], PAR[8, b], 0.0, False, RF[i, F_GTOL],
                    RF[i, F_GRAD_RTOL], RF[i, F_STALL_RTOL], RF[i, F_STALL_ATOL],
                    RI[i, I_STALL_WINDOW], RI[i, I_MAX_STEPS],
                )  # fmt: skip
                PAR[8, b] = RF[i, F_CRIT_TOL]
                if ST[i] != RUNNING:
                    RUN[b] = False
                    running -= 1
            if running == 0:
                break
        for b in range(m):
            i = b0 + b
            T[i] = LT[b]
            FL[i] = LFL[b]
            for j in range(D):
                P[i, j] = LP[j, b]
                G[i, j] = LG[j, b]
                S[i, 0, j] = LM1[j, b]
                S[i, 1, j] = LM2[j, b]
                S[i, 2, j] = LM3[j, b]

    @register_jitable
    def body(hess, P, G, L, GN, S, T, FL, ST, CKL, CKT, RF, RI, lo, hi, n, GID, TAB):
        RB = ROW_BLOCK
        scratch = (np.empty(D), np.empty((D, D)), np.empty(D), np.empty((D, D)),
                   np.empty((D, D)), np.empty(RB), np.empty(RB, dtype=np.bool_),
                   np.empty(RB, dtype=np.bool_))  # fmt: skip
        tot, moved, fresh = scratch[5], scratch[6], scratch[7]
        X = (np.empty((D, RB)), np.empty((D, RB)), np.empty((D, RB)), np.empty((D, RB)),
             np.empty((D, RB)), np.empty((10, RB)), np.empty(RB, dtype=np.int64),
             np.empty(RB, dtype=np.bool_), np.empty((2, RB), dtype=np.int64),
             np.empty(RB, dtype=np.bool_), np.empty(RB, dtype=np.int64))  # fmt: skip
        no_record = np.empty((1, D)), np.empty(1)
        for b0 in range(0, P.shape[0], RB):
            b1 = min(P.shape[0], b0 + RB)
            if with_lanes:  # a constant: numba drops this block from other optimizers' kernels
                lanes_ok = True
                for i in range(b0, b1):
                    lanes_ok = lanes_ok and RF[i, F_NOISE] <= 0.0 and RF[i, F_CLIP] <= 0.0
                if lanes_ok:
                    start_rows(opt, hess, P, L, GN, T, FL, ST, RF, lo, hi, moved, fresh, b0, b1)
                    for i in range(b0, b1):
                        if ST[i] == RUNNING and T[i] >= RI[i, I_MAX_STEPS]:
                            ST[i] = MAX_STEPS  # the first update's check, done up front
                    lanes(hess, b0, b1, P, G, S, T, FL, ST, CKL, CKT, RF, RI, lo, hi, n, GID,
                          TAB, fresh, tot, X)  # fmt: skip
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
