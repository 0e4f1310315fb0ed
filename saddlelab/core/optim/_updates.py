"""Update code shared by the single-run loop (:mod:`._kernels`) and the batch kernels.

Every function here is ``register_jitable``: compiled into each loop that calls it. Both loops
take their per-update scalars from :func:`step_scalars` and ``schedule_lr``, the noise and
clipping from :func:`noisy_clipped`, the divergence test from :func:`diverged` and the
curvature methods (Newton, saddle-free Newton, gd-escape) from the functions below, so they
compute the same values. The elementwise updates (``sgd_update`` ... ``adam_update``) serve the
batch kernels' row-at-a-time path; the single-run loop writes the same operations out on its
row views (a helper call per update with array arguments costs reference counting there), and
the batch kernels' Adam lanes write them as selects; tests compare all of them bit for bit, and
the single-run loop with torch. numba's cache of :mod:`._kernels` and :mod:`._batch` does not
see edits here by itself: :mod:`._numba_cache` clears it when this file changes (and the batch
kernels' cache name includes a hash of this file, see :mod:`.codegen`).
"""

import math

from numba.extending import register_jitable

from ._formulas import (
    ADAGRAD,
    ADAM,
    ADAMW,
    F_CLIP,
    F_NOISE,
    FLAG_BUFFER,
    NEWTON,
    SFN,
    gauss,
    sym_eig,
)  # fmt: skip


@register_jitable(inline="always")
def step_scalars(opt, lr, t, hp1, hp2):
    """Per-update scalars of update ``t`` (0-based): Adam's ``lr / bc1`` and ``sqrt(bc2)``,
    Adagrad's decayed rate; computed once per update (torch's order: ``beta**step``, float step).
    """
    step = float(t + 1)
    if opt == ADAM or opt == ADAMW:
        bc1 = 1.0 - hp1**step
        bc2 = 1.0 - hp2**step
        return lr / bc1, bc2**0.5
    if opt == ADAGRAD:
        return lr / (1.0 + (step - 1.0) * hp1), 0.0
    return 0.0, 0.0


@register_jitable
def fill_hessian(h, H, d):
    """Fill H (d x d) from a surface Hessian's upper triangle ``h`` (00, 01, 02, 11, 12, 22)."""
    H[0, 0] = h[0]
    H[0, 1] = H[1, 0] = h[1]
    H[1, 1] = h[3]
    if d == 3:
        H[0, 2] = H[2, 0] = h[2]
        H[1, 2] = H[2, 1] = h[4]
        H[2, 2] = h[5]


@register_jitable
def hessian_into(hess, p, H):
    """Fill H (d x d) from the surface's 3-variable upper-triangle Hessian function."""
    d = p.shape[0]
    fill_hessian(hess(p[0], p[1], p[2] if d == 3 else 0.0), H, d)


@register_jitable
def newton_step(p, g, lr, damping, absolute, H, lam, U, W):
    """Newton step p -= lr (H + damping I)^-1 g with H filled, or |H| when ``absolute``."""
    d = p.shape[0]
    sym_eig(H, lam, U, W)
    for k in range(d):
        proj = 0.0
        for j in range(d):
            proj += U[j, k] * g[j]
        denom = (abs(lam[k]) if absolute else lam[k]) + damping
        coef = proj / denom
        for j in range(d):
            W[k, j] = coef * U[j, k]
    for j in range(d):
        step = 0.0
        for k in range(d):
            step += W[k, j]
        p[j] -= lr * step


@register_jitable
def negative_curvature(H, lam, U, W):
    """Whether the filled Hessian H has a clearly negative eigenvalue (eigen-data in lam/U)."""
    d = H.shape[0]
    sym_eig(H, lam, U, W)
    scale = max(abs(lam[0]), abs(lam[d - 1]))
    return lam[0] < -(1e-12 + 1e-8 * scale)


@register_jitable
def has_escape(hess, p, H, lam, U, W):
    """Whether the Hessian at ``p`` has a clearly negative eigenvalue (eigen-data left in lam/U)."""
    hessian_into(hess, p, H)
    return negative_curvature(H, lam, U, W)


@register_jitable
def small_gradient(g, threshold):
    """gd-escape's trigger: the gradient norm is below ``threshold``."""
    total = 0.0
    for j in range(g.shape[0]):
        total += g[j] * g[j]
    return math.sqrt(total) < threshold


@register_jitable
def escape_move(p, g, lr, length, escape, U):
    """gd-escape: a step of ``length`` along the most negative curvature direction U[:, 0]
    (sign chosen downhill, deterministic if g is orthogonal to it), else gradient descent."""
    d = p.shape[0]
    if escape:
        dot = 0.0
        for j in range(d):
            dot += U[j, 0] * g[j]
        sign = -1.0 if dot > 0.0 else 1.0
        if dot == 0.0:
            for j in range(d):
                if U[j, 0] != 0.0:
                    sign = 1.0 if U[j, 0] > 0.0 else -1.0
                    break
        for j in range(d):
            p[j] = p[j] + sign * length * U[j, 0]
    else:
        for j in range(d):
            p[j] = p[j] - lr * g[j]


@register_jitable
def diverged(P, i, gn, lo, hi, margin):
    """Non-finite gradient norm or point, or a coordinate ``margin`` domain widths outside."""
    if not math.isfinite(gn):
        return True
    for j in range(P.shape[1]):
        if not math.isfinite(P[i, j]):
            return True
        pad = margin * (hi[j] - lo[j])
        if P[i, j] < lo[j] - pad or P[i, j] > hi[j] + pad:
            return True
    return False


@register_jitable(inline="always")
def noisy_clipped(G, i, g, RF, seed, t):
    """Copy row i of the gradient ``G`` into ``g``, add the row's seeded noise, clip its norm."""
    d = g.shape[0]
    noise = RF[i, F_NOISE]
    clip = RF[i, F_CLIP]
    for j in range(d):
        g[j] = G[i, j]
        if noise > 0.0:
            g[j] += noise * gauss(seed, t, j)
    if clip > 0.0:
        total = 0.0
        for j in range(d):
            total += g[j] * g[j]
        coef = clip / (math.sqrt(total) + 1e-6)
        if coef < 1.0:
            for j in range(d):
                g[j] *= coef


@register_jitable
def curvature_update(opt, hess, p, g, lr, hp1, hp2, H, lam, U, W):
    """Newton / saddle-free Newton (damping ``hp1``) or gd-escape (threshold ``hp1``, step
    length ``hp2``) on point ``p``; the Hessian from ``hess`` (single-run loop)."""
    if opt == NEWTON or opt == SFN:
        hessian_into(hess, p, H)
        newton_step(p, g, lr, hp1, opt == SFN, H, lam, U, W)
    else:  # GD_ESCAPE
        escape = small_gradient(g, hp1) and has_escape(hess, p, H, lam, U, W)
        escape_move(p, g, lr, hp2, escape, U)


@register_jitable(inline="always")
def sgd_update(P, S, FL, i, d, g, lr, momentum, dampening, wd, nesterov):
    for j in range(d):
        if wd != 0.0:
            g[j] = g[j] + wd * P[i, j]
    if momentum != 0.0:
        if FL[i] & FLAG_BUFFER:
            for j in range(d):
                S[i, 0, j] = S[i, 0, j] * momentum + (1.0 - dampening) * g[j]
        else:
            FL[i] |= FLAG_BUFFER
            for j in range(d):
                S[i, 0, j] = g[j]
        for j in range(d):
            g[j] = g[j] + momentum * S[i, 0, j] if nesterov != 0.0 else S[i, 0, j]
    for j in range(d):
        P[i, j] = P[i, j] + (-lr) * g[j]


@register_jitable(inline="always")
def adagrad_update(P, S, i, d, g, clr, wd, eps):
    for j in range(d):
        gj = g[j] + wd * P[i, j] if wd != 0.0 else g[j]
        S[i, 0, j] = S[i, 0, j] + gj * gj
        std = math.sqrt(S[i, 0, j]) + eps
        P[i, j] = P[i, j] + ((-clr) * gj) / std


@register_jitable(inline="always")
def rmsprop_update(P, S, i, d, g, lr, alpha, eps, wd, mom, centered):
    for j in range(d):
        gj = g[j] + wd * P[i, j] if wd != 0.0 else g[j]
        S[i, 0, j] = S[i, 0, j] * alpha + ((1.0 - alpha) * gj) * gj
        if centered != 0.0:
            w = 1.0 - alpha
            if w < 0.5:
                S[i, 1, j] = S[i, 1, j] + w * (gj - S[i, 1, j])
            else:
                S[i, 1, j] = gj - (gj - S[i, 1, j]) * (1.0 - w)
            avg = math.sqrt(S[i, 0, j] + (-S[i, 1, j]) * S[i, 1, j]) + eps
        else:
            avg = math.sqrt(S[i, 0, j]) + eps
        if mom > 0.0:
            S[i, 2, j] = S[i, 2, j] * mom + gj / avg
            P[i, j] = P[i, j] + (-lr) * S[i, 2, j]
        else:
            P[i, j] = P[i, j] + ((-lr) * gj) / avg


@register_jitable(inline="always")
def adam_update(decoupled, P, S, i, d, g, lr, step_size, sb, beta1, beta2, eps, wd, ams):
    """Adam / AdamW (``decoupled``) with ``step_size = lr / bc1`` and ``sb = sqrt(bc2)``."""
    w = 1.0 - beta1
    for j in range(d):
        gj = g[j]
        pj = P[i, j]
        if wd != 0.0:
            if decoupled:
                pj = pj * (1.0 - lr * wd)
            else:
                gj = gj + wd * pj
        m1 = S[i, 0, j]
        if w < 0.5:
            m1 = m1 + w * (gj - m1)
        else:
            m1 = gj - (gj - m1) * (1.0 - w)
        m2 = S[i, 1, j] * beta2 + ((1.0 - beta2) * gj) * gj
        S[i, 0, j] = m1
        S[i, 1, j] = m2
        if ams != 0.0:
            m3 = S[i, 2, j]
            m3 = m2 if m2 > m3 else m3  # max(m3, m2), written out as the batch lanes do
            S[i, 2, j] = m3
            denom = math.sqrt(m3) / sb + eps
        else:
            denom = math.sqrt(m2) / sb + eps
        P[i, j] = pj + ((-step_size) * m1) / denom
