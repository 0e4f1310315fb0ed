"""Batch stepping: all rows of a batch per call, the surface inlined, per-update scalars shared.

:func:`body_for` makes the loop for one optimizer and one surface; the surface's generated
module (:mod:`.codegen`) wraps it in a ``cache=True`` kernel per optimizer, so the surface's
gradient is a known function LLVM inlines. Rows are walked in blocks of :data:`ROW_BLOCK` that
stay in cache while the block takes all ``n`` updates of the call. Adam/AdamW blocks without
noise or clipping run as vectorised lanes (every row's update computed, kept only where the
row is running); other blocks and optimizers take one row at a time, as the single-run loop.

Rows with the same hyper-parameters, schedule and step count form a *group*; the learning rate
and the bias corrections of each update are computed once per group and update into a table by
:func:`fill_tables`, with the same :func:`._updates.step_scalars` and ``schedule_lr`` code the
single-run loop calls, so every row sees bit-identical scalars.
"""

import math

import numba
import numpy as np
from numba.extending import register_jitable

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
    FLAG_RESUMED,
    GD_ESCAPE,
    I_MAX_STEPS,
    I_SCHEDULE,
    I_SEED,
    I_STALL_WINDOW,
    MAX_STEPS,
    NEWTON,
    RMSPROP,
    RUNNING,
    SFN,
    SGD,
    STALLED,
    schedule_lr,
)  # fmt: skip
from ._jitable import register as register_jitables
from ._numba_cache import drop_stale_cache
from ._updates import (
    adagrad_update,
    adam_update,
    diverged,
    escape_move,
    fill_hessian,
    negative_curvature,
    newton_step,
    noisy_clipped,
    rmsprop_update,
    sgd_update,
    small_gradient,
    step_scalars,
)

drop_stale_cache(__file__)  # before any cached function is compiled or loaded
register_jitables()  # the shared formulas, before a loop that calls them compiles

ROW_BLOCK = 256
"""Rows that take all updates of a call together (their state fits in the L1/L2 cache)."""
N_TAB = 3
"""Table columns per (group, update): lr, then the two :func:`step_scalars`."""


@numba.njit(cache=True, nogil=True, error_model="numpy")
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


def body_for(opt: int, D: int, grad, loss_fn, hess):
    """The batch loop for optimizer code ``opt`` on a ``D``-variable surface's functions.

    ``opt``, ``D`` and the surface functions are constants of the returned function (so the
    compiled kernel can be cached, and the gradient inlines), so numba drops the other
    optimizers' branches and LLVM unrolls the coordinate loops. The loop advances every RUNNING
    row by up to ``n`` updates exactly as ``_kernels.advance`` does for each row (same checks,
    same order), taking update k's scalars from TAB. The gradient norm is kept squared between
    updates; its square root is taken where the single-run loop compares it (convergence, only
    near the tolerance) and at the end of the call.
    """

    @register_jitable
    def escapes(P, i, H, lam, U, W):
        """has_escape() at row i, the surface's Hessian called directly."""
        fill_hessian(hess(P[i, 0], P[i, 1], P[i, 2] if D == 3 else 0.0), H, D)
        return negative_curvature(H, lam, U, W)

    @register_jitable
    def adam_lanes(b0, b1, P, G, S, T, ST, CKL, CKT, RF, RI, lo, hi, n, GID, TAB, fresh, tot, X):
        """Adam/AdamW on rows b0..b1 (no noise, no clipping) in lanes the compiler vectorises.

        The block's state is copied into coordinate-major scratch (X) for the call; each update
        computes every row's new values with :func:`._updates.adam_update`'s operations and
        keeps them only for running rows (a select, not a branch), then a short scalar pass
        applies the status checks of ``_kernels.advance`` in the same order.
        """
        LP, LG, LM1, LM2, LM3, PAR, LT, RUN, IPAR, FLAG = X
        m = b1 - b0
        running = 0
        for b in range(m):
            i = b0 + b
            RUN[b] = ST[i] == RUNNING
            running += RUN[b]
            LT[b] = T[i]
            for j in range(D):
                LP[j, b] = P[i, j]
                LG[j, b] = G[i, j]
                LM1[j, b] = S[i, 0, j]
                LM2[j, b] = S[i, 1, j]
                LM3[j, b] = S[i, 2, j]
            PAR[0, b] = 1.0 - RF[i, 1]  # w = 1 - beta1, as adam_update computes it
            PAR[1, b] = RF[i, 2]
            PAR[2, b] = RF[i, 3]
            PAR[3, b] = RF[i, 4]
            PAR[4, b] = RF[i, 5]
            PAR[8, b] = RF[i, F_GTOL]
            PAR[9, b] = RF[i, F_MARGIN]
            IPAR[0, b] = RI[i, I_STALL_WINDOW]
            IPAR[1, b] = RI[i, I_MAX_STEPS]
        uniform = True  # one group in the block: broadcast its scalars, no gather
        for b in range(m):
            uniform = uniform and GID[b0 + b] == GID[b0]
            fresh[b] = RUN[b] and n > 0  # every running lane takes the first update
        for k in range(n):
            if uniform:
                lr, step_size, sb = TAB[GID[b0], k, 0], TAB[GID[b0], k, 1], TAB[GID[b0], k, 2]
                for b in range(m):
                    PAR[5, b] = lr
                    PAR[6, b] = step_size
                    PAR[7, b] = sb
            else:
                for b in range(m):
                    grp = GID[b0 + b]
                    PAR[5, b] = TAB[grp, k, 0]
                    PAR[6, b] = TAB[grp, k, 1]
                    PAR[7, b] = TAB[grp, k, 2]
            for b in range(m):  # the update: both branches computed, then selected
                run = RUN[b]
                w, beta2, eps, wd, ams = PAR[0, b], PAR[1, b], PAR[2, b], PAR[3, b], PAR[4, b]
                lr, step_size, sb = PAR[5, b], PAR[6, b], PAR[7, b]
                for j in range(D):
                    p = LP[j, b]
                    g0 = LG[j, b]
                    m1 = LM1[j, b]
                    m2 = LM2[j, b]
                    m3 = LM3[j, b]
                    if opt == ADAMW:
                        decayed = p * (1.0 - lr * wd)
                        pj = decayed if wd != 0.0 else p
                        gj = g0
                    else:
                        pj = p
                        l2 = g0 + wd * p
                        gj = l2 if wd != 0.0 else g0
                    lerp_a = m1 + w * (gj - m1)
                    lerp_b = gj - (gj - m1) * (1.0 - w)
                    m1n = lerp_a if w < 0.5 else lerp_b
                    m2n = m2 * beta2 + ((1.0 - beta2) * gj) * gj
                    m3n = m2n if m2n > m3 else m3  # max(m3, m2n), as adam_update
                    v = m3n if ams != 0.0 else m2n
                    denom = math.sqrt(v) / sb + eps
                    pn = pj + ((-step_size) * m1n) / denom
                    LP[j, b] = pn if run else p
                    LM1[j, b] = m1n if run else m1
                    LM2[j, b] = m2n if run else m2
                    LM3[j, b] = m3n if run and ams != 0.0 else m3
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
                total = tot[b]
                gtol = PAR[8, b]
                margin = PAR[9, b]
                bad = not math.isfinite(total)
                for j in range(D):
                    x = LP[j, b]
                    pad = margin * (hi[j] - lo[j])
                    bad = bad | (not math.isfinite(x)) | (x < lo[j] - pad) | (x > hi[j] + pad)
                near = (total <= 4.0 * gtol * gtol) | (gtol < 1e-150) | (gtol > 1e150)
                window = IPAR[0, b]
                due = (window > 0) & (LT[b] - CKT[i] >= window)
                flag = bad | near | due | (LT[b] >= IPAR[1, b])
                FLAG[b] = RUN[b] & flag
            for b in range(m):  # _kernels.advance's checks, in its order, for those rows
                if not FLAG[b]:
                    continue
                i = b0 + b
                total = tot[b]
                gtol = RF[i, F_GTOL]
                window = RI[i, I_STALL_WINDOW]
                bad = not math.isfinite(total)
                margin = RF[i, F_MARGIN]
                for j in range(D):
                    x = LP[j, b]
                    pad = margin * (hi[j] - lo[j])
                    bad = bad | (not math.isfinite(x)) | (x < lo[j] - pad) | (x > hi[j] + pad)
                near = total <= 4.0 * gtol * gtol or gtol < 1e-150 or gtol > 1e150
                if bad:
                    ST[i] = DIVERGED
                elif near and math.sqrt(total) <= gtol:
                    ST[i] = CONVERGED
                elif window > 0 and LT[b] - CKT[i] >= window:
                    loss = loss_fn(LP[0, b], LP[1, b], LP[2, b] if D == 3 else 0.0)
                    if abs(loss - CKL[i]) <= RF[i, F_STALL_RTOL] * abs(loss) + RF[i, F_STALL_ATOL]:
                        ST[i] = STALLED
                    CKL[i] = loss
                    CKT[i] = LT[b]
                if ST[i] == RUNNING and LT[b] >= RI[i, I_MAX_STEPS]:
                    ST[i] = MAX_STEPS
                if ST[i] != RUNNING:
                    RUN[b] = False
                    running -= 1
            if running == 0:
                break
        for b in range(m):
            i = b0 + b
            T[i] = LT[b]
            for j in range(D):
                P[i, j] = LP[j, b]
                G[i, j] = LG[j, b]
                S[i, 0, j] = LM1[j, b]
                S[i, 1, j] = LM2[j, b]
                S[i, 2, j] = LM3[j, b]

    @register_jitable
    def body(P, G, L, GN, S, T, FL, ST, CKL, CKT, RF, RI, lo, hi, n, GID, TAB):
        N = P.shape[0]
        g = np.empty(D)
        H = np.empty((D, D))
        lam = np.empty(D)
        U = np.empty((D, D))
        W = np.empty((D, D))
        moved = np.zeros(ROW_BLOCK, dtype=np.bool_)
        tot = np.zeros(ROW_BLOCK)
        fresh = np.zeros(ROW_BLOCK, dtype=np.bool_)
        RB = ROW_BLOCK
        X = (np.empty((D, RB)), np.empty((D, RB)), np.empty((D, RB)), np.empty((D, RB)),
             np.empty((D, RB)), np.empty((10, RB)), np.empty(RB, dtype=np.int64),
             np.empty(RB, dtype=np.bool_), np.empty((2, RB), dtype=np.int64),
             np.empty(RB, dtype=np.bool_))  # fmt: skip
        for b0 in range(0, N, ROW_BLOCK):
            b1 = min(N, b0 + ROW_BLOCK)
            for i in range(b0, b1):
                b = i - b0
                moved[b] = ST[i] == RUNNING
                fresh[b] = False
                if moved[b] and T[i] == 0 and (FL[i] & FLAG_RESUMED) == 0:
                    gn = GN[i]
                    if diverged(P, i, gn, lo, hi, RF[i, F_MARGIN]) or not math.isfinite(L[i]):
                        ST[i] = DIVERGED
                    elif gn <= RF[i, F_GTOL] and not (
                        opt == GD_ESCAPE and escapes(P, i, H, lam, U, W)
                    ):
                        ST[i] = CONVERGED
            lanes = opt == ADAM or opt == ADAMW
            for i in range(b0, b1):
                if ST[i] == RUNNING and T[i] >= RI[i, I_MAX_STEPS]:
                    ST[i] = MAX_STEPS  # the first update's check, done up front
                lanes = lanes and RF[i, F_NOISE] <= 0.0 and RF[i, F_CLIP] <= 0.0
            if lanes:
                adam_lanes(b0, b1, P, G, S, T, ST, CKL, CKT, RF, RI, lo, hi, n, GID, TAB, fresh,
                           tot, X)  # fmt: skip
                n_scalar = 0
            else:
                n_scalar = n
            for k in range(n_scalar):
                active = False
                for i in range(b0, b1):
                    if ST[i] != RUNNING:
                        continue
                    t = T[i]
                    max_steps = RI[i, I_MAX_STEPS]
                    if t >= max_steps:
                        ST[i] = MAX_STEPS
                        continue
                    active = True
                    grp = GID[i]
                    lr = TAB[grp, k, 0]
                    sa = TAB[grp, k, 1]
                    sb = TAB[grp, k, 2]
                    if RF[i, F_NOISE] > 0.0 or RF[i, F_CLIP] > 0.0:
                        noisy_clipped(G, i, g, RF, RI[i, I_SEED], t)
                    else:
                        for j in range(D):
                            g[j] = G[i, j]
                    hp1, hp2, hp3, hp4, hp5 = RF[i, 1], RF[i, 2], RF[i, 3], RF[i, 4], RF[i, 5]
                    if opt == ADAM or opt == ADAMW:
                        adam_update(opt == ADAMW, P, S, i, D, g, lr, sa, sb, hp1, hp2, hp3, hp4,
                                    hp5)  # fmt: skip
                    elif opt == SGD:
                        sgd_update(P, S, FL, i, D, g, lr, hp1, hp2, hp3, hp4)
                    elif opt == ADAGRAD:
                        adagrad_update(P, S, i, D, g, sa, hp2, hp4)
                    elif opt == RMSPROP:
                        rmsprop_update(P, S, i, D, g, lr, hp1, hp2, hp3, hp4, hp5)
                    elif opt == NEWTON or opt == SFN:
                        fill_hessian(hess(P[i, 0], P[i, 1], P[i, 2] if D == 3 else 0.0), H, D)
                        newton_step(P[i], g, lr, hp1, opt == SFN, H, lam, U, W)
                    elif opt == GD_ESCAPE:
                        escape = small_gradient(g, hp1) and escapes(P, i, H, lam, U, W)
                        escape_move(P[i], g, lr, hp2, escape, U)
                    T[i] = t + 1
                    g3 = grad(P[i, 0], P[i, 1], P[i, 2] if D == 3 else 0.0)
                    total = 0.0
                    for j in range(D):  # the single-run loop's norm, squared
                        G[i, j] = g3[j]
                        total += g3[j] * g3[j]
                    b = i - b0
                    tot[b] = total
                    fresh[b] = True
                    gtol = RF[i, F_GTOL]
                    window = RI[i, I_STALL_WINDOW]
                    near = total <= 4.0 * gtol * gtol or gtol < 1e-150 or gtol > 1e150
                    # diverged(), written out without short-circuit branches
                    bad = not math.isfinite(total)
                    margin = RF[i, F_MARGIN]
                    for j in range(D):
                        x = P[i, j]
                        pad = margin * (hi[j] - lo[j])
                        bad = bad | (not math.isfinite(x)) | (x < lo[j] - pad) | (x > hi[j] + pad)
                    if bad:
                        ST[i] = DIVERGED
                    elif (near and math.sqrt(total) <= gtol) and not (
                        opt == GD_ESCAPE and escapes(P, i, H, lam, U, W)
                    ):
                        ST[i] = CONVERGED
                    elif window > 0 and T[i] - CKT[i] >= window:
                        loss = loss_fn(P[i, 0], P[i, 1], P[i, 2] if D == 3 else 0.0)
                        if (
                            abs(loss - CKL[i])
                            <= RF[i, F_STALL_RTOL] * abs(loss) + RF[i, F_STALL_ATOL]
                        ):
                            ST[i] = STALLED
                        CKL[i] = loss
                        CKT[i] = T[i]
                    if ST[i] == RUNNING and T[i] >= max_steps:
                        ST[i] = MAX_STEPS
                if not active:
                    break
            for i in range(b0, b1):
                b = i - b0
                if moved[b]:
                    if fresh[b]:
                        GN[i] = math.sqrt(tot[b])
                    L[i] = loss_fn(P[i, 0], P[i, 1], P[i, 2] if D == 3 else 0.0)

    return body


def wrapper_source(names, ndim: int) -> str:
    """Source of the per-optimizer batch kernels a generated surface module defines.

    Each is compiled lazily (on a batch's first call) and cached on disk beside the module.
    """
    lines = [
        "",
        "from saddlelab.core.optim._batch import body_for as _body_for",
        "",
        "_lazy = numba.njit(cache=True, nogil=True, error_model='numpy')",
    ]
    args = "P, G, L, GN, S, T, FL, ST, CKL, CKT, RF, RI, lo, hi, n, GID, TAB"
    for code, name in enumerate(names):
        ident = name.replace("-", "_")
        lines += [
            f"_body_{ident} = _body_for({code}, {ndim}, surface_grad, surface_loss, surface_hess)",
            "",
            "",
            "@_lazy",
            f"def batch_{ident}({args}):",
            f"    _body_{ident}({args})",
            "",
        ]
    return "\n".join(lines) + "\n"
