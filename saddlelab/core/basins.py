"""Basins of attraction: where each start on a grid ends, for one optimizer.

Every start of an N x N grid over the domain (for a 3-parameter surface, on the slice
``z = value``) is a row of one :class:`~saddlelab.core.optim.run.Batch`, stepped together by
the compiled batch engine, with exactly the :class:`RunConfig` that ``saddlelab run`` makes
from that start (same defaults, early stop and statuses). A converged row is labelled by the
critical point it ends at (the list of :func:`~saddlelab.core.critical.find_critical_points`;
a converged point that is not in the list gets its own attractor, classified by the one
verdict rule), -1 where it diverged (or reached an undefined point), -2 where it did not
converge within K steps (still running at K, or stalled).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .optim.config import STATUS_BY_CODE, RunConfig, RunStatus

DIVERGED = -1
NOT_CONVERGED = -2
MATCH_RADIUS = 1e-3
"""A converged point matches a critical point within this fraction of the domain diagonal."""
CONVERGED_CODE = STATUS_BY_CODE.index(RunStatus.CONVERGED)
DIVERGED_CODE = STATUS_BY_CODE.index(RunStatus.DIVERGED)
CONTINUUM_REACH = 1 / 12
"""... and a representative of a curve of critical points within this fraction (the thinning
distance of :func:`~saddlelab.core.critical.find_critical_points`)."""
FIRST_CHUNK = 4
"""Steps before the second progress call (small: a Newton step on 160,000 rows takes ~30 ms);
later chunks aim at :data:`CHUNK_SECONDS` each, at most doubling at a time."""
CHUNK_SECONDS = 0.05
"""Work between progress calls (so Cancel answers within about this long)."""

Progress = Callable[[int, int], bool]


class BasinsCancelled(Exception):
    """The progress callback returned False."""


@dataclass(frozen=True)
class Attractor:
    point: np.ndarray
    classification: str
    loss: float

    def to_dict(self) -> dict:
        return {
            "point": [float(v) for v in self.point],
            "classification": self.classification,
            "loss": float(self.loss),
        }


@dataclass(frozen=True, eq=False)
class Basins:
    xs: np.ndarray
    ys: np.ndarray
    steps: int
    attractors: list[Attractor]
    label: np.ndarray
    """(N, N) int: row j is ys[j], column i is xs[i]."""
    steps_to_converge: np.ndarray
    """(N, N) int, -1 where the run did not converge."""
    configs: Sequence[RunConfig]
    """Row-major (j, i): the configuration of each cell's run (built when asked for)."""


def grid_starts(surface, n: int, slice_values: Sequence[float] | None = None):
    """xs, ys and the (n*n, d) starts, row-major over (ys, xs)."""
    (x0, x1), (y0, y1) = surface.domain[0], surface.domain[1]
    xs = np.linspace(x0, x1, n)
    ys = np.linspace(y0, y1, n)
    X, Y = np.meshgrid(xs, ys)
    rest = list(slice_values or [])
    if len(rest) != surface.ndim - 2:
        raise ValueError(f"give the slice value of {surface.ndim - 2} more variable(s)")
    cols = [X.ravel(), Y.ravel()] + [np.full(n * n, float(v)) for v in rest]
    return xs, ys, np.column_stack(cols)


def cell_config(base: RunConfig, start) -> RunConfig:
    """``base`` from ``start``: ``base.with_changes(start=...)`` without validating the
    already validated rest again (:meth:`RunConfig.at_start`)."""
    return base.at_start(start)


def compute_basins(
    surface,
    optimizer: str,
    params: Mapping[str, Any] | None = None,
    *,
    grid: int = 100,
    steps: int = 1000,
    slice_values: Sequence[float] | None = None,
    progress: Progress | None = None,
    critical=None,
    **options: Any,
) -> Basins:
    """The basins of ``optimizer`` on ``surface`` (see the module docs).

    ``options`` go to :meth:`RunConfig.make` (schedule, grad_noise, clip_norm, seed);
    ``critical``: a precomputed :class:`CriticalPointResult` (default: found here).
    Raises :class:`BasinsCancelled` when ``progress(done, total)`` returns False.
    """
    from .optim.run import Batch

    xs, ys, starts = grid_starts(surface, grid, slice_values)
    base = RunConfig.make(optimizer, starts[0], params or {}, max_steps=steps, **options)
    batch = Batch.from_starts(surface, base, starts)
    done, chunk = 0, FIRST_CHUNK
    while done < steps:
        if progress is not None and progress(done, steps) is False:
            raise BasinsCancelled("basins cancelled")
        n = min(chunk, steps - done)
        began = time.perf_counter()
        codes = batch.step(n)
        spent = time.perf_counter() - began
        done += n
        if not np.any(codes <= 1):  # every row finished
            break
        # the next chunk: about CHUNK_SECONDS of work (at most double, at least half this one)
        chunk = max(n // 2, min(2 * n, int(n * CHUNK_SECONDS / spent))) if spent > 0 else 2 * n
        chunk = max(chunk, 1)
    if progress is not None and progress(steps, steps) is False:
        raise BasinsCancelled("basins cancelled")
    codes = batch.status_codes
    converged = codes == CONVERGED_CODE
    label, attractors = label_outcomes(surface, batch.points, codes, critical)
    stc = np.where(converged, batch.steps, -1).reshape(grid, grid)
    return Basins(xs, ys, steps, attractors, label.reshape(grid, grid), stc, batch.configs)


def status_label(status: RunStatus) -> int | None:
    """-1 / -2 for a run that did not converge, None for a converged one."""
    if status is RunStatus.CONVERGED:
        return None
    if status in (RunStatus.DIVERGED, RunStatus.UNDEFINED, RunStatus.UNDEFINED_START):
        return DIVERGED
    return NOT_CONVERGED


def label_outcomes(surface, points: np.ndarray, codes: np.ndarray, critical):
    """Labels from the batch's status codes (diverged covers the single run's undefined and
    undefined_start too: :func:`status_label` says -1 for all three) and final points."""
    from .critical import find_critical_points
    from .criticality import verdict_at

    if critical is None:
        critical = find_critical_points(surface)
    lo = np.array([a for a, _ in surface.domain], dtype=float)
    hi = np.array([b for _, b in surface.domain], dtype=float)
    radius = MATCH_RADIUS * float(np.linalg.norm(hi - lo))
    attractors = [Attractor(np.asarray(c.point, float), c.classification, c.loss)
                  for c in critical]  # fmt: skip
    # a point standing for a curve of critical points (w1*w2 = 1) takes the runs that end on
    # the curve within the finder's thinning distance of it
    reach = np.array([radius if c.isolated else CONTINUUM_REACH * radius / MATCH_RADIUS
                      for c in critical])  # fmt: skip
    label = np.where(codes == DIVERGED_CODE, DIVERGED, NOT_CONVERGED).astype(np.int64)
    rows = np.flatnonzero(codes == CONVERGED_CODE)
    if len(rows) and attractors:
        ends = points[rows]
        d = np.empty((len(rows), len(attractors)))
        for k, a in enumerate(attractors):  # distances to each critical point, column by column
            diff = ends - a.point
            d[:, k] = np.sqrt(np.einsum("rd,rd->r", diff, diff))
        nearest = np.argmin(d, axis=1)
        hit = d[np.arange(len(rows)), nearest] <= reach[nearest]
        label[rows[hit]] = nearest[hit]
        rows = rows[~hit]
    for k in rows:  # converged where the list has no critical point: rare, one by one
        index = _nearest(attractors, points[k], radius)
        if index is None:
            verdict, analysis = verdict_at(surface, points[k])
            loss = float(analysis.loss) if analysis is not None else float("nan")
            attractors.append(Attractor(points[k].copy(), verdict.classification, loss))
            index = len(attractors) - 1
        label[k] = index
    # keep only attractors some cell reached, renumbered in list order
    keep = np.unique(label[label >= 0])
    renumber = np.full(len(attractors), -1, dtype=np.int64)
    renumber[keep] = np.arange(len(keep))
    label = np.where(label >= 0, renumber[np.maximum(label, 0)], label)
    return label, [attractors[int(i)] for i in keep]


def _nearest(attractors: list[Attractor], p: np.ndarray, radius: float) -> int | None:
    if not attractors:
        return None
    d = np.linalg.norm(np.array([a.point for a in attractors]) - p, axis=1)
    i = int(np.argmin(d))
    return i if d[i] <= radius else None
