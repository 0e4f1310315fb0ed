"""Swarms: many starts of one optimizer, stepped together, and where they went.

A swarm is N particles (:data:`MIN_PARTICLES` to :data:`MAX_PARTICLES`) started on a grid, at
uniform random points of the domain, or in a Gaussian cloud around a point; every particle is a
row of one :class:`~saddlelab.core.optim.run.Batch` with exactly the :class:`RunConfig` that
``saddlelab run`` makes from its start, so a row after k steps is, bit for bit, that single run
after k steps. The outcome of each particle is the label of
:func:`~saddlelab.core.basins.label_outcomes` (which critical point it converged at, -1
diverged, -2 not converged), plus whether it is still moving.

The dwell map counts, on a ``bins x bins`` grid over (theta1, theta2), the position of every
particle after every update it made (the start is not counted; a position outside the domain
is not counted). Slow particles add many counts in the same cell, so saddles and plateaus
light up. For 3-parameter losses the map counts every position projected along the third
variable (every particle, whatever its theta3): :data:`DWELL_NOTE` says so under the map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .basins import DIVERGED, NOT_CONVERGED, Attractor, label_outcomes
from .optim.config import STATUS_BY_CODE, RunConfig, RunStatus

MIN_PARTICLES = 100
MAX_PARTICLES = 100_000
DISTRIBUTIONS = ("grid", "uniform", "gaussian")
DWELL_BINS = 128
DEFAULT_SIGMA_SHARE = 0.05
"""Default sigma of a Gaussian cloud: this share of the widest domain side."""
RESAMPLE_ROUNDS = 20
"""Gaussian draws outside the domain are drawn again this often, then clipped onto it."""
DWELL_NOTE = {
    2: "dwell: where particles spent their steps (log scale)",
    3: "points and dwell: every particle, whatever its 3rd coordinate, projected onto this plane",
}
_LIVE = (STATUS_BY_CODE.index(RunStatus.READY), STATUS_BY_CODE.index(RunStatus.RUNNING))


class SwarmError(ValueError):
    """A swarm setting that cannot be used; the message is one line for the user."""


def check_count(count) -> int:
    try:
        n = int(count)
        ok = n == float(count)
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok or not MIN_PARTICLES <= n <= MAX_PARTICLES:
        raise SwarmError(
            f"a swarm has {MIN_PARTICLES:,} to {MAX_PARTICLES:,} particles, got {count!r}"
        )
    return n


def grid_side(count: int, ndim: int) -> int:
    """Points per axis of the grid nearest to ``count`` points (a square or a cube) that keeps
    within the particle limits."""
    n = check_count(count)
    side = max(2, round(n ** (1.0 / ndim)))
    while side**ndim > MAX_PARTICLES:
        side -= 1
    while side**ndim < MIN_PARTICLES:
        side += 1
    return side


def describe_starts(distribution: str, count: int, ndim: int) -> str:
    """What a setting makes, e.g. 'grid 100 x 100 = 10,000 particles'."""
    if distribution == "grid":
        side = grid_side(count, ndim)
        return f"grid {' x '.join([str(side)] * ndim)} = {side**ndim:,} particles"
    return f"{distribution}: {check_count(count):,} particles"


def default_sigma(surface) -> float:
    return DEFAULT_SIGMA_SHARE * max(hi - lo for lo, hi in surface.domain)


def swarm_starts(
    surface,
    distribution: str,
    count: int,
    *,
    centre: Sequence[float] | None = None,
    sigma: float | None = None,
    seed: int = 0,
) -> np.ndarray:
    """(N, d) starts: ``grid`` (the nearest square/cube count, over the whole domain),
    ``uniform`` over the domain, or ``gaussian`` around ``centre`` (default: the surface's
    suggested start) with ``sigma`` (default :func:`default_sigma`), draws outside the domain
    drawn again, then clipped. Same seed, same starts."""
    d = surface.ndim
    lo = np.array([a for a, _ in surface.domain], dtype=float)
    hi = np.array([b for _, b in surface.domain], dtype=float)
    if distribution not in DISTRIBUTIONS:
        raise SwarmError(f"distribution must be one of {', '.join(DISTRIBUTIONS)}")
    n = check_count(count)
    try:
        rng = np.random.default_rng(int(seed))
    except (TypeError, ValueError, OverflowError):
        raise SwarmError(f"the seed must be a whole number >= 0, got {seed!r}") from None
    if distribution == "grid":
        axes = [np.linspace(a, b, grid_side(n, d)) for a, b in zip(lo, hi, strict=True)]
        mesh = np.meshgrid(*axes, indexing="xy")
        return np.column_stack([m.ravel() for m in mesh])
    if distribution == "uniform":
        return lo + rng.random((n, d)) * (hi - lo)
    c = np.asarray(surface.suggested_start() if centre is None else centre, dtype=float).ravel()
    if c.size != d or not np.all(np.isfinite(c)):
        raise SwarmError(f"the centre needs {d} finite coordinates")
    if not np.all((lo <= c) & (c <= hi)):
        raise SwarmError("the centre must lie inside the domain")
    s = default_sigma(surface) if sigma is None else sigma
    if not (isinstance(s, (int, float)) and math.isfinite(s) and s > 0):
        raise SwarmError(f"sigma must be a number > 0, got {sigma!r}")
    points = c + s * rng.standard_normal((n, d))
    for _ in range(RESAMPLE_ROUNDS):
        out = np.flatnonzero(np.any((points < lo) | (points > hi), axis=1))
        if not len(out):
            break
        points[out] = c + s * rng.standard_normal((len(out), d))
    return np.clip(points, lo, hi)


def make_batch(surface, config: RunConfig, starts: np.ndarray):
    """The batch stepping a swarm: every row is ``config`` from its own start."""
    from .optim.run import Batch

    return Batch.from_starts(surface, config, starts)


@dataclass(frozen=True, eq=False)
class Outcomes:
    label: np.ndarray
    """(N,) the index into ``attractors``, DIVERGED (-1) or NOT_CONVERGED (-2)."""
    attractors: list[Attractor]
    moving: np.ndarray
    """(N,) bool: not finished yet (a NOT_CONVERGED particle that is not moving stalled or
    reached its step limit)."""

    def counts(self) -> dict[int, int]:
        """Particles per label (attractor index, DIVERGED, NOT_CONVERGED)."""
        keys, n = np.unique(self.label, return_counts=True)
        return {int(k): int(c) for k, c in zip(keys, n, strict=True)}


class Swarm:
    """N particles of one optimizer on one surface, stepped together (see the module docs)."""

    def __init__(self, surface, config: RunConfig, starts: np.ndarray, bins: int = DWELL_BINS):
        starts = np.asarray(starts, dtype=float)
        if starts.ndim != 2 or starts.shape[1] != surface.ndim:
            raise SwarmError(f"the starts need {surface.ndim} coordinates each")
        check_count(len(starts))
        self.surface = surface
        self.config = config
        self.starts = starts.copy()
        self.batch = make_batch(surface, config, self.starts)
        self.bins = int(bins)
        (x0, x1), (y0, y1) = surface.domain[0], surface.domain[1]
        self.xedges = np.linspace(x0, x1, self.bins + 1)
        self.yedges = np.linspace(y0, y1, self.bins + 1)
        self.dwell = np.zeros((self.bins, self.bins), dtype=np.int64)
        """Counts (x bin, y bin), as ``np.histogram2d(x, y, (xedges, yedges))``."""
        self.step_count = 0
        self._critical = None

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def points(self) -> np.ndarray:
        return self.batch.points

    @property
    def moving(self) -> np.ndarray:
        return np.isin(self.batch.status_codes, _LIVE)

    @property
    def done(self) -> bool:
        return not self.moving.any()

    def step(self, n: int = 1) -> int:
        """Up to ``n`` updates of every unfinished particle, one update at a time so that the
        dwell map sees every position; returns the updates made (0 once all have finished)."""
        made = 0
        steps = self.batch.steps
        for _ in range(int(n)):
            if self.done:
                break
            self.batch.step(1)
            after = self.batch.steps
            moved = after > steps
            steps = after
            self._count(self.batch.points[moved, :2])
            self.step_count += 1
            made += 1
        return made

    def _count(self, xy: np.ndarray) -> None:
        """Add ``xy`` to the dwell map exactly as ``np.histogram2d`` bins them."""
        index = []
        keep = np.ones(len(xy), dtype=bool)
        for k, edges in enumerate((self.xedges, self.yedges)):
            v = xy[:, k]
            i = np.searchsorted(edges, v, side="right") - 1
            i[v == edges[-1]] = self.bins - 1  # the last bin is closed, as numpy's
            keep &= (i >= 0) & (i < self.bins) & np.isfinite(v)
            index.append(i)
        flat = index[0][keep] * self.bins + index[1][keep]
        self.dwell += np.bincount(flat, minlength=self.bins**2).reshape(self.bins, self.bins)

    def reset(self) -> None:
        """Every particle back at its start (same starts), the dwell map cleared."""
        self.batch.reset()
        self.dwell[:] = 0
        self.step_count = 0

    def outcomes(self, critical=None) -> Outcomes:
        """Where each particle is going: ``critical`` (a CriticalPointResult) is found once
        per swarm when not given."""
        if critical is None:
            if self._critical is None:
                from .critical import find_critical_points

                self._critical = find_critical_points(self.surface)
            critical = self._critical
        codes = self.batch.status_codes
        label, attractors = label_outcomes(self.surface, self.batch.points, codes, critical)
        return Outcomes(label, attractors, np.isin(codes, _LIVE))


__all__ = [
    "DIVERGED",
    "NOT_CONVERGED",
    "Outcomes",
    "Swarm",
    "SwarmError",
    "describe_starts",
    "grid_side",
    "make_batch",
    "swarm_starts",
]
