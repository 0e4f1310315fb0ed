"""Row-level helpers of the updates: noise and clipping, the Hessian and its eigen-directions.

Plain Python functions marked :func:`._jitable.jitable` (compiled into the loops that call
them; run as they are by the pure-Python path). The per-coordinate arithmetic of every
optimizer is in :mod:`._rules`; these are the parts that need a whole row: the gradient noise
and norm clipping all optimizers share, and the Newton / saddle-free Newton / gd-escape
directions :func:`._rules.prepare_row` computes from the surface's Hessian. numba's caches of
the loops do not see edits here by themselves: :mod:`._numba_cache` and :mod:`.codegen` hash
this file.
"""

import math

from ._formulas import F_CLIP, F_NOISE, gauss, sym_eig
from ._jitable import jitable


@jitable
def at(fn, P, i):
    """The surface function ``fn`` (of three scalars) at row i of the points ``P`` (0 for a
    missing z)."""
    return fn(P[i, 0], P[i, 1], P[i, 2] if P.shape[1] == 3 else 0.0)


@jitable
def fill_hessian(h, H, d):
    """Fill H (d x d) from a surface Hessian's upper triangle ``h`` (00, 01, 02, 11, 12, 22)."""
    H[0, 0] = h[0]
    H[0, 1] = H[1, 0] = h[1]
    H[1, 1] = h[3]
    if d == 3:
        H[0, 2] = H[2, 0] = h[2]
        H[1, 2] = H[2, 1] = h[4]
        H[2, 2] = h[5]


@jitable
def negative_curvature(H, lam, U, W):
    """Whether the filled Hessian H has a clearly negative eigenvalue (eigen-data in lam/U)."""
    d = H.shape[0]
    sym_eig(H, lam, U, W)
    scale = max(abs(lam[0]), abs(lam[d - 1]))
    return lam[0] < -(1e-12 + 1e-8 * scale)


@jitable
def has_escape(h, H, lam, U, W):
    """Whether the Hessian ``h`` (an upper triangle, see :func:`fill_hessian`) has a clearly
    negative eigenvalue (its eigen-data left in lam/U)."""
    fill_hessian(h, H, H.shape[0])
    return negative_curvature(H, lam, U, W)


@jitable
def newton_direction(g, damping, absolute, H, lam, U, W):
    """Replace g by (H + damping I)^-1 g, or by (|H| + damping I)^-1 g when ``absolute``."""
    d = g.shape[0]
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
        g[j] = step


@jitable
def small_gradient(g, threshold):
    """gd-escape's trigger: the gradient norm is below ``threshold``."""
    total = 0.0
    for j in range(g.shape[0]):
        total += g[j] * g[j]
    return math.sqrt(total) < threshold


@jitable
def escape_direction(g, length, U):
    """Replace g by the most negative curvature direction U[:, 0]; returns the signed step
    length along it (sign chosen downhill, deterministic if g is orthogonal to it)."""
    d = g.shape[0]
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
        g[j] = U[j, 0]
    return sign * length


@jitable(inline="always")
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
