"""The compiled optimizer step loops (numba, nogil, cached on disk; compiled once for all surfaces).

A surface enters as three first-class functions of three scalars (:mod:`.codegen` prints them
from the sympy trees; 2-variable surfaces ignore the third): the loss, the gradient (a 3-tuple)
and the Hessian's upper triangle (a 6-tuple). The loops therefore compile once per machine, not
per surface, and a new surface only costs compiling its three small functions.

The loop serves single runs (one row, recorded) and small batches; large batches use the
per-surface kernels of :mod:`._batch`. Both call the update code of :mod:`._updates`, so batch
row i equals the single run with the same configuration. Importing this module compiles the
loops, or loads them from numba's cache: import it lazily. numba's cache only watches this
file, so :func:`._numba_cache.drop_stale_cache` clears it when :mod:`._updates` or
:mod:`._formulas` changed.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import types

from ._formulas import (
    ADAGRAD,
    ADAM,
    ADAMW,
    CONVERGED,
    DIVERGED,
    F_CLIP,
    F_ETA_MIN,
    F_GAMMA,
    F_GTOL,
    F_MARGIN,
    F_NOISE,
    F_STALL_ATOL,
    F_STALL_RTOL,
    F_STEP_SIZE,
    F_T_MAX,
    F_WARMUP,
    FLAG_BUFFER,
    FLAG_RESUMED,
    GD_ESCAPE,
    I_MAX_STEPS,
    I_SCHEDULE,
    I_SEED,
    I_STALL_WINDOW,
    MAX_STEPS,
    RMSPROP,
    RUNNING,
    SGD,
    STALLED,
    schedule_lr,
)  # fmt: skip
from ._jitable import register as register_jitables
from ._numba_cache import drop_stale_cache
from ._updates import (
    curvature_update,
    diverged,
    has_escape,
    noisy_clipped,
    step_scalars,
)

drop_stale_cache(__file__)  # before any cached function is compiled or loaded
register_jitables()  # the shared formulas, before a loop that calls them compiles

_f = types.float64
F1, F2, F3 = _f[::1], _f[:, ::1], _f[:, :, ::1]
I1, I2 = types.int64[::1], types.int64[:, ::1]
FN_LOSS = types.FunctionType(_f(_f, _f, _f))
FN_GRAD = types.FunctionType(types.UniTuple(_f, 3)(_f, _f, _f))
FN_HESS = types.FunctionType(types.UniTuple(_f, 6)(_f, _f, _f))
SURFACE_SIGNATURES = (FN_LOSS.signature, FN_GRAD.signature, FN_HESS.signature)
"""Signatures :mod:`.codegen` compiles a surface's loss, gradient and Hessian with."""


def _jit(function):
    return numba.njit(cache=True, nogil=True, error_model="numpy")(function)


@_jit
def _gradient(grad, p, out):
    """Write the gradient at p into out; returns its norm."""
    d = p.shape[0]
    z = p[2] if d == 3 else 0.0
    g = grad(p[0], p[1], z)
    total = 0.0
    for j in range(d):
        out[j] = g[j]
        total += g[j] * g[j]
    return math.sqrt(total)


@_jit
def _loss(loss, p):
    return loss(p[0], p[1], p[2] if p.shape[0] == 3 else 0.0)


@numba.njit(
    types.void(FN_GRAD, FN_LOSS, F2, F2, F1, F1), cache=True, nogil=True, error_model="numpy"
)
def initialize(grad, loss, P, G, L, GN):
    """Loss, gradient and gradient norm at the rows' current points."""
    for i in range(P.shape[0]):
        GN[i] = _gradient(grad, P[i], G[i])
        L[i] = _loss(loss, P[i])


@numba.njit(
    types.int64(
        FN_GRAD, FN_LOSS, FN_HESS, types.int64, F2, F2, F1, F1, F3, I1, I1, I1, F1, I1, F2, I2,
        F1, F1, types.int64, types.boolean, F2, F1, F1, F1,
    ),
    cache=True,
    nogil=True,
    error_model="numpy",
)  # fmt: skip
def advance(
    grad,
    loss_fn,
    hess,
    opt,
    P,
    G,
    L,
    GN,
    S,
    T,
    FL,
    ST,
    CKL,
    CKT,
    RF,
    RI,
    lo,
    hi,
    n,
    record,
    OP,
    OL,
    OG,
    OLR,
):
    """Advance every RUNNING row by up to ``n`` updates; returns rows recorded for row 0.

    With ``record`` the new point, loss, gradient norm and learning rate of row 0 after each
    update go to OP/OL/OG/OLR (single runs). Rows stop at a terminal status.
    """
    N, d = P.shape
    g = np.empty(d)
    H = np.empty((d, d))
    lam = np.empty(d)
    U = np.empty((d, d))
    W = np.empty((d, d))
    recorded = 0
    for i in range(N):
        if ST[i] != RUNNING:
            continue
        p = P[i]
        gi = G[i]
        m1, m2, m3 = S[i, 0], S[i, 1], S[i, 2]
        hp1, hp2, hp3, hp4, hp5 = RF[i, 1], RF[i, 2], RF[i, 3], RF[i, 4], RF[i, 5]
        gtol = RF[i, F_GTOL]
        perturbed = RF[i, F_NOISE] > 0.0 or RF[i, F_CLIP] > 0.0
        margin = RF[i, F_MARGIN]
        seed = RI[i, I_SEED]
        window = RI[i, I_STALL_WINDOW]
        max_steps = RI[i, I_MAX_STEPS]
        gn = GN[i]
        loss = L[i]
        if T[i] == 0 and (FL[i] & FLAG_RESUMED) == 0:
            if diverged(P, i, gn, lo, hi, margin) or not math.isfinite(loss):
                ST[i] = DIVERGED
            elif gn <= gtol and not (opt == GD_ESCAPE and has_escape(hess, p, H, lam, U, W)):
                ST[i] = CONVERGED
        for k in range(n):
            if ST[i] != RUNNING:
                break
            t = T[i]
            if t >= max_steps:
                ST[i] = MAX_STEPS
                break
            lr = schedule_lr(
                RI[i, I_SCHEDULE], RF[i, 0], t, RF[i, F_STEP_SIZE], RF[i, F_GAMMA],
                RF[i, F_T_MAX], RF[i, F_ETA_MIN], RF[i, F_WARMUP],
            )  # fmt: skip
            sa, sb = step_scalars(opt, lr, t, hp1, hp2)
            if perturbed:
                noisy_clipped(G, i, g, RF, seed, t)
            else:
                for j in range(d):
                    g[j] = gi[j]
            # the elementwise updates are written out here, on the row views held for the
            # whole call: passing arrays to a helper per update costs reference counting that
            # showed in single-run speed. Same operations as _updates / _batch (tests compare
            # every optimizer bit for bit, and with torch).
            if opt == SGD:
                for j in range(d):
                    if hp3 != 0.0:
                        g[j] = g[j] + hp3 * p[j]
                if hp1 != 0.0:
                    if FL[i] & FLAG_BUFFER:
                        for j in range(d):
                            m1[j] = m1[j] * hp1 + (1.0 - hp2) * g[j]
                    else:
                        FL[i] |= FLAG_BUFFER
                        for j in range(d):
                            m1[j] = g[j]
                    for j in range(d):
                        g[j] = g[j] + hp1 * m1[j] if hp4 != 0.0 else m1[j]
                for j in range(d):
                    p[j] = p[j] + (-lr) * g[j]
            elif opt == ADAGRAD:
                for j in range(d):
                    gj = g[j] + hp2 * p[j] if hp2 != 0.0 else g[j]
                    m1[j] = m1[j] + gj * gj
                    std = math.sqrt(m1[j]) + hp4
                    p[j] = p[j] + ((-sa) * gj) / std
            elif opt == RMSPROP:
                for j in range(d):
                    gj = g[j] + hp3 * p[j] if hp3 != 0.0 else g[j]
                    m1[j] = m1[j] * hp1 + ((1.0 - hp1) * gj) * gj
                    if hp5 != 0.0:
                        w = 1.0 - hp1
                        if w < 0.5:
                            m2[j] = m2[j] + w * (gj - m2[j])
                        else:
                            m2[j] = gj - (gj - m2[j]) * (1.0 - w)
                        avg = math.sqrt(m1[j] + (-m2[j]) * m2[j]) + hp2
                    else:
                        avg = math.sqrt(m1[j]) + hp2
                    if hp4 > 0.0:
                        m3[j] = m3[j] * hp4 + gj / avg
                        p[j] = p[j] + (-lr) * m3[j]
                    else:
                        p[j] = p[j] + ((-lr) * gj) / avg
            elif opt == ADAM or opt == ADAMW:
                w = 1.0 - hp1
                for j in range(d):
                    gj = g[j]
                    if hp4 != 0.0:
                        if opt == ADAMW:
                            p[j] = p[j] * (1.0 - lr * hp4)
                        else:
                            gj = gj + hp4 * p[j]
                    if w < 0.5:
                        m1[j] = m1[j] + w * (gj - m1[j])
                    else:
                        m1[j] = gj - (gj - m1[j]) * (1.0 - w)
                    m2[j] = m2[j] * hp2 + ((1.0 - hp2) * gj) * gj
                    if hp5 != 0.0:
                        v = m3[j]
                        v = m2[j] if m2[j] > v else v  # max(m3, m2)
                        m3[j] = v
                        denom = math.sqrt(v) / sb + hp3
                    else:
                        denom = math.sqrt(m2[j]) / sb + hp3
                    p[j] = p[j] + ((-sa) * m1[j]) / denom
            else:
                curvature_update(opt, hess, p, g, lr, hp1, hp2, H, lam, U, W)
            T[i] = t + 1
            gn = _gradient(grad, p, gi)
            if record or (window > 0 and T[i] - CKT[i] >= window):
                loss = _loss(loss_fn, p)
            if record and i == 0:
                for j in range(d):
                    OP[k, j] = p[j]
                OL[k] = loss
                OG[k] = gn
                OLR[k] = lr
                recorded = k + 1
            if diverged(P, i, gn, lo, hi, margin) or (record and not math.isfinite(loss)):
                ST[i] = DIVERGED
            elif gn <= gtol and not (opt == GD_ESCAPE and has_escape(hess, p, H, lam, U, W)):
                ST[i] = CONVERGED
            elif window > 0 and T[i] - CKT[i] >= window:
                if abs(loss - CKL[i]) <= RF[i, F_STALL_RTOL] * abs(loss) + RF[i, F_STALL_ATOL]:
                    ST[i] = STALLED
                CKL[i] = loss
                CKT[i] = T[i]
            if ST[i] == RUNNING and T[i] >= max_steps:
                ST[i] = MAX_STEPS
        GN[i] = gn
        L[i] = loss if record else _loss(loss_fn, p)
    return recorded
