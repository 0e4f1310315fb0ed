"""The one verdict on a point: is it critical, and of what kind, in one wording.

Every place that judges a point uses this module: the run status (the step loops call
:func:`gradient_tolerance`, compiled or not), the analysis panel and ``saddlelab analyze``
(:func:`saddlelab.core.analysis.analyze` calls it too), the escape banner, the step-size story,
the critical-points table and ``saddlelab run``. So a run that converged at a saddle is
classified a saddle wherever it is shown, and a run that stopped where the gradient is small
but not small enough is said to have stopped *near* one, with the numbers.

The rule (background.md section 1; the tolerance of :mod:`.analysis`): a point is critical
when ``‖g‖ <= rtol * max(1, |L| / r, max|λ| * r)`` with ``r = max(1, ‖θ‖)``, the residual a
root found to about ``rtol`` relative precision leaves, in the gradient's units (``rtol`` =
1e-8). Its kind is
the classification of :func:`saddlelab.core.analysis.classify`; a point that is not critical
is described by the shape of its quadratic model (near a saddle, near a minimum, ...) or as a
plateau where every curvature is below :data:`PLATEAU_CURVATURE`.

Plain Python (no numpy at import): the step loops compile :func:`gradient_tolerance` in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .numbers import fmt

DEFAULT_GRAD_RTOL = 1e-8
"""Relative gradient tolerance of the criticality rule."""
ROUND_OFF_MARGIN = 1e-6
"""The step loops call a point critical only below ``(1 - ROUND_OFF_MARGIN)`` times the
tolerance: their gradient comes from compiled code, the analysis's from numpy, and the two may
differ in the last bits, so a run said to have converged is always critical to the analysis."""
NEAR_FACTOR = 1e5
"""A probed point is said to be *near* a critical point of its curvature's kind only while
its gradient is at most this many times the tolerance (|g| <~ 1e-3 at unit scale)."""
PLATEAU_CURVATURE = 1e-4
"""A non-critical point whose largest |eigenvalue| is at most this is on a plateau."""


def gradient_tolerance(loss, curvature, point_norm, rtol):
    """``rtol * max(1, |L| / r, max|λ| * r)`` with ``r = max(1, ‖θ‖)``: the gradient norm at
    or below which a point with loss ``loss``, largest |eigenvalue| ``curvature`` and norm
    ``point_norm`` is critical; NaN (nothing is critical) where any of them is not finite.

    Both scales are in the gradient's units (loss per unit of θ): far from the origin a large
    loss does not make a steep slope look flat (x² + y² at x = 5·10¹¹ is not critical)."""
    if not (math.isfinite(loss) and math.isfinite(curvature) and math.isfinite(point_norm)):
        return math.nan
    r = max(1.0, point_norm)
    return rtol * max(1.0, abs(loss) / r, curvature * r)


KINDS = ("minimum", "maximum", "saddle", "degenerate")
"""Kinds of critical point, from the analysis's classification (local_min, ...)."""
_BY_CLASS = {"local_min": "minimum", "local_max": "maximum", "saddle": "saddle",
             "degenerate": "degenerate"}  # fmt: skip
_SHAPE = {"positive definite": "minimum", "negative definite": "maximum", "indefinite": "saddle"}
_AT = {
    "minimum": "a local minimum",
    "maximum": "a local maximum",
    "saddle": "a saddle point",
    "degenerate": "a degenerate critical point",
}
_NEAR = {
    "near minimum": "near a minimum",
    "near maximum": "near a maximum",
    "near saddle": "near a saddle",
    "near flat": "where the curvature is nearly flat",
    "plateau": "on a plateau",
    "undefined": "where the loss is undefined",
}
NAMES = {
    "local_min": "Local minimum",
    "local_max": "Local maximum",
    "saddle": "Saddle point",
    "degenerate": "Degenerate",
    "not_critical": "Not a critical point",
}
"""The classification's title (analysis panel, critical-points table)."""


@dataclass(frozen=True)
class Verdict:
    """What the criticality rule says about one point, and how every panel words it.

    ``kind`` is one of :data:`KINDS` for a critical point, else 'near saddle', 'near minimum',
    'near maximum', 'near flat', 'plateau', or 'undefined' (the loss or its derivatives are
    not finite there).
    """

    kind: str
    classification: str
    gradient_norm: float
    grad_tolerance: float

    @property
    def critical(self) -> bool:
        return self.kind in KINDS

    @property
    def saddle(self) -> bool:
        """At a saddle, or near one (the escape remedies apply either way)."""
        return self.kind in ("saddle", "near saddle")

    def gradient_text(self) -> str:
        """``|g| = 9.7·10⁻⁷ (critical below 2·10⁻⁸)``."""
        return f"|g| = {fmt(self.gradient_norm, 2)} (critical below {fmt(self.grad_tolerance, 2)})"

    def is_near(self) -> bool:
        """A non-critical point whose gradient is within NEAR_FACTOR of the tolerance: worth
        calling "near a saddle"; a point on a steep slope is only "not critical"."""
        return self.gradient_norm <= NEAR_FACTOR * self.grad_tolerance

    def where(self) -> str:
        """'at a saddle point' for a critical point, else 'near a saddle: |g| = ... (...)'."""
        if self.critical:
            return "at " + _AT[self.kind]
        if self.kind == "undefined":
            return _NEAR[self.kind]
        return f"{_NEAR[self.kind]}: {self.gradient_text()}"

    def at(self) -> str:
        """'a saddle point', 'a local minimum', ... (critical points only)."""
        return _AT[self.kind]


def verdict_of(analysis) -> Verdict:
    """The verdict on a :class:`saddlelab.core.analysis.PointAnalysis`."""
    kind = _BY_CLASS.get(analysis.classification)
    if kind is None:
        lam_max = max((abs(float(v)) for v in analysis.eigenvalues), default=0.0)
        if lam_max <= PLATEAU_CURVATURE:
            kind = "plateau"
        else:
            kind = "near " + _SHAPE.get(analysis.curvature, "flat")
    return Verdict(
        kind, analysis.classification, float(analysis.gradient_norm),
        float(analysis.grad_tolerance),
    )  # fmt: skip


def verdict_at(surface, point, **tolerances) -> tuple[Verdict, object]:
    """(verdict, analysis) at ``point``; the analysis is None where the loss is undefined."""
    from .analysis import AnalysisError, analyze

    try:
        analysis = analyze(surface, point, **tolerances)
    except AnalysisError:
        nan = float("nan")
        return Verdict("undefined", "undefined", nan, nan), None
    return verdict_of(analysis), analysis
