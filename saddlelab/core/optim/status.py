"""Plain-sentence descriptions of where a run ended, from the exact Hessian there.

The curvature is judged by :func:`saddlelab.core.analysis.analyze` with the same eigenvalue
tolerance the analysis panel and the CLI use, so a run's status and the analysis of its final
point never disagree. A point whose largest |eigenvalue| is at most ``PLATEAU_CURVATURE`` is
flat (a plateau) whatever its signs.
"""

from __future__ import annotations

import numpy as np

from ..analysis import AnalysisError, analyze
from ..numbers import count, fmt
from ..undefined import run_verdict
from .config import RunStatus

PLATEAU_CURVATURE = 1e-4

_KIND = {
    "positive definite": "minimum",
    "negative definite": "maximum",
    "indefinite": "saddle",
}


def _fmt(x: float) -> str:
    return fmt(x, 4, plain=True)


def _vec(values) -> str:
    return ", ".join(_fmt(float(v)) for v in values)


def curvature_kind(surface, point: np.ndarray) -> tuple[str, np.ndarray]:
    """('minimum' | 'maximum' | 'saddle' | 'degenerate' | 'plateau', eigenvalues ascending)."""
    try:
        analysis = analyze(surface, point)
    except AnalysisError:
        return "degenerate", np.full(surface.ndim, np.nan)
    eig = analysis.eigenvalues
    if float(np.max(np.abs(eig))) <= PLATEAU_CURVATURE:
        return "plateau", eig
    return _KIND.get(analysis.curvature, "degenerate"), eig


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
    n_steps = count(steps, "step")  # "1 step", "2 steps"
    if status is RunStatus.READY:
        return f"ready to start at {where}", None
    if status is RunStatus.RUNNING:
        return f"running: step {steps}, loss {_fmt(run_like.loss)}", None
    if status is RunStatus.MAX_STEPS:
        return (
            f"reached the step limit ({n_steps}) at {where} with gradient norm "
            f"{_fmt(run_like.grad_norm)}",
            None,
        )
    if status in (RunStatus.UNDEFINED_START, RunStatus.UNDEFINED):
        return run_verdict(surface, point, steps), None
    if status is RunStatus.DIVERGED:
        if not (np.all(np.isfinite(point)) and np.isfinite(run_like.grad_norm)):
            return f"diverged: values became non-finite by step {steps}", None
        return f"diverged: left the domain far behind, at {where} after {n_steps}", None
    kind, eig = curvature_kind(surface, point)
    curvature = (
        f"gradient norm {_fmt(run_like.grad_norm)}, curvature ~0"
        if kind == "plateau"
        else f"eigenvalues {_vec(eig)}"
    )
    if status is RunStatus.CONVERGED:
        return f"converged to {_AT[kind]} at {where} after {n_steps} ({curvature})", None
    return f"{_STALL[kind]} at {where} ({curvature})", kind
