"""The row loop and the row status, written once for every loop that steps rows.

:func:`advance_rows` is the row-at-a-time loop: noise and clipping, the optimizer's
:func:`._rules.coordinate` on every coordinate (after :func:`._rules.prepare_row` for the
curvature methods), the new gradient and :func:`update_status`, update after update across the
rows. The single-run loop (:mod:`._kernels`, the surface as first-class functions), the batch
kernels' row path (:mod:`._batch`, on a block of rows, the surface's gradient inlined) and the
pure-Python path (:mod:`._pure`, uncompiled) all run it.
The status rules (diverged, converged unless gd-escape still sees an escape, stalled, max_steps)
are :func:`start_status` and :func:`update_status`, which the batch kernels' vectorised lanes
call too, after :func:`outside` and :func:`near` picked the lanes that need them. "Converged"
is the criticality rule of :mod:`saddlelab.core.criticality` (:func:`critical_tolerance`), the
one the analysis panel and the CLI apply to the final point: its tolerance depends on the
point, so each row keeps the one last computed (``RF[i, F_CRIT_TOL]``) for the cheap test
:func:`near`, and the exact one is computed where that test passes and at each stall test.
"""

import math

import numpy as np

from ..criticality import ROUND_OFF_MARGIN
from ._formulas import (
    CONVERGED,
    DIVERGED,
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
    FLAG_RESUMED,
    GD_ESCAPE,
    I_MAX_STEPS,
    I_SCHEDULE,
    I_SEED,
    I_STALL_WINDOW,
    MAX_STEPS,
    RUNNING,
    STALLED,
    gradient_tolerance,
    schedule_lr,
    sym_eig,
)  # fmt: skip
from ._jitable import jitable
from ._rules import buffer_flag, coordinate, prepare_row, step_scalars, uses_hessian
from ._updates import fill_hessian, has_escape, noisy_clipped


@jitable(inline="always")
def outside(x, lo, hi, margin):
    """Whether coordinate ``x`` is non-finite or ``margin`` domain widths outside [lo, hi]."""
    pad = margin * (hi - lo)
    return (not math.isfinite(x)) | (x < lo - pad) | (x > hi + pad)


@jitable
def off_domain(P, i, lo, hi, margin):
    """Whether any coordinate of row i of the points ``P`` is :func:`outside`."""
    bad = False
    for j in range(P.shape[1]):
        bad = bad | outside(P[i, j], lo[j], hi[j], margin)
    return bad


@jitable(inline="always")
def near(total, tol):
    """Whether the squared gradient norm ``total`` is within a factor 2 of the tolerance
    ``tol`` (or the tolerance is too small or large to square): only then is the exact rule
    worth computing. Never for a negative tolerance (convergence off)."""
    return (tol >= 0.0) & ((total <= 4.0 * tol * tol) | (tol < 1e-150) | (tol > 1e150))


@jitable(inline="always")
def needs_status(total, bad, tol, t, ckt, window, max_steps):
    """Whether :func:`update_status` could change anything after update ``t``: divergence, a
    gradient norm near the row's last critical tolerance ``tol``, a stall test due or the step
    limit (no branch: the vectorised lanes run it on every lane)."""
    due = (window > 0) & (t - ckt >= window)
    return bad | near(total, tol) | due | (t >= max_steps)


@jitable
def critical_tolerance(hess, x0, x1, x2, d, loss, gtol, rtol, H, lam, U, W):
    """The gradient norm at or below which (x0, x1, x2), where the loss is ``loss``, counts as
    converged: ``gtol`` if it is >= 0, else the criticality rule
    (:func:`saddlelab.core.criticality.gradient_tolerance` with the Hessian's largest
    |eigenvalue|, less :data:`~saddlelab.core.criticality.ROUND_OFF_MARGIN`); negative (never)
    when ``rtol`` is negative too; NaN where the loss or the Hessian is not finite. H, lam, U, W
    are the caller's work arrays (d x d, d, d x d, d x d): no allocation per call. The largest
    |eigenvalue| of a 2 x 2 Hessian is taken in closed form (the Jacobi solve of 3 x 3 ones
    agrees with it to a few ulps, which the margin covers); this test runs on every update
    while a row's gradient is near its tolerance."""
    if gtol >= 0.0:
        return gtol
    if rtol < 0.0:
        return -1.0
    h = hess(x0, x1, x2)
    curvature = math.inf
    if d == 2:  # closed form |(a + c) / 2| + sqrt(((a - c) / 2)^2 + b^2): one square root
        a, b, c = h[0], h[1], h[3]
        half = 0.5 * (a - c)
        curvature = abs(0.5 * (a + c)) + math.sqrt(half * half + b * b)
    if not math.isfinite(curvature):  # 3 x 3, or overflow / NaN: the Jacobi solve decides
        fill_hessian(h, H, d)
        sym_eig(H, lam, U, W)
        curvature = max(abs(lam[0]), abs(lam[d - 1]))
    norm = math.sqrt(x0 * x0 + x1 * x1 + x2 * x2)  # x2 is 0 for two variables
    return gradient_tolerance(loss, curvature, norm, rtol) * (1.0 - ROUND_OFF_MARGIN)


@jitable
def escapes(opt, hess, x0, x1, x2, d):
    """gd-escape does not converge where the Hessian still has a negative-curvature escape."""
    if opt != GD_ESCAPE:
        return False
    H, U, W = np.empty((d, d)), np.empty((d, d)), np.empty((d, d))
    return has_escape(hess(x0, x1, x2), H, np.empty(d), U, W)


@jitable
def start_status(opt, hess, P, i, gn, loss, lo, hi, margin, gtol):
    """Status of row i about to take its first update (not after a resume)."""
    if not math.isfinite(gn) or off_domain(P, i, lo, hi, margin) or not math.isfinite(loss):
        return DIVERGED
    d = P.shape[1]
    if gn <= gtol and not escapes(opt, hess, P[i, 0], P[i, 1], P[i, 2] if d == 3 else 0.0, d):
        return CONVERGED
    return RUNNING


@jitable(inline="always")
def update_status(opt, hess, loss_fn, x0, x1, x2, d, total, bad, t, ckt, ckl, tol, loss,
                  have_loss, gtol, grtol, rtol, atol, window, max_steps, H, lam, U, W):  # fmt: skip
    """Status after update number ``t`` (1-based) at the point (x0, x1, x2) of ``d`` variables
    with squared gradient norm ``total``; ``bad`` is the divergence test. Returns (status,
    checkpoint loss, checkpoint step, critical tolerance): where the gradient norm is
    :func:`near` ``tol`` (the row's last critical tolerance) or a stall test is due, the exact
    tolerance is computed (:func:`critical_tolerance` with ``gtol``, ``grtol``) and returned;
    every ``window`` updates the stall test compares the loss (computed here unless
    ``have_loss``) with the checkpoint's."""
    status = RUNNING
    if bad:
        status = DIVERGED
    else:
        due = window > 0 and t - ckt >= window
        if near(total, tol) or due:
            if not have_loss and gtol < 0.0 and grtol >= 0.0:  # the rule needs the loss
                loss = loss_fn(x0, x1, x2)
                have_loss = True
            tol = critical_tolerance(hess, x0, x1, x2, d, loss, gtol, grtol, H, lam, U, W)
            if math.sqrt(total) <= tol and not escapes(opt, hess, x0, x1, x2, d):
                status = CONVERGED
        if status == RUNNING and due:
            if not have_loss:
                loss = loss_fn(x0, x1, x2)
            if abs(loss - ckl) <= rtol * abs(loss) + atol:
                status = STALLED
            ckl = loss
            ckt = t
    if status == RUNNING and t >= max_steps:
        status = MAX_STEPS
    return status, ckl, ckt, tol


def scratch(rows: int, d: int) -> tuple:
    """Work arrays of :func:`advance_rows` for ``rows`` rows of ``d`` variables."""
    flags = np.empty(rows, dtype=np.bool_), np.empty(rows, dtype=np.bool_)
    return (np.empty(d), np.empty((d, d)), np.empty(d), np.empty((d, d)), np.empty((d, d)),
            np.empty(rows), *flags)  # fmt: skip


@jitable
def start_rows(opt, hess, P, L, GN, T, FL, ST, RF, lo, hi, moved, fresh, b0, b1, H, lam, U, W):
    """Before a call's updates of rows b0..b1: which rows move (RUNNING on entry; ``moved`` and
    ``fresh`` are indexed from b0), and the start test of the rows about to take their first
    update (not after a resume)."""
    d = P.shape[1]
    for i in range(b0, b1):
        moved[i - b0] = ST[i] == RUNNING
        fresh[i - b0] = False
        if moved[i - b0] and T[i] == 0 and (FL[i] & FLAG_RESUMED) == 0:
            tol = critical_tolerance(hess, P[i, 0], P[i, 1], P[i, 2] if d == 3 else 0.0, d, L[i],
                                     RF[i, F_GTOL], RF[i, F_GRAD_RTOL], H, lam, U, W)  # fmt: skip
            RF[i, F_CRIT_TOL] = tol
            ST[i] = start_status(opt, hess, P, i, GN[i], L[i], lo, hi, RF[i, F_MARGIN], tol)


@jitable(inline="always")
def finish_rows(loss_fn, P, L, GN, moved, fresh, tot, record, b0, b1):
    """After a call's updates of rows b0..b1: the gradient norm of the rows that took one
    (``tot`` holds its square), and the loss of every row that moved (already in L when
    recording); ``moved``, ``fresh`` and ``tot`` are indexed from b0."""
    d = P.shape[1]
    for i in range(b0, b1):
        if moved[i - b0]:
            if fresh[i - b0]:
                GN[i] = math.sqrt(tot[i - b0])
            if not record:
                L[i] = loss_fn(P[i, 0], P[i, 1], P[i, 2] if d == 3 else 0.0)


@jitable(inline="always")
def gradient(grad, x0, x1, x2, d):
    """The surface gradient (a 3-tuple) at (x0, x1, x2) and its squared norm over ``d``
    variables."""
    g3 = grad(x0, x1, x2)
    total = 0.0
    for j in range(d):
        total += g3[j] * g3[j]
    return g3, total


@jitable
def initialize_rows(grad, loss_fn, P, G, L, GN):
    """Loss, gradient and gradient norm at the rows' current points."""
    d = P.shape[1]
    for i in range(P.shape[0]):
        x0, x1, x2 = P[i, 0], P[i, 1], P[i, 2] if d == 3 else 0.0
        g3, total = gradient(grad, x0, x1, x2, d)
        for j in range(d):
            G[i, j] = g3[j]
        GN[i] = math.sqrt(total)
        L[i] = loss_fn(x0, x1, x2)


@jitable(inline="always")
def advance_rows(opt, grad, loss_fn, hess, P, G, L, GN, S, T, FL, ST, CKL, CKT, RF, RI, lo, hi,
                 n, record, OP, OL, OG, OLR, GID, TAB, scratch):  # fmt: skip
    """Advance every RUNNING row by up to ``n`` updates, update after update across the rows;
    returns the updates recorded for row 0.

    Update k's learning rate and :func:`._rules.step_scalars` come from ``TAB[GID[i], k]``
    (batch kernels, see :mod:`._batch`) or, with an empty GID, are computed here. With
    ``record`` the new point, loss, gradient norm and learning rate of row 0 after each update
    go to OP/OL/OG/OLR, and a non-finite loss counts as divergence. A row stops at a terminal
    status. Rows are indexed in place and every function called per update takes scalars (a
    row view, or an array argument, would cost reference counting on every update).
    """
    g, H, lam, U, W, tot, moved, fresh = scratch
    N, d = P.shape
    tables = GID.shape[0] > 0
    start_rows(opt, hess, P, L, GN, T, FL, ST, RF, lo, hi, moved, fresh, 0, N, H, lam, U, W)
    recorded = 0
    for k in range(n):
        active = False
        for i in range(N):
            if ST[i] != RUNNING:
                continue
            t = T[i]
            if t >= RI[i, I_MAX_STEPS]:
                ST[i] = MAX_STEPS
                continue
            active = True
            hp1, hp2, hp3, hp4, hp5 = RF[i, 1], RF[i, 2], RF[i, 3], RF[i, 4], RF[i, 5]
            if tables:
                lr, sa, sb = TAB[GID[i], k, 0], TAB[GID[i], k, 1], TAB[GID[i], k, 2]
            else:
                lr = schedule_lr(
                    RI[i, I_SCHEDULE], RF[i, 0], t, RF[i, F_STEP_SIZE], RF[i, F_GAMMA],
                    RF[i, F_T_MAX], RF[i, F_ETA_MIN], RF[i, F_WARMUP],
                )  # fmt: skip
                sa, sb = step_scalars(opt, lr, t, hp1, hp2)
            if RF[i, F_NOISE] > 0.0 or RF[i, F_CLIP] > 0.0:
                noisy_clipped(G, i, g, RF, RI[i, I_SEED], t)
            else:
                for j in range(d):
                    g[j] = G[i, j]
            flag, FL[i] = buffer_flag(opt, FL[i], hp1)
            coef = 0.0
            if uses_hessian(opt):
                flag, coef = prepare_row(opt, g, P, i, hess, hp1, hp2, H, lam, U, W)
            for j in range(d):
                P[i, j], S[i, 0, j], S[i, 1, j], S[i, 2, j] = coordinate(
                    opt, P[i, j], g[j], S[i, 0, j], S[i, 1, j], S[i, 2, j], lr, sa, sb, hp1,
                    hp2, hp3, hp4, hp5, flag, coef,
                )  # fmt: skip
            T[i] = t + 1
            x0, x1, x2 = P[i, 0], P[i, 1], P[i, 2] if d == 3 else 0.0
            g3, total = gradient(grad, x0, x1, x2, d)
            for j in range(d):
                G[i, j] = g3[j]
            tot[i] = total
            fresh[i] = True
            bad = not math.isfinite(total)
            for j in range(d):
                bad = bad | outside(P[i, j], lo[j], hi[j], RF[i, F_MARGIN])
            if record:
                L[i] = loss_fn(x0, x1, x2)
                bad = bad or not math.isfinite(L[i])
            tol, window, top = RF[i, F_CRIT_TOL], RI[i, I_STALL_WINDOW], RI[i, I_MAX_STEPS]
            if needs_status(total, bad, tol, t + 1, CKT[i], window, top):
                ST[i], CKL[i], CKT[i], RF[i, F_CRIT_TOL] = update_status(
                    opt, hess, loss_fn, x0, x1, x2, d, total, bad, t + 1, CKT[i], CKL[i], tol,
                    L[i], record, RF[i, F_GTOL], RF[i, F_GRAD_RTOL], RF[i, F_STALL_RTOL],
                    RF[i, F_STALL_ATOL], window, top, H, lam, U, W,
                )  # fmt: skip
            if record and i == 0:
                for j in range(d):
                    OP[k, j] = P[i, j]
                OL[k] = L[i]
                OG[k] = math.sqrt(total)
                OLR[k] = lr
                recorded = k + 1
        if not active:
            break
    finish_rows(loss_fn, P, L, GN, moved, fresh, tot, record, 0, N)
    return recorded
