"""Runs, the critical-points table and the probe's analysis as CSV and JSON files.

One source for the record of a run: :func:`run_record_json` is the ``saddlelab run --json``
schema (the CLI prints it, the window's export writes a list of them). Numbers are exact:
JSON and CSV carry ``repr`` floats (the shortest text that reads back to the same double) and
non-finite values as ``null`` (JSON) or an empty cell (CSV).

Runs are exported with their full trajectories: the window keeps a thinned copy for drawing,
so its exports replay each run first (:func:`runs_from_records`).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .options import ExportError


def jsonable(value: Any) -> Any:
    """Plain JSON types for numpy values; NaN and infinities become ``None``."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def json_text(value: Any) -> str:
    """Standard JSON (``allow_nan=False``: null, never NaN or Infinity), indented."""
    return json.dumps(jsonable(value), indent=2, allow_nan=False) + "\n"


def final_analysis(surface, point) -> tuple[dict | None, str]:
    """The analysis of a run's final point (None where it is undefined) and the verdict's
    kind, by the rule that also decided the run's status (:mod:`saddlelab.core.criticality`)."""
    from saddlelab.core.criticality import verdict_at

    verdict, analysis = verdict_at(surface, point)
    return (None if analysis is None else analysis.to_dict()), verdict.kind


def run_record_json(surface, run, trajectory=None) -> dict:
    """The record of an engine run (:class:`~saddlelab.core.optim.Run`) as ``saddlelab run
    --json`` prints it (before its stop and surface notes); ``trajectory`` defaults to the
    run's own."""
    trajectory = run.trajectory if trajectory is None else trajectory
    config = run.config
    final, verdict = final_analysis(surface, run.point)
    return {
        "surface": surface.id,
        "optimizer": config.optimizer,
        "params": config.params,
        "schedule": config.schedule.spec(),
        "start": list(config.start),
        "step": trajectory.step,
        "trajectory": trajectory.points,
        "loss": trajectory.loss,
        "gradient_norm": trajectory.grad_norm,
        "lr": trajectory.lr,
        "decimated": trajectory.decimated,
        "status": run.status.value,
        "status_detail": run.status_detail,
        "steps": run.steps,
        "final": final,
        "verdict": verdict,
    }


def runs_from_records(surface, records: Iterable) -> list:
    """Engine runs replayed from :class:`~saddlelab.core.optim.replay.RunRecord` objects, with
    their full trajectories (the window's buffers are thinned for drawing)."""
    from saddlelab.core.optim.replay import replay

    return [replay(surface, record) for record in records]


def _cell(value: float) -> str:
    """A CSV number: ``repr`` (exact; ``nan`` and ``inf`` where not finite, as float() reads)."""
    return repr(float(value))


def trajectory_header(surface) -> list[str]:
    return ["step", *surface.variables, "loss", "gradient_norm", "lr"]


def trajectory_rows(trajectory) -> Iterable[list]:
    """A trajectory's CSV rows: step, the point, loss, gradient norm, rate (repr floats)."""
    for k in range(len(trajectory)):
        yield [int(trajectory.step[k]), *(_cell(v) for v in trajectory.points[k]),
               _cell(trajectory.loss[k]), _cell(trajectory.grad_norm[k]),
               _cell(trajectory.lr[k])]  # fmt: skip


def _open(path: str | Path):
    try:
        return open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115 (closed by caller)
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror}") from None


def _write(path: str | Path, write) -> None:
    """Open ``path``, let ``write(handle)`` fill it; one-line ExportError on failure."""
    handle = _open(path)
    try:
        with handle:
            write(handle)
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror}") from None


def write_trajectory_csv(path: str | Path, surface, trajectory) -> None:
    """One run's trajectory as CSV (``saddlelab run --csv``)."""

    def write(handle) -> None:
        writer = csv.writer(handle)
        writer.writerow(trajectory_header(surface))
        writer.writerows(trajectory_rows(trajectory))

    _write(path, write)


def write_runs_csv(path: str | Path, surface, runs: Sequence) -> None:
    """Several engine runs in one CSV: a ``run`` column (1, 2, ... in the given order), then
    the trajectory columns of :func:`write_trajectory_csv`."""

    def write(handle) -> None:
        writer = csv.writer(handle)
        writer.writerow(["run", *trajectory_header(surface)])
        for number, run in enumerate(runs, start=1):
            writer.writerows([number, *row] for row in trajectory_rows(run.trajectory))

    _write(path, write)


def write_runs_json(path: str | Path, surface, runs: Sequence) -> None:
    """Several engine runs as one JSON document: ``{"surface": id, "variables": [...],
    "runs": [record, ...]}``, each record in the schema of :func:`run_record_json`."""
    document = {
        "surface": surface.id,
        "variables": list(surface.variables),
        "runs": [run_record_json(surface, run) for run in runs],
    }
    _write(path, lambda handle: handle.write(json_text(document)))


CRITICAL_HEADER_FIXED = ("point", "class", "loss")


def write_critical_csv(path: str | Path, surface, points: Sequence) -> None:
    """The critical-points table (:class:`~saddlelab.core.critical.CriticalPoint` objects) as
    CSV: its number, the class, one column per variable, loss, one column per Hessian
    eigenvalue (ascending), the minimum ratio and whether it is isolated."""
    names = list(surface.variables)
    eig = [f"eigenvalue_{k + 1}" for k in range(len(names))]

    def write(handle) -> None:
        writer = csv.writer(handle)
        writer.writerow(["point", "class", *names, "loss", *eig, "minimum_ratio", "isolated"])
        for number, p in enumerate(points, start=1):
            writer.writerow([number, p.classification, *(_cell(v) for v in p.point),
                             _cell(p.loss), *(_cell(v) for v in p.eigenvalues),
                             _cell(p.minimum_ratio),
                             "true" if getattr(p, "isolated", True) else "false"])  # fmt: skip

    _write(path, write)


def write_analysis_json(path: str | Path, analysis, extra: dict | None = None) -> None:
    """The probe's analysis (:meth:`~saddlelab.core.analysis.Analysis.to_dict`, the record of
    ``saddlelab analyze --json``) as a JSON file; ``extra`` keys are added."""
    record = {**analysis.to_dict(), **(extra or {})}
    _write(path, lambda handle: handle.write(json_text(record)))
