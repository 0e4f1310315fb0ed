"""Plain-Python formulas and layout constants shared by the compiled kernels and the rest.

The functions are ``jitable`` (numba's ``register_jitable``, applied when a loop module
imports numba, see :mod:`._jitable`): plain Python when called from Python, compiled into the
loops of :mod:`._kernels` when called from there. :mod:`.schedule` calls
:func:`schedule_lr` directly, so the rate the app reports is the rate the loop uses.

Per-row configuration ``RF`` (floats) and ``RI`` (ints) use the column indices below; the
hyper-parameter layout per optimizer is the order of its ``hyper`` tuple in :mod:`.specs`.
"""

import math

import numpy as np

from ..criticality import gradient_tolerance
from ._jitable import jitable

jitable(gradient_tolerance)  # the criticality rule, compiled into the loops' status test

# optimizer codes (index in specs.OPTIMIZERS)
SGD, ADAGRAD, RMSPROP, ADAM, ADAMW, NEWTON, SFN, GD_ESCAPE = 0, 1, 2, 3, 4, 5, 6, 7
# status codes
READY, RUNNING, CONVERGED, DIVERGED, STALLED, MAX_STEPS = 0, 1, 2, 3, 4, 5
# schedule kinds
CONSTANT, STEP, EXPONENTIAL, COSINE = 0, 1, 2, 3
# RF columns (0..7 are the packed hyper-parameters)
F_STEP_SIZE, F_GAMMA, F_T_MAX, F_ETA_MIN, F_WARMUP = 8, 9, 10, 11, 12
F_NOISE, F_CLIP, F_GTOL, F_STALL_RTOL, F_STALL_ATOL, F_MARGIN = 13, 14, 15, 16, 17, 18
# F_GTOL >= 0: a fixed gradient tolerance; < 0: the criticality rule with relative tolerance
# F_GRAD_RTOL (< 0 too: never converged). F_CRIT_TOL: the row's critical tolerance where it was
# last computed (0: not yet), which the cheap per-update test compares the gradient with.
F_GRAD_RTOL, F_CRIT_TOL = 19, 20
N_RF = 21
# RI columns
I_SEED, I_MAX_STEPS, I_STALL_WINDOW, I_SCHEDULE = 0, 1, 2, 3
N_RI = 4
# per-row flags
FLAG_BUFFER = 1  # SGD/RMSprop momentum buffer exists (torch creates it on first use)


@jitable
def schedule_lr(kind, base, t, step_size, gamma, t_max, eta_min, warmup):
    """Learning rate for update number ``t`` (0-based), torch's closed forms.

    Linear warm-up over ``warmup`` updates (torch LinearLR with start_factor 1/(warmup+1)),
    then the schedule restarted at 0 (torch SequentialLR with the milestone at ``warmup``).
    """
    w = int(warmup)
    if t < w:
        start = 1.0 / (w + 1)
        return base * (start + (1.0 - start) * t / w)
    s = t - w
    if kind == STEP:
        return base * gamma ** float(s // int(step_size))
    if kind == EXPONENTIAL:
        return base * gamma ** float(s)
    if kind == COSINE:
        return eta_min + (base - eta_min) * (1.0 + math.cos(math.pi * s / t_max)) / 2.0
    return base


@jitable
def mix(z):
    """splitmix64 finalizer on uint64."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@jitable
def gauss(seed, t, j):
    """Standard normal for (seed, update t, coordinate j): counter-based, so reproducible."""
    key = mix(np.uint64(seed) + np.uint64(0x9E3779B97F4A7C15))
    key = mix(key ^ np.uint64(t))
    a = mix(key ^ np.uint64(2 * j + 1))
    b = mix(a ^ np.uint64(0xD1B54A32D192ED03))
    u1 = ((a >> np.uint64(11)) + np.uint64(1)) * (1.0 / 9007199254740992.0)
    u2 = (b >> np.uint64(11)) * (1.0 / 9007199254740992.0)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@jitable
def sym_eig(A, lam, U, W):
    """Eigenvalues ascending into ``lam``, unit eigenvectors as the columns of ``U`` (Jacobi)."""
    d = A.shape[0]
    for i in range(d):
        for j in range(d):
            W[i, j] = A[i, j]
            U[i, j] = 1.0 if i == j else 0.0
    for _sweep in range(60):
        off = 0.0
        diag = 0.0
        for p in range(d):
            diag += W[p, p] * W[p, p]
            for q in range(p + 1, d):
                off += W[p, q] * W[p, q]
        if off <= 1e-36 * diag or off == 0.0:
            break
        for p in range(d - 1):
            for q in range(p + 1, d):
                apq = W[p, q]
                if apq == 0.0:
                    continue
                theta = (W[q, q] - W[p, p]) / (2.0 * apq)
                t = 1.0 / (abs(theta) + math.sqrt(theta * theta + 1.0))
                if theta < 0.0:
                    t = -t
                c = 1.0 / math.sqrt(t * t + 1.0)
                s = t * c
                for k in range(d):
                    wkp, wkq = W[k, p], W[k, q]
                    W[k, p] = c * wkp - s * wkq
                    W[k, q] = s * wkp + c * wkq
                for k in range(d):
                    wpk, wqk = W[p, k], W[q, k]
                    W[p, k] = c * wpk - s * wqk
                    W[q, k] = s * wpk + c * wqk
                for k in range(d):
                    ukp, ukq = U[k, p], U[k, q]
                    U[k, p] = c * ukp - s * ukq
                    U[k, q] = s * ukp + c * ukq
    for i in range(d):
        lam[i] = W[i, i]
    for i in range(d):  # selection sort, columns of U follow
        m = i
        for j in range(i + 1, d):
            if lam[j] < lam[m]:
                m = j
        if m != i:
            lam[i], lam[m] = lam[m], lam[i]
            for k in range(d):
                U[k, i], U[k, m] = U[k, m], U[k, i]


FLAG_RESUMED = 2  # resumed after a terminal status: skip the start-of-run convergence test
