"""Every optimizer's arithmetic, written once: scalar functions of one coordinate.

This is numba's ``@vectorize`` model: an optimizer is a scalar formula for one coordinate
(its point, gradient and up to three state values in, the new ones out), and the loops that
apply it are written around it. Three loops call :func:`coordinate`: the single-run loop and
the batch kernels' row-at-a-time path (both :func:`._rows.advance_rows`) and the batch
kernels' vectorised lanes (:mod:`._batch`, where the update is computed for every lane and kept
for the running ones). The pure-Python path (:mod:`._pure`) runs the same functions uncompiled.

The formulas follow torch.optim operation by operation (tests compare them with torch); the
branches the vectorised lanes meet are written as selects. Adding an
optimizer means: its spec in :mod:`.specs` (its code is its index there), its per-coordinate
function here and its branch in :func:`coordinate`; plus :func:`step_scalars` if it has
per-update scalars (bias corrections, decayed rates), :func:`buffer_flag` if it keeps a
per-row flag, and :func:`prepare_row` (with :func:`uses_hessian`) if it needs the whole row
first (a Hessian direction).
"""

import math

from ._formulas import ADAGRAD, ADAM, ADAMW, FLAG_BUFFER, GD_ESCAPE, NEWTON, RMSPROP, SFN, SGD
from ._jitable import jitable
from ._updates import (
    at,
    escape_direction,
    fill_hessian,
    has_escape,
    newton_direction,
    small_gradient,
)


@jitable
def step_scalars(opt, lr, t, hp1, hp2):
    """Per-update scalars of update ``t`` (0-based): Adam's ``lr / bc1`` and ``sqrt(bc2)``,
    Adagrad's decayed rate; computed once per update (torch's order: ``beta**step``, float step).
    """
    step = float(t + 1)
    if opt == ADAM or opt == ADAMW:
        bc1 = 1.0 - hp1**step
        bc2 = 1.0 - hp2**step
        return lr / bc1, math.sqrt(bc2)
    if opt == ADAGRAD:
        return lr / (1.0 + (step - 1.0) * hp1), 0.0
    return 0.0, 0.0


@jitable
def lerp(a, b, w):
    """torch.lerp(a, b, w): two formulas, the exact one chosen by the weight."""
    low = a + w * (b - a)
    high = b - (b - a) * (1.0 - w)
    return low if w < 0.5 else high  # both computed: a select in vectorised lanes


@jitable
def sgd(p, g, m1, lr, momentum, dampening, weight_decay, nesterov, has_buffer):
    """torch.optim.SGD; the buffer starts as the first gradient (``has_buffer`` False)."""
    if weight_decay != 0.0:
        g = g + weight_decay * p
    if momentum != 0.0:
        m1 = m1 * momentum + (1.0 - dampening) * g if has_buffer else g
        g = g + momentum * m1 if nesterov != 0.0 else m1
    return p + (-lr) * g, m1


@jitable
def adagrad(p, g, m1, clr, weight_decay, eps):
    """torch.optim.Adagrad with the decayed rate ``clr`` of :func:`step_scalars`."""
    g = g + weight_decay * p if weight_decay != 0.0 else g
    m1 = m1 + g * g
    std = math.sqrt(m1) + eps
    return p + ((-clr) * g) / std, m1


@jitable
def rmsprop(p, g, m1, m2, m3, lr, alpha, eps, weight_decay, momentum, centered):
    """torch.optim.RMSprop: m1 the square average, m2 the centred mean, m3 the momentum."""
    g = g + weight_decay * p if weight_decay != 0.0 else g
    m1 = m1 * alpha + ((1.0 - alpha) * g) * g
    if centered != 0.0:
        m2 = lerp(m2, g, 1.0 - alpha)
        avg = math.sqrt(m1 + (-m2) * m2) + eps
    else:
        avg = math.sqrt(m1) + eps
    if momentum > 0.0:
        m3 = m3 * momentum + g / avg
        return p + (-lr) * m3, m1, m2, m3
    return p + ((-lr) * g) / avg, m1, m2, m3


@jitable
def adam(decoupled, p, g, m1, m2, m3, lr, step_size, sb, beta1, beta2, eps, weight_decay, ams):
    """torch.optim.Adam, or AdamW when ``decoupled``; ``step_size = lr / bc1``,
    ``sb = sqrt(bc2)`` (:func:`step_scalars`), m3 the AMSGrad maximum. Written as selects."""
    if decoupled:
        decayed = p * (1.0 - lr * weight_decay)
        p = decayed if weight_decay != 0.0 else p
    else:
        l2 = g + weight_decay * p
        g = l2 if weight_decay != 0.0 else g
    m1 = lerp(m1, g, 1.0 - beta1)
    m2 = m2 * beta2 + ((1.0 - beta2) * g) * g
    top = m2 if m2 > m3 else m3  # max(m3, m2)
    m3 = top if ams != 0.0 else m3
    denom = math.sqrt(m3 if ams != 0.0 else m2) / sb + eps
    return p + ((-step_size) * m1) / denom, m1, m2, m3


@jitable(inline="always")
def coordinate(opt, p, g, m1, m2, m3, lr, sa, sb, hp1, hp2, hp3, hp4, hp5, flag, coef):
    """One coordinate's new (point, m1, m2, m3) after update of optimizer ``opt``.

    ``hp1..hp5`` are the row's packed hyper-parameters (the order of the spec's ``hyper``
    after lr), ``sa, sb`` the update's :func:`step_scalars`, ``flag, coef`` the row's
    :func:`buffer_flag` or :func:`prepare_row` values (for the curvature methods ``g`` is then
    their direction).
    """
    if opt == SGD:
        p, m1 = sgd(p, g, m1, lr, hp1, hp2, hp3, hp4, flag)
    elif opt == ADAGRAD:
        p, m1 = adagrad(p, g, m1, sa, hp2, hp4)
    elif opt == RMSPROP:
        p, m1, m2, m3 = rmsprop(p, g, m1, m2, m3, lr, hp1, hp2, hp3, hp4, hp5)
    elif opt == ADAM or opt == ADAMW:
        p, m1, m2, m3 = adam(opt == ADAMW, p, g, m1, m2, m3, lr, sa, sb, hp1, hp2, hp3, hp4, hp5)
    elif opt == GD_ESCAPE and flag:
        p = p + coef * g  # the escape step along the direction prepare_row put in g
    else:  # newton, saddle-free newton (g is the Newton step), gd-escape's descent step
        p = p - lr * g
    return p, m1, m2, m3


@jitable
def buffer_flag(opt, flags, momentum):
    """SGD's momentum buffer: (whether it exists, the row's flags recording that it will after
    this update). torch creates it from the first gradient taken with momentum."""
    if opt == SGD and momentum != 0.0:
        return (flags & FLAG_BUFFER) != 0, flags | FLAG_BUFFER
    return False, flags


@jitable
def uses_hessian(opt):
    """Whether :func:`prepare_row` has work for ``opt`` (the curvature methods)."""
    return opt == NEWTON or opt == SFN or opt == GD_ESCAPE


@jitable
def prepare_row(opt, g, P, i, hess, hp1, hp2, H, lam, U, W):
    """The curvature methods' part of an update of row i, before :func:`coordinate`.

    Returns ``(flag, coef)``. For Newton and saddle-free Newton (damping ``hp1``) g becomes the
    Newton step; for gd-escape (threshold ``hp1``, step length ``hp2``) below the threshold at
    a clearly negative curvature g becomes that direction, ``flag`` is set and ``coef`` is the
    signed step length.
    """
    if opt == NEWTON or opt == SFN:
        fill_hessian(at(hess, P, i), H, H.shape[0])
        newton_direction(g, hp1, opt == SFN, H, lam, U, W)
    elif opt == GD_ESCAPE:
        if small_gradient(g, hp1) and has_escape(at(hess, P, i), H, lam, U, W):
            return True, escape_direction(g, hp2, U)
    return False, 0.0
