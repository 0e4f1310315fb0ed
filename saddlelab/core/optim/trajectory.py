"""A run's recorded trajectory, kept in bounded memory.

Decimation rule: every row is kept until the buffer holds ``CAPACITY`` rows, so a run of up to
100,000 steps (100,001 rows with the start) is never decimated. When it fills, the newest
``RECENT_ROWS`` rows stay at full resolution and the older rows are thinned to those whose step
number is a multiple of a stride (doubled as often as needed to keep at most ``OLD_BUDGET`` of
them). Event rows (the start, status changes, parameter, option and schedule changes) are never
dropped. Memory is therefore at most about (CAPACITY + events) rows of d + 4 numbers: ~13 MB
for d = 3, whatever the run length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CAPACITY = 200_000
RECENT_ROWS = 100_001
OLD_BUDGET = 50_000


@dataclass(frozen=True)
class Event:
    """Something that happened at a step: 'start', 'status', 'params', 'options', 'moved'."""

    step: int
    kind: str
    detail: str


@dataclass(frozen=True)
class Trajectory:
    """Rows of a run: row 0 is the start; consecutive steps unless ``decimated``.

    A 'moved' event (:meth:`Run.move_to`) adds a row with the same step number as the row
    before it: the jump is not an optimizer update.
    """

    step: np.ndarray
    points: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    lr: np.ndarray
    events: tuple[Event, ...] = ()
    decimated: bool = False

    def __len__(self) -> int:
        return len(self.step)


class TrajectoryBuffer:
    """Append-only store of trajectory rows with the decimation described above."""

    def __init__(self, ndim: int) -> None:
        self.ndim = ndim
        self.stride = 1
        self.decimated = False
        self.events: list[Event] = []
        self._allocate(4096)
        self.size = 0

    def _allocate(self, capacity: int) -> None:
        old = getattr(self, "size", 0)
        step = np.empty(capacity, dtype=np.int64)
        points = np.empty((capacity, self.ndim))
        values = np.empty((capacity, 3))
        flags = np.zeros(capacity, dtype=bool)
        if old:
            step[:old] = self._step[:old]
            points[:old] = self._points[:old]
            values[:old] = self._values[:old]
            flags[:old] = self._flags[:old]
        self._step, self._points, self._values, self._flags = step, points, values, flags

    def append(self, step, points, loss, grad_norm, lr) -> None:
        k = len(step)
        if k == 0:
            return
        if self.size + k > len(self._step):
            self._allocate(max(2 * len(self._step), self.size + k))
        s = slice(self.size, self.size + k)
        self._step[s] = step
        self._points[s] = points
        self._values[s, 0] = loss
        self._values[s, 1] = grad_norm
        self._values[s, 2] = lr
        self._flags[s] = False
        self.size += k
        if self.size > CAPACITY:
            self._compact()

    def mark(self, kind: str, detail: str = "") -> None:
        """Record an event at the newest row, which is then never decimated."""
        if self.size:
            self._flags[self.size - 1] = True
            self.events.append(Event(int(self._step[self.size - 1]), kind, detail))

    def _compact(self) -> None:
        old = self.size - RECENT_ROWS
        if old <= 0:
            return
        steps = self._step[:old]
        events = self._flags[:old]
        keep = events | (steps % self.stride == 0)
        while np.count_nonzero(keep) > OLD_BUDGET:
            self.stride *= 2
            keep = events | (steps % self.stride == 0)
        index = np.concatenate([np.flatnonzero(keep), np.arange(old, self.size)])
        self.decimated = self.decimated or len(index) < self.size
        n = len(index)
        self._step[:n] = self._step[index]
        self._points[:n] = self._points[index]
        self._values[:n] = self._values[index]
        self._flags[:n] = self._flags[index]
        self.size = n

    def snapshot(self) -> Trajectory:
        n = self.size
        return Trajectory(
            step=self._step[:n].copy(),
            points=self._points[:n].copy(),
            loss=self._values[:n, 0].copy(),
            grad_norm=self._values[:n, 1].copy(),
            lr=self._values[:n, 2].copy(),
            events=tuple(self.events),
            decimated=self.decimated,
        )

    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self._step, self._points, self._values, self._flags))
