"""Plain-sentence descriptions of where a run ended, from the exact Hessian there.

Eigenvalues count as zero when ``|lambda| <= EIG_RTOL * max|lambda| + EIG_ATOL``; a point whose
largest |eigenvalue| is at most ``PLATEAU_CURVATURE`` is flat (a plateau) whatever its signs.
"""

from __future__ import annotations

import numpy as np

from .config import RunStatus

EIG_RTOL = 1e-6
EIG_ATOL = 1e-12
PLATEAU_CURVATURE = 1e-4


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _vec(values) -> str:
    return ", ".join(_fmt(float(v)) for v in values)


def curvature_kind(surface, point: np.ndarray) -> tuple[str, np.ndarray]:
    """('minimum' | 'maximum' | 'saddle' | 'degenerate' | 'plateau', eigenvalues ascending)."""
    hessian = surface.hessian(np.asarray(point, dtype=float))
    if not np.all(np.isfinite(hessian)):
        return "degenerate", np.full(surface.ndim, np.nan)
    eig = np.linalg.eigvalsh(hessian)
    scale = float(np.max(np.abs(eig)))
    if scale <= PLATEAU_CURVATURE:
        return "plateau", eig
    tol = EIG_RTOL * scale + EIG_ATOL
    if eig[0] < -tol and eig[-1] > tol:
        return "saddle", eig
    if eig[0] > tol:
        return "minimum", eig
    if eig[-1] < -tol:
        return "maximum", eig
    return "degenerate", eig


_AT = {
    "minimum": "a local minimum",
    "maximum": "a local maximum",
    "saddle": "a saddle point",
    "degenerate": "a degenerate critical point",
    "plateau": "a flat point (curvature ~0, not necessarily a minimum)",
}
_STALL = {
    "minimum": "stalled near a minimum",
    "maximum": "stalled near a maximum",
    "saddle": "stalled at a saddle point",
    "degenerate": "stalled at a degenerate point",
    "plateau": "stalled on a plateau",
}


def describe(status: RunStatus, run_like) -> tuple[str, str | None]:
    """(status_detail, stall_kind) for a run in ``status``; run_like has surface/point/... ."""
    surface, point, steps = run_like.surface, run_like.point, run_like.steps
    where = f"({_vec(point)})"
    if status is RunStatus.READY:
        return f"ready to start at {where}", None
    if status is RunStatus.RUNNING:
        return f"running: step {steps}, loss {_fmt(run_like.loss)}", None
    if status is RunStatus.MAX_STEPS:
        return (
            f"reached the step limit ({steps} steps) at {where} with gradient norm "
            f"{_fmt(run_like.grad_norm)}",
            None,
        )
    if status is RunStatus.DIVERGED:
        if not (np.all(np.isfinite(point)) and np.isfinite(run_like.grad_norm)):
            return f"diverged: values became non-finite by step {steps}", None
        return f"diverged: left the domain far behind, at {where} after {steps} steps", None
    kind, eig = curvature_kind(surface, point)
    curvature = (
        f"gradient norm {_fmt(run_like.grad_norm)}, curvature ~0"
        if kind == "plateau"
        else f"eigenvalues {_vec(eig)}"
    )
    if status is RunStatus.CONVERGED:
        return f"converged to {_AT[kind]} at {where} after {steps} steps ({curvature})", None
    return f"{_STALL[kind]} at {where} ({curvature})", kind
