"""A growable, bounded buffer of trajectory rows, filled on the GUI thread from worker chunks.

Appending is amortised O(rows) (capacity doubling), never a rebuild per step. The buffer keeps
at most ``max_rows`` rows for display: when full, the older part is thinned by two (row 0, the
start, and the newest ``keep_recent`` rows always stay), so a run of millions of steps keeps a
faithful outline with bounded memory and drawing cost.
"""

from __future__ import annotations

import numpy as np

FIELDS = ("step", "loss", "grad_norm", "lr")
RECENT_EXACT = 500
"""Newest rows a thinned drawing keeps exactly (where the run is now is never thinned)."""


def drawing_rows(n: int, limit: int, recent: int = RECENT_EXACT) -> np.ndarray | slice:
    """Which of ``n`` rows to draw when at most ``limit`` may be: all of them, or row 0 and
    evenly spaced older rows, then the newest ``recent`` exactly. The one thinning rule of the
    views (2-D and 3-D trajectories) and of the worker's batches."""
    if n <= limit:
        return slice(0, n)
    recent = min(recent, limit - 1)
    older = np.linspace(0, n - recent - 1, limit - recent).astype(int)
    return np.concatenate([older, np.arange(n - recent, n)])


def thin_for_drawing(rows: np.ndarray, limit: int, recent: int = RECENT_EXACT) -> np.ndarray:
    """At most ``limit`` of ``rows`` (see :func:`drawing_rows`)."""
    return rows[drawing_rows(len(rows), limit, recent)]


class TrajectoryBuffer:
    """Rows of (step, point, loss, grad_norm, lr); row 0 is the start."""

    def __init__(self, ndim: int, max_rows: int = 6_000, keep_recent: int = 2_000) -> None:
        if keep_recent >= max_rows:
            raise ValueError("keep_recent must be smaller than max_rows")
        self.ndim = ndim
        self.max_rows = max_rows
        self.keep_recent = keep_recent
        self._n = 0
        self.epoch = 0
        """Bumped whenever existing rows change (clear, thinning): caches keyed on it rebuild."""
        self._alloc(256)

    def _alloc(self, capacity: int) -> None:
        old = getattr(self, "_points", None)
        n = self._n
        points = np.empty((capacity, self.ndim))
        columns = {
            "step": np.empty(capacity, dtype=np.int64),
            "loss": np.empty(capacity),
            "grad_norm": np.empty(capacity),
            "lr": np.empty(capacity),
        }
        if old is not None and n:
            points[:n] = old[:n]
            for name in FIELDS:
                columns[name][:n] = self._cols[name][:n]
        self._points = points
        self._cols = columns

    def __len__(self) -> int:
        return self._n

    # -- views of the filled rows (no copies) --------------------------------------------------
    @property
    def points(self) -> np.ndarray:
        return self._points[: self._n]

    @property
    def step(self) -> np.ndarray:
        return self._cols["step"][: self._n]

    @property
    def loss(self) -> np.ndarray:
        return self._cols["loss"][: self._n]

    @property
    def grad_norm(self) -> np.ndarray:
        return self._cols["grad_norm"][: self._n]

    @property
    def lr(self) -> np.ndarray:
        return self._cols["lr"][: self._n]

    @property
    def last_point(self) -> np.ndarray | None:
        return self._points[self._n - 1].copy() if self._n else None

    # -- changes --------------------------------------------------------------------------------
    def clear(self) -> None:
        self._n = 0
        self.epoch += 1

    def append(self, step, points, loss, grad_norm, lr) -> None:
        """Append k rows (arrays of length k; points of shape (k, ndim))."""
        points = np.asarray(points, dtype=float).reshape(-1, self.ndim)
        k = points.shape[0]
        if k == 0:
            return
        need = self._n + k
        if need > self._points.shape[0]:
            self._alloc(max(need, 2 * self._points.shape[0]))
        sl = slice(self._n, need)
        self._points[sl] = points
        self._cols["step"][sl] = step
        self._cols["loss"][sl] = loss
        self._cols["grad_norm"][sl] = grad_norm
        self._cols["lr"][sl] = lr
        self._n = need
        while self._n > self.max_rows:
            self._thin()

    def _thin(self) -> None:
        """Halve the density of the older rows, keeping row 0 and the newest rows."""
        n = self._n
        old_end = n - self.keep_recent
        keep = np.concatenate([np.arange(0, old_end, 2), np.arange(old_end, n)])
        if keep[0] != 0:
            keep = np.concatenate([[0], keep])
        m = keep.size
        self._points[:m] = self._points[keep]
        for name in FIELDS:
            self._cols[name][:m] = self._cols[name][keep]
        self._n = m
        self.epoch += 1
