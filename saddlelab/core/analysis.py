"""Second-order analysis of a loss surface at one point.

:func:`analyze` evaluates the exact loss, gradient and Hessian of a :class:`Surface` at a point
and tells the story of background.md sections 1-5: eigenvalues and eigenvectors, curvature
type, classification, minimum ratio, escape directions, condition number, step-size limits and
the second-order Taylor model.

Tolerances (both visible in the CLI and the GUI):

* **Eigenvalues.** ``|λ| <= eigen_tolerance`` counts as zero, where
  ``eigen_tolerance = max(rel_tol * max|λ|, abs_tol * max(1, |L| / r²))`` with
  ``r = max(1, ‖θ‖)``. The relative part keeps round-off from flipping a sign; the floor
  (``abs_tol`` times the loss scale, in the Hessian's units) makes a Hessian
  that vanishes altogether (monkey saddle, far out on a plateau) count as zero rather than as
  noise of either sign.
* **Gradient.** The point is critical when ``‖g‖ <= grad_tolerance``, by default
  ``grad_rtol * max(1, |L| / r, max|λ| * r)``: the residual a root found to about
  ``grad_rtol`` relative precision leaves, in the units of the loss. A plateau with a
  small but real gradient therefore stays ``not_critical``. Pass ``grad_tol`` to use a fixed
  absolute bound instead. This is the rule of :mod:`.criticality`, which the run status, the
  escape banner and the CLI share.

Only numpy is used here (no scipy, no sympy calls) so ``saddlelab analyze`` starts fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .criticality import DEFAULT_GRAD_RTOL, gradient_tolerance, verdict_of
from .numbers import fmt
from .taylor import TaylorModel, ZeroTolerances

if TYPE_CHECKING:
    from .surface import Surface

__all__ = [
    "DEFAULT_ABS_TOL",
    "DEFAULT_GRAD_RTOL",
    "DEFAULT_REL_TOL",
    "AnalysisError",
    "PointAnalysis",
    "TaylorModel",
    "analyze",
    "classify",
    "fix_signs",
]

DEFAULT_REL_TOL = 1e-6
"""Eigenvalues within this fraction of max|λ| of zero count as zero."""
DEFAULT_ABS_TOL = 1e-8
"""Absolute floor of the eigenvalue tolerance, per unit of loss scale max(1, |L|)."""


class AnalysisError(ValueError):
    """The point cannot be analysed (wrong size, not finite, or the loss is undefined there)."""


def fix_signs(vectors: np.ndarray) -> np.ndarray:
    """Flip each row so its largest-magnitude component is positive (ties: the first one).

    Components within 1e-9 of the largest magnitude count as tied, so ±(1, 1)/√2 always
    comes out as +(1, 1)/√2 whatever the round-off.
    """
    out = np.array(vectors, dtype=float, copy=True)
    for row in out:
        mags = np.abs(row)
        if mags.size == 0 or mags.max() == 0:
            continue
        first = int(np.argmax(mags >= mags.max() - 1e-9))
        if row[first] < 0:
            row *= -1.0
    return out


def _curvature(eigenvalues: np.ndarray, tol: float) -> str:
    pos = int(np.count_nonzero(eigenvalues > tol))
    neg = int(np.count_nonzero(eigenvalues < -tol))
    d = eigenvalues.size
    if pos == d:
        return "positive definite"
    if neg == d:
        return "negative definite"
    if pos and neg:
        return "indefinite"
    if pos:
        return "positive semi-definite"
    if neg:
        return "negative semi-definite"
    return "zero"


def classify(curvature: str, is_critical: bool) -> str:
    """The classification of background.md section 1 from the curvature type."""
    if not is_critical:
        return "not_critical"
    return {
        "positive definite": "local_min",
        "negative definite": "local_max",
        "indefinite": "saddle",
    }.get(curvature, "degenerate")


_CURVATURE_WORDS = {
    "positive definite": "that of a minimum (positive definite)",
    "negative definite": "that of a maximum (negative definite)",
    "indefinite": "that of a saddle (indefinite)",
}


def _fmt(x: float) -> str:
    return fmt(x, 4, plain=True)


def _vector_text(v: np.ndarray) -> str:
    return "(" + ", ".join(f"{c:.2f}".replace("-0.00", "0.00") for c in v) + ")"


CENTER_REL = 1e-6
"""A coordinate within this fraction of the domain's widest side of 0 is shown as 0."""


def _display_zero(surface: Surface, grad_tol: float, eig_tol: float) -> ZeroTolerances:
    """What the written-out Taylor model counts as zero: the analysis' own tolerances."""
    span = max((float(hi) - float(lo) for lo, hi in surface.domain), default=1.0)
    return ZeroTolerances(
        value=float(grad_tol),
        gradient=float(grad_tol),
        hessian=float(eig_tol),
        center=CENTER_REL * span,
    )


def _clean(value: float) -> float | None:
    value = float(value) + 0.0  # also turns -0.0 into 0.0
    return value if np.isfinite(value) else None


@dataclass(frozen=True, eq=False)
class PointAnalysis:
    """Everything the second-order test says about one point; see :func:`analyze`."""

    surface_id: str
    variables: tuple[str, ...]
    point: np.ndarray
    loss: float
    gradient: np.ndarray
    gradient_norm: float
    hessian: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    eigen_tolerance: float
    grad_tolerance: float
    curvature: str
    is_critical: bool
    classification: str
    minimum_ratio: float
    escape_directions: np.ndarray
    condition_number: float | None
    eta_opt: float | None
    eta_max_stable: float | None
    taylor: TaylorModel = field(repr=False)

    def to_dict(self) -> dict:
        """The ``analyze --json`` record: plain Python types, no NaN (None instead)."""

        def floats(a: np.ndarray) -> list:
            return [_clean(x) for x in a] if a.ndim == 1 else [floats(r) for r in a]

        return {
            "surface": self.surface_id,
            "variables": list(self.variables),
            "point": floats(self.point),
            "loss": _clean(self.loss),
            "gradient": floats(self.gradient),
            "gradient_norm": _clean(self.gradient_norm),
            "hessian": floats(self.hessian),
            "eigenvalues": floats(self.eigenvalues),
            "eigenvectors": floats(self.eigenvectors),
            "curvature": self.curvature,
            "is_critical": bool(self.is_critical),
            "classification": self.classification,
            "minimum_ratio": float(self.minimum_ratio),
            "escape_directions": floats(self.escape_directions),
            "condition_number": None
            if self.condition_number is None
            else _clean(self.condition_number),
            "eta_opt": None if self.eta_opt is None else _clean(self.eta_opt),
            "eta_max_stable": None if self.eta_max_stable is None else _clean(self.eta_max_stable),
        }

    def sentence(self) -> str:
        """One plain sentence a teacher would say about this point."""
        c = self.classification
        if c == "not_critical":
            shape = _CURVATURE_WORDS.get(self.curvature, "flat in some direction")
            verdict = verdict_of(self)
            if verdict.kind == "plateau" or verdict.is_near():
                return f"Not a critical point, {verdict.where()}; the curvature here is {shape}."
            return (
                f"Not a critical point: {verdict.gradient_text()}; the curvature here is {shape}."
            )
        if c == "local_min":
            return "Local minimum: the loss rises in every direction."
        if c == "local_max":
            return "Local maximum: the loss falls in every direction."
        if c == "saddle":
            lam = float(self.eigenvalues[0])
            direction = _vector_text(self.eigenvectors[0])
            return f"Saddle point: the loss falls along {direction}, where λ = {_fmt(lam)}."
        flat = int(np.count_nonzero(np.abs(self.eigenvalues) <= self.eigen_tolerance))
        which = (
            "every direction"
            if flat == self.eigenvalues.size
            else (
                "direction " + _vector_text(self.eigenvectors[np.argmin(np.abs(self.eigenvalues))])
            )
        )
        return (
            "Degenerate critical point: the curvature is zero along "
            f"{which}, so the second-order test cannot decide "
            "(higher-order terms or neighbouring points do)."
        )

    def regimes(self, lr: float) -> list[str]:
        """What plain gradient descent with step ``lr`` does along each eigen-direction.

        Per background.md section 5, with ``r = lr * λ``: ``r < 1`` 'monotone', ``r = 1``
        'one step', ``1 < r < 2`` 'oscillating', ``r >= 2`` 'divergent' (at exactly 2 the
        bouncing never shrinks); ``|λ| <= tolerance`` 'flat'; ``λ < 0`` 'escaping' (gradient
        descent moves away along negative curvature). Ordered like ``eigenvalues``.
        """
        lr = float(lr)
        if not np.isfinite(lr) or lr <= 0:
            raise ValueError("the learning rate must be a positive number")
        out = []
        for lam in self.eigenvalues:
            if abs(lam) <= self.eigen_tolerance:
                out.append("flat")
            elif lam < 0:
                out.append("escaping")
            else:
                r = lr * lam
                if abs(r - 1.0) <= 1e-9:
                    out.append("one step")
                elif r < 1.0:
                    out.append("monotone")
                elif r < 2.0 - 1e-9:
                    out.append("oscillating")
                else:
                    out.append("divergent")
        return out


@np.errstate(all="ignore")  # overflow at a hostile point is a result (NaN, inf), not a warning
def analyze(
    surface: Surface,
    point,
    *,
    rel_tol: float = DEFAULT_REL_TOL,
    abs_tol: float = DEFAULT_ABS_TOL,
    grad_tol: float | None = None,
    grad_rtol: float = DEFAULT_GRAD_RTOL,
) -> PointAnalysis:
    """Analyse ``surface`` at ``point`` (a sequence of ``surface.ndim`` finite numbers).

    Eigenvalues count as zero when ``|λ| <= max(rel_tol * max|λ|, abs_tol * max(1, |L| / r²))``
    with ``r = max(1, ‖θ‖)``.
    The point is critical when ``‖g‖ <= grad_tol`` if given, else when
    ``‖g‖ <= grad_rtol * max(1, |L| / r, max|λ| * r)`` (see the module docstring).
    Raises :class:`AnalysisError` if the point is malformed or the loss, gradient or Hessian
    is not finite there.
    """
    d = surface.ndim
    try:
        p = np.asarray(point, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise AnalysisError("the point must be numbers") from None
    if p.size != d:
        raise AnalysisError(f"the point needs {d} coordinates, got {p.size}")
    if not np.all(np.isfinite(p)):
        raise AnalysisError("the point's coordinates must be finite")
    loss = float(surface.loss(p))
    g = surface.gradient(p)
    H = surface.hessian(p)
    if not (np.isfinite(loss) and np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
        raise AnalysisError("the loss or its derivatives are not defined (not finite) there")

    eigenvalues, vectors = np.linalg.eigh(H)
    eigenvectors = fix_signs(vectors.T)
    lam_abs_max = float(np.max(np.abs(eigenvalues)))
    reach = max(1.0, float(np.linalg.norm(p)))
    eig_tol = max(rel_tol * lam_abs_max, abs_tol * max(1.0, abs(loss) / reach**2))
    gnorm = float(np.linalg.norm(g))
    if grad_tol is None:
        grad_tol = gradient_tolerance(loss, lam_abs_max, float(np.linalg.norm(p)), grad_rtol)
    is_critical = gnorm <= grad_tol

    curvature = _curvature(eigenvalues, eig_tol)
    abs_l = np.abs(eigenvalues)
    condition = None if abs_l.min() <= eig_tol else float(abs_l.max() / abs_l.min())
    lam_max = float(eigenvalues[-1])
    eta_opt = 1.0 / lam_max if lam_max > eig_tol else None
    return PointAnalysis(
        surface_id=surface.id,
        variables=tuple(surface.variables),
        point=p,
        loss=loss,
        gradient=g,
        gradient_norm=gnorm,
        hessian=H,
        eigenvalues=eigenvalues,
        eigenvectors=eigenvectors,
        eigen_tolerance=float(eig_tol),
        grad_tolerance=float(grad_tol),
        curvature=curvature,
        is_critical=bool(is_critical),
        classification=classify(curvature, bool(is_critical)),
        minimum_ratio=float(np.count_nonzero(eigenvalues > eig_tol)) / d,
        escape_directions=eigenvectors[eigenvalues < -eig_tol].reshape(-1, d),
        condition_number=condition,
        eta_opt=eta_opt,
        eta_max_stable=None if eta_opt is None else 2.0 * eta_opt,
        taylor=TaylorModel(
            p, loss, g, H, tuple(surface.variables), _display_zero(surface, grad_tol, eig_tol)
        ),
    )
