"""Plain-sentence descriptions of where a run ended, from the one verdict on its final point.

A converged or stalled run is judged by :func:`saddlelab.core.criticality.verdict_at`: the rule,
tolerance and wording the analysis panel, the escape banner and the CLI use, so a run's status
and the analysis of its final point never disagree. The step loops stop a run as converged by
that same rule (:func:`._rows.critical_tolerance`); a run that stalls where the gradient is
small but above the critical tolerance is said to have stopped *near* a saddle (or minimum...),
with both numbers.
"""

from __future__ import annotations

import numpy as np

from ..criticality import verdict_at
from ..numbers import count, fmt
from ..undefined import run_verdict
from .config import RunStatus


def _fmt(x: float) -> str:
    return fmt(x, 4, plain=True)


def _vec(values) -> str:
    return ", ".join(_fmt(float(v)) for v in values)


def describe(status: RunStatus, run_like) -> tuple[str, str | None]:
    """(status_detail, verdict kind) for a run in ``status``; run_like has surface/point/... .

    The kind (:attr:`saddlelab.core.criticality.Verdict.kind`: 'saddle', 'near saddle',
    'minimum', 'plateau', ...) is given for a converged or stalled run, else None."""
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
    verdict, analysis = verdict_at(surface, point)
    curvature = (
        "curvature ~0"
        if verdict.kind == "plateau" or analysis is None
        else f"eigenvalues {_vec(analysis.eigenvalues)}"
    )
    if status is RunStatus.CONVERGED:
        if verdict.critical:
            text = f"converged to {verdict.at()} at {where} after {n_steps} ({curvature})"
        else:  # a fixed gtol of the run's own, looser than the rule
            gtol = getattr(getattr(run_like, "config", None), "gtol", None)
            own = "" if gtol is None else f": within the run's own gtol {_fmt(gtol)}"
            text = f"stopped {verdict.where()}, at {where} after {n_steps}{own}"
        return text, verdict.kind
    if verdict.critical:
        return f"stalled at {verdict.at()} at {where} ({curvature})", verdict.kind
    return (
        f"stopped {verdict.where()}, at {where}: the loss stopped changing ({curvature})",
        verdict.kind,
    )
