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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .optim.config import RunConfig, RunStatus

DIVERGED = -1
NOT_CONVERGED = -2
MATCH_RADIUS = 1e-3
"""A converged point matches a critical point within this fraction of the domain diagonal."""
CHUNK = 100
"""Steps between progress calls."""

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
    configs: tuple[RunConfig, ...]
    """Row-major (j, i): the configuration of each cell's run."""


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
    return base.with_changes(start=tuple(float(v) for v in start))


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
    configs = [cell_config(base, s) for s in starts]
    batch = Batch(surface, configs)
    done = 0
    while done < steps:
        if progress is not None and progress(done, steps) is False:
            raise BasinsCancelled("basins cancelled")
        n = min(CHUNK, steps - done)
        codes = batch.step(n)
        done += n
        if not np.any(codes <= 1):  # every row finished
            break
    if progress is not None and progress(steps, steps) is False:
        raise BasinsCancelled("basins cancelled")
    statuses = batch.statuses
    label, attractors = _label(surface, batch.points, statuses, critical)
    taken = batch.steps
    converged = np.array([s is RunStatus.CONVERGED for s in statuses])
    stc = np.where(converged, taken, -1).reshape(grid, grid)
    return Basins(xs, ys, steps, attractors, label.reshape(grid, grid), stc, tuple(configs))


def status_label(status: RunStatus) -> int | None:
    """-1 / -2 for a run that did not converge, None for a converged one."""
    if status is RunStatus.CONVERGED:
        return None
    if status in (RunStatus.DIVERGED, RunStatus.UNDEFINED, RunStatus.UNDEFINED_START):
        return DIVERGED
    return NOT_CONVERGED


def _label(surface, points: np.ndarray, statuses, critical):
    from .critical import find_critical_points
    from .criticality import verdict_at

    if critical is None:
        critical = find_critical_points(surface)
    lo = np.array([a for a, _ in surface.domain], dtype=float)
    hi = np.array([b for _, b in surface.domain], dtype=float)
    radius = MATCH_RADIUS * float(np.linalg.norm(hi - lo))
    attractors = [Attractor(np.asarray(c.point, float), c.classification, c.loss)
                  for c in critical]  # fmt: skip
    used: set[int] = set()
    label = np.empty(len(points), dtype=np.int64)
    for k, status in enumerate(statuses):
        fixed = status_label(status)
        if fixed is not None:
            label[k] = fixed
            continue
        p = points[k]
        index = _nearest(attractors, p, radius)
        if index is None:
            verdict, analysis = verdict_at(surface, p)
            loss = float(analysis.loss) if analysis is not None else float("nan")
            attractors.append(Attractor(p.copy(), verdict.classification, loss))
            index = len(attractors) - 1
        used.add(index)
        label[k] = index
    # keep only attractors some cell reached, renumbered in list order
    keep = sorted(used)
    renumber = {old: new for new, old in enumerate(keep)}
    label = np.array([renumber[int(v)] if v >= 0 else int(v) for v in label], dtype=np.int64)
    return label, [attractors[i] for i in keep]


def _nearest(attractors: list[Attractor], p: np.ndarray, radius: float) -> int | None:
    if not attractors:
        return None
    d = np.linalg.norm(np.array([a.point for a in attractors]) - p, axis=1)
    i = int(np.argmin(d))
    return i if d[i] <= radius else None
