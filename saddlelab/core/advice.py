"""Plain-language second-order advice: saddle escapes, step-size regimes, Taylor-model text.

Everything here is Qt-free numbers and strings, so the window and the tests share one source of
truth for what SaddleLab *says* about a point: which remedy gets a run off a saddle and why,
what a learning rate does along each eigen-direction of the local quadratic model, and the
second-order Taylor model written out with its actual numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .numbers import MINUS, fmt, fmt_vector

REGIMES = ("monotone", "one step", "oscillating", "divergent", "flat", "escaping")
"""Per-direction behaviour of gradient descent on a quadratic, as the lectures name them."""


@dataclass(frozen=True)
class Remedy:
    """One way out of a saddle, as a button label and the one sentence that explains it."""

    key: str
    title: str
    why: str


STEP_ALONG_NEGATIVE_CURVATURE = Remedy(
    key="negative-curvature",
    title="Step along the negative-curvature direction",
    why=(
        "Along an eigenvector u whose eigenvalue \u03bb is negative the quadratic term "
        "\u00bd\u03bb\u2016v\u2016\u00b2 is negative, so a step along u lowers the loss even "
        "though the gradient is zero."
    ),
)
ADD_GRADIENT_NOISE = Remedy(
    key="gradient-noise",
    title="Add gradient noise",
    why=(
        "Random kicks, like the noise of a small mini-batch, push the point off the saddle; "
        "any kick with a component along the escape direction then grows, because the loss "
        "keeps falling that way."
    ),
)
REMEDIES = (STEP_ALONG_NEGATIVE_CURVATURE, ADD_GRADIENT_NOISE)


class QuadraticModel(Protocol):
    """What the Taylor helpers need: the core's TaylorModel satisfies it."""

    center: np.ndarray
    value: float
    gradient: np.ndarray
    hessian: np.ndarray


# -- step-size regimes ----------------------------------------------------------------------------
def regime(eta: float, eigenvalue: float, tolerance: float = 0.0) -> str:
    """What gradient descent with step ``eta`` does along one eigen-direction.

    On the quadratic ½λw² one step maps w to (1 − ηλ)w: monotone for ηλ < 1, one step for
    ηλ = 1, oscillating convergence for 1 < ηλ < 2, divergence for ηλ ≥ 2. Curvature within
    ``tolerance`` of zero is flat; negative curvature means the point moves away (escaping).
    """
    if abs(eigenvalue) <= tolerance:
        return "flat"
    if eigenvalue < 0:
        return "escaping"
    x = eta * eigenvalue
    if abs(x - 1.0) <= 1e-9:
        return "one step"
    if x < 1.0:
        return "monotone"
    if x < 2.0 - 1e-9:
        return "oscillating"
    return "divergent"


@dataclass(frozen=True)
class StepSizeCurves:
    """The data of the step-size plot: contraction per step against the learning rate.

    ``factors[k, i] = |1 − etas[k]·eigenvalues[i]|``: the factor by which the distance to the
    model's stationary point along eigen-direction i changes per step (< 1 converges).
    ``bands`` are ``(eta_low, eta_high, regime)`` of the shared learning rate, set by λ_max.
    """

    etas: np.ndarray
    eigenvalues: np.ndarray
    factors: np.ndarray
    eta_opt: float | None
    eta_max_stable: float | None
    lr: float | None
    bands: tuple[tuple[float, float, str], ...]


def step_size_curves(
    eigenvalues: Sequence[float], lr: float | None = None, samples: int = 240
) -> StepSizeCurves:
    """Contraction factors over a range of η wide enough to show every regime and ``lr``."""
    lam = np.asarray(eigenvalues, dtype=float)
    lam_max = float(lam.max()) if lam.size else 0.0
    scale = float(np.abs(lam).max()) if lam.size else 0.0
    has_positive = lam_max > 1e-12 * max(1.0, scale)
    if has_positive:
        eta_opt, eta_max = 1.0 / lam_max, 2.0 / lam_max
        top = 2.6 * eta_opt
    else:
        eta_opt = eta_max = None
        top = 2.0 / scale if scale > 0 else 1.0
    if lr is not None and np.isfinite(lr) and lr > 0:
        top = max(top, 1.15 * float(lr))
    etas = np.linspace(0.0, top, samples)
    factors = np.abs(1.0 - etas[:, None] * lam[None, :])
    if has_positive:
        bands = (
            (0.0, eta_opt, "monotone"),
            (eta_opt, eta_max, "oscillating"),
            (eta_max, top, "divergent"),
        )
    else:
        bands = ((0.0, top, "escaping"),)
    return StepSizeCurves(etas, lam, factors, eta_opt, eta_max, lr, bands)


def step_size_sentence(
    eigenvalues: Sequence[float], lr: float | None, tolerance: float = 0.0
) -> str:
    """One or two sentences comparing the run's η with η_opt = 1/λ_max and 2/λ_max; directions
    of negative curvature are named as escaping (the regime the eigen-rows show), never as
    converging."""
    lam = np.asarray(eigenvalues, dtype=float)
    positive, negative = lam[lam > tolerance], lam[lam < -tolerance]
    if positive.size == 0:
        return (
            "No direction curves upward here, so the quadratic model sets no step-size limit: "
            "gradient descent moves away from this point."
        )
    lam_max = float(positive.max())
    eta_opt, eta_max = 1.0 / lam_max, 2.0 / lam_max
    limits = f"\u03b7_opt = 1/\u03bb_max = {fmt(eta_opt)}, 2/\u03bb_max = {fmt(eta_max)}"
    if lr is None or not np.isfinite(lr):
        return f"{limits}."
    where = regime(lr, lam_max, tolerance)
    head = f"\u03b7 = {fmt(lr)} ({limits}): "
    if where == "divergent":
        return head + f"too large, the steepest direction (\u03bb = {fmt(lam_max)}) diverges."
    if where == "oscillating":
        body = f"the steepest direction (\u03bb = {fmt(lam_max)}) oscillates but converges"
    elif where == "one step":
        body = f"the steepest direction (\u03bb = {fmt(lam_max)}) is solved in one step"
    elif negative.size:  # not "every curved direction": the escaping ones do not converge
        body = (f"the upward-curved direction{'s shrink' if positive.size > 1 else ' shrinks'} "
                "monotonically")  # fmt: skip
    else:
        body = "every curved direction converges monotonically"
    lam_min = float(positive.min())
    slow = abs(1.0 - lr * lam_min)
    if lam_max / lam_min > 4.0 and slow > 0.5:
        body += (
            f"; the shallowest (\u03bb = {fmt(lam_min)}) shrinks only by a factor "
            f"{fmt(slow, 3)} per step, slow because the condition number is "
            f"{fmt(lam_max / lam_min, 3)}"
        )
    if negative.size:
        body += (
            f"; along \u03bb = {fmt(float(negative.min()))} the point escapes: gradient descent "
            "moves away from here in that direction"
        )
    return head + body + "."


# -- saddle escapes and starts near critical points --------------------------------------------
def _clip_to_domain(point: np.ndarray, domain: Sequence[tuple[float, float]]) -> np.ndarray:
    lows = np.array([lo for lo, _ in domain])
    highs = np.array([hi for _, hi in domain])
    return np.clip(point, lows, highs)


def downhill_along(surface, point: Sequence[float], direction: Sequence[float], length: float):
    """``point ± length·direction`` (unit direction), with the sign that lowers the true loss."""
    p = np.asarray(point, dtype=float)
    u = np.asarray(direction, dtype=float)
    u = u / np.linalg.norm(u)
    plus, minus = p + length * u, p - length * u
    loss_plus, loss_minus = surface.loss(plus), surface.loss(minus)
    if np.isnan(loss_plus) or (not np.isnan(loss_minus) and loss_minus < loss_plus - 1e-15):
        return minus
    return plus


def escape_point(surface, analysis, length: float) -> np.ndarray | None:
    """Where the "step along the negative-curvature direction" remedy moves a point.

    Steps ``length`` along the eigenvector of the most negative eigenvalue, choosing the sign
    that lowers the true loss. None when the point has no negative curvature.
    """
    directions = np.asarray(analysis.escape_directions, dtype=float)
    if directions.size == 0:
        return None
    return downhill_along(
        surface, analysis.point, directions.reshape(-1, analysis.point.size)[0], length
    )


def escape_sentence(analysis) -> str:
    """Where the loss still falls from a (near-)saddle: the most negative eigen-direction."""
    lam = np.asarray(analysis.eigenvalues, dtype=float)
    if lam.size == 0 or lam[0] >= -float(analysis.eigen_tolerance):
        return "No direction of negative curvature here: the loss rises or stays flat around it."
    u = np.asarray(analysis.eigenvectors, dtype=float)[0]
    return f"The loss still falls along {fmt_vector(u, 2)}, where \u03bb = {fmt(lam[0], 3)}."


def default_offset(surface) -> float:
    """A start offset small against the domain (2 % of its narrowest side)."""
    return 0.02 * min(hi - lo for lo, hi in surface.domain)


def start_near(surface, analysis, offset: float | None = None) -> np.ndarray:
    """A start just off a critical point, for "start a run here".

    Saddles (and maxima) start along the most negative-curvature direction, downhill, so the
    run shows the escape; minima and degenerate points start along the flattest direction, so
    the run shows the slowest approach.
    """
    offset = default_offset(surface) if offset is None else float(offset)
    lam = np.asarray(analysis.eigenvalues, dtype=float)
    vectors = np.asarray(analysis.eigenvectors, dtype=float)
    if lam.size and lam[0] < -float(analysis.eigen_tolerance):
        direction = vectors[0]
    else:
        direction = (
            vectors[int(np.argmin(np.abs(lam)))] if lam.size else np.eye(analysis.point.size)[0]
        )
    point = downhill_along(surface, analysis.point, direction, offset)
    return _clip_to_domain(point, surface.domain)


# -- the Taylor model written out ---------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """``coefficient · Π (variable − shift)^power`` of the expanded quadratic model."""

    coefficient: float
    factors: tuple[tuple[str, float, int], ...]


def taylor_terms(model: QuadraticModel, variables: Sequence[str], tol: float = 1e-12) -> list[Term]:
    """The model's terms with the ½ folded in: L0, g_i·v_i, ½H_ii·v_i², H_ij·v_i·v_j (i < j).

    Terms whose coefficient is zero (relative to the largest one) are left out, so the lecture
    example at the origin reads L ≈ 1 − 2·w1·w2.
    """
    c = np.asarray(model.center, dtype=float)
    g = np.asarray(model.gradient, dtype=float)
    h = np.asarray(model.hessian, dtype=float)
    d = c.size
    raw: list[Term] = [Term(float(model.value), ())]
    for i in range(d):
        raw.append(Term(float(g[i]), ((variables[i], float(c[i]), 1),)))
    for i in range(d):
        raw.append(Term(0.5 * float(h[i, i]), ((variables[i], float(c[i]), 2),)))
        for j in range(i + 1, d):
            raw.append(
                Term(
                    float(h[i, j]), ((variables[i], float(c[i]), 1), (variables[j], float(c[j]), 1))
                )
            )
    scale = max((abs(t.coefficient) for t in raw), default=0.0)
    kept = [t for t in raw if abs(t.coefficient) > tol * max(scale, 1.0)]
    return kept or [Term(0.0, ())]


def _html_name(name: str) -> str:
    """``w1`` as italic w with subscript 1."""
    stem = name.rstrip("0123456789")
    digits = name[len(stem) :]
    if stem and digits:
        return f"<i>{stem}</i><sub>{digits}</sub>"
    return f"<i>{name}</i>"


def _factor(name: str, shift: float, power: int, html: bool) -> str:
    var = _html_name(name) if html else name
    if shift == 0:
        base = var
    else:
        sign = MINUS if shift > 0 else "+"
        base = f"({var} {sign} {fmt(abs(shift))})"
    if power == 2:
        return base + ("\u00b2")
    return base


def format_taylor(terms: Sequence[Term], html: bool = False, lhs: str = "L") -> str:
    """``L ≈ 1 − 2·w1·w2`` as text, or as rich text with italic variables when ``html``."""
    parts: list[str] = []
    for k, term in enumerate(terms):
        coef = term.coefficient
        negative = coef < 0
        magnitude = abs(coef)
        body = "\u00b7".join(_factor(n, s, p, html) for n, s, p in term.factors)
        if not term.factors:
            text = fmt(magnitude)
        elif abs(magnitude - 1.0) < 1e-12:
            text = body
        else:
            text = f"{fmt(magnitude)}\u00b7{body}"
        if k == 0:
            parts.append((MINUS if negative else "") + text)
        else:
            parts.append((f" {MINUS} " if negative else " + ") + text)
    left = f"<i>{lhs}</i>" if html else lhs
    return f"{left} \u2248 " + "".join(parts)
