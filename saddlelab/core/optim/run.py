"""Single runs and batches of runs: stepping, statuses, mid-run changes, trajectories.

Runs are driven from a worker thread: ``step(n)`` runs ``n`` updates in one compiled call that
releases the GIL, never prints, and returns only the new rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import _formulas as K
from .config import STATUS_BY_CODE, RunConfig, RunStatus, StartConfigs
from .engine import Engine
from .schedule import Schedule
from .specs import OptimizerError, resolve_params
from .status import describe
from .trajectory import Trajectory, TrajectoryBuffer

BLOCK = 65_536
"""Most updates per compiled call when recording (bounds the scratch rows)."""

_UNSET = object()
_STOPPED_FOR_GOOD = {
    RunStatus.DIVERGED: "diverged",
    RunStatus.UNDEFINED: "reached a point where L is undefined",
    RunStatus.UNDEFINED_START: "starts where L is undefined",
}


@dataclass(frozen=True)
class StepChunk:
    """The rows a ``step`` call added, and the status after it."""

    step: np.ndarray
    points: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    lr: np.ndarray
    status: RunStatus
    status_detail: str

    def __len__(self) -> int:
        return len(self.step)


def undefined_or(status: RunStatus, surface, config: RunConfig, point, steps: int) -> RunStatus:
    """UNDEFINED(_START) for a divergence at a finite point inside the domain's margin: the
    loops stopped on a NaN/inf loss or gradient there, not on a run gone to infinity."""
    if status is not RunStatus.DIVERGED or not np.all(np.isfinite(point)):
        return status
    if not surface.contains(point, config.diverge_margin):
        return status
    return RunStatus.UNDEFINED if steps else RunStatus.UNDEFINED_START


class Run:
    """One optimizer run on one surface, resumable and deterministic for its seed.

    ``pure=True`` steps the same code without compiling it (and without importing numba):
    bit-identical results, some 30-50 times slower (see :mod:`._pure`), but at once: nothing to
    compile. :meth:`compile` switches such a run to the compiled loop mid-run.
    ``keep_trajectory=False``: the run keeps no rows of its own (its caller stores what
    :meth:`step` returns, as the window's worker does); :attr:`trajectory` then raises.
    """

    def __init__(
        self, surface, config: RunConfig, pure: bool = False, keep_trajectory: bool = True
    ) -> None:
        self.surface = surface
        self._keep = bool(keep_trajectory)
        self._engine = Engine(surface, [config], pure)
        self._start_buffer()

    # -- state ------------------------------------------------------------------------------
    @property
    def pure(self) -> bool:
        """Whether the run steps uncompiled (see :meth:`compile`)."""
        return self._engine.pure

    def compile(self) -> None:
        """Switch a ``pure=True`` run to the compiled loop, mid-run: same state, same results
        bit for bit. Compiles the loop here if numba's cache does not have it yet."""
        self._engine.compile()

    @property
    def config(self) -> RunConfig:
        return self._engine.configs[0]

    @property
    def steps(self) -> int:
        return int(self._engine.T[0])

    @property
    def point(self) -> np.ndarray:
        return self._engine.P[0].copy()

    @property
    def loss(self) -> float:
        return float(self._engine.L[0])

    @property
    def grad_norm(self) -> float:
        return float(self._engine.GN[0])

    @property
    def lr(self) -> float:
        """Learning rate of the next update."""
        return self._engine.lr_of(0)

    @property
    def done(self) -> bool:
        return self.status.terminal

    @property
    def trajectory(self) -> Trajectory:
        return self._buffer.snapshot()

    @property
    def events(self):
        return tuple(self._buffer.events)

    # -- stepping ---------------------------------------------------------------------------
    def step(self, n: int = 1) -> StepChunk:
        """Advance up to ``n`` updates (stopping at a terminal status); return the new rows."""
        parts = self._advance(int(n), keep=True)
        d = self.surface.ndim
        if parts:
            cat = [np.concatenate([p[k] for p in parts]) for k in range(5)]
        else:
            cat = [np.zeros(0, np.int64), np.zeros((0, d)), np.zeros(0), np.zeros(0), np.zeros(0)]
        return StepChunk(*cat, status=self.status, status_detail=self.status_detail)

    def advance(self, n: int) -> int:
        """Like :meth:`step` without returning rows (long runs, the CLI); returns updates made."""
        before = self.steps
        self._advance(int(n), keep=False)
        return self.steps - before

    def _advance(self, n: int, keep: bool) -> list:
        engine = self._engine
        parts = []
        if n <= 0 or self.done:
            return parts
        if self.status is RunStatus.READY:
            self._set_status(RunStatus.RUNNING)
        size = min(n, BLOCK)
        d = self.surface.ndim
        out = (np.empty((size, d)), np.empty(size), np.empty(size), np.empty(size))
        remaining = n
        while remaining > 0:
            first = self.steps + 1
            k = engine.advance(min(remaining, size), out)
            if k:
                rows = (np.arange(first, first + k, dtype=np.int64), out[0][:k].copy(),
                        out[1][:k].copy(), out[2][:k].copy(), out[3][:k].copy())  # fmt: skip
                self._buffer.append(*rows)
                if keep:
                    parts.append(rows)
            remaining -= max(k, 1)
            code = int(engine.ST[0])
            if code != K.RUNNING:
                self._set_status(self._undefined_or(STATUS_BY_CODE[code]))
                break
        if self.status is RunStatus.RUNNING:
            self.status_detail = describe(RunStatus.RUNNING, self)[0]
        return parts

    def _undefined_or(self, status: RunStatus) -> RunStatus:
        return undefined_or(status, self.surface, self.config, self._engine.P[0], self.steps)

    def _set_status(self, status: RunStatus) -> None:
        self.status = status
        self.status_detail, self.stall_kind = describe(status, self)
        if status.terminal:
            self._buffer.mark("status", f"{status.value}: {self.status_detail}")

    # -- changes ----------------------------------------------------------------------------
    def set_params(self, **hyper) -> None:
        """Change hyper-parameters mid-run; moments, velocity and step count are kept."""
        params = resolve_params(self.config.optimizer, {**self.config.params, **hyper})
        self._engine.write_config(0, self.config.with_changes(params=params))
        self._buffer.mark("params", ", ".join(f"{k}={v}" for k, v in hyper.items()))

    def set_options(self, *, grad_noise=None, clip_norm=_UNSET, schedule=None) -> None:
        """Change the gradient noise, clipping (None = off) or schedule mid-run."""
        changes = {}
        if grad_noise is not None:
            changes["grad_noise"] = float(grad_noise)
        if clip_norm is not _UNSET:
            changes["clip_norm"] = None if clip_norm is None else float(clip_norm)
        if schedule is not None:
            if not isinstance(schedule, Schedule):
                raise OptimizerError("schedule must be a Schedule (see parse_schedule)")
            changes["schedule"] = schedule
        if changes:
            self._engine.write_config(0, self.config.with_changes(**changes))
            detail = ", ".join(
                f"{k}={v.spec() if isinstance(v, Schedule) else v}" for k, v in changes.items()
            )
            self._buffer.mark("options", detail)

    def resume(self) -> bool:
        """Clear a converged/stalled/max_steps status so stepping goes on (not after divergence).

        After ``max_steps`` the limit grows by the configured ``max_steps`` again.
        """
        if self.status not in (RunStatus.CONVERGED, RunStatus.STALLED, RunStatus.MAX_STEPS):
            return False
        if self.status is RunStatus.MAX_STEPS:
            limit = self.steps + max(self.config.max_steps, 1)
            self._engine.write_config(0, self.config.with_changes(max_steps=limit))
        self._engine.resume_rows([0])
        self._set_status(RunStatus.RUNNING)
        self._buffer.mark("status", "resumed")
        return True

    def move_to(self, point: Sequence[float], reason: str = "moved") -> StepChunk:
        """Jump to ``point`` mid-run (e.g. a step along an escape direction) and carry on.

        Optimizer state and step count are kept; a converged or stalled run resumes. The jump is
        recorded as a trajectory row at the current step with a 'moved' event. Returns that row
        so a viewer can append it like any other chunk. Refused after divergence (reset then).
        """
        p = np.asarray(point, dtype=float).reshape(-1)
        if p.size != self.surface.ndim or not np.all(np.isfinite(p)):
            raise OptimizerError(f"the point needs {self.surface.ndim} finite coordinates")
        if self.status in _STOPPED_FOR_GOOD:
            raise OptimizerError(f"a run that {_STOPPED_FOR_GOOD[self.status]} cannot be moved; "
                                 "reset it instead")  # fmt: skip
        self._engine.move_row(0, p)
        if self.status.terminal:
            self.resume()
        engine = self._engine
        rows = (np.array([self.steps], np.int64), engine.P[:1].copy(), engine.L[:1].copy(),
                engine.GN[:1].copy(), np.array([self.lr]))  # fmt: skip
        self._buffer.append(*rows)
        self._buffer.mark("moved", f"{reason} to ({', '.join(f'{v:g}' for v in p)})")
        return StepChunk(*rows, status=self.status, status_detail=self.status_detail)

    def reset(self, start: Sequence[float] | None = None) -> None:
        """Back to step 0 (optionally from a new start), optimizer state and trajectory cleared."""
        config = self.config
        if start is not None:
            config = config.with_changes(start=tuple(float(v) for v in start))
            if len(config.start) != self.surface.ndim:
                raise OptimizerError(f"the start point needs {self.surface.ndim} coordinates")
        self._engine.write_config(0, config)
        self._engine.reset_rows([0])
        self._start_buffer()

    def _start_buffer(self) -> None:
        self._buffer = TrajectoryBuffer(self.surface.ndim) if self._keep else _NoTrajectory()
        engine = self._engine
        self._buffer.append(
            np.zeros(1, np.int64), engine.P[:1].copy(), engine.L[:1].copy(),
            engine.GN[:1].copy(), np.array([self.lr]),
        )  # fmt: skip
        self._buffer.mark("start", f"start at ({', '.join(f'{v:g}' for v in self.point)})")
        self.status = RunStatus.READY
        self.status_detail, self.stall_kind = describe(RunStatus.READY, self)
        if not (np.isfinite(engine.L[0]) and np.isfinite(engine.GN[0])):
            status = self._undefined_or(RunStatus.DIVERGED)
            if status is RunStatus.UNDEFINED_START:  # known now: the run never steps
                self._set_status(status)


class _NoTrajectory:
    """Where a run that keeps no trajectory writes its rows and events: nowhere."""

    events: tuple = ()

    def append(self, *rows) -> None:
        pass

    def mark(self, kind: str, detail: str) -> None:
        pass

    def snapshot(self) -> Trajectory:
        raise OptimizerError("this run keeps no trajectory (made with keep_trajectory=False)")


@dataclass(frozen=True)
class RowState:
    """One batch row, comparable with a single run."""

    point: np.ndarray
    loss: float
    grad_norm: float
    steps: int
    status: RunStatus


class Batch:
    """N runs of one optimizer (different starts or hyper-parameters) stepped together
    (``pure=True``: uncompiled, as :class:`Run`)."""

    def __init__(self, surface, configs: Sequence[RunConfig], pure: bool = False) -> None:
        self.surface = surface
        self._engine = Engine(surface, list(configs), pure)

    @classmethod
    def from_starts(cls, surface, config: RunConfig, starts, pure: bool = False) -> Batch:
        """N rows from one validated ``config``, row i starting at ``starts[i]`` ((N, D) array):
        row i is exactly ``Batch(surface, [config.at_start(s) for s in starts])``'s row i (the
        run ``saddlelab run`` makes from that start), set up as arrays, without building or
        checking N configurations (:attr:`configs` builds a row's when asked)."""
        batch = cls.__new__(cls)
        batch.surface = surface
        batch._engine = Engine.from_starts(surface, config, starts, pure)
        return batch

    def __len__(self) -> int:
        return len(self._engine.P)

    @property
    def configs(self) -> Sequence[RunConfig]:
        """Each row's configuration (a tuple; built on demand for :meth:`from_starts`)."""
        configs = self._engine.configs
        return configs if isinstance(configs, StartConfigs) else tuple(configs)

    def step(self, n: int = 1) -> np.ndarray:
        """Advance every unfinished row by up to ``n`` updates; returns the status codes."""
        if n > 0:
            self._engine.advance(int(n))
        return self.status_codes

    @property
    def points(self) -> np.ndarray:
        return self._engine.P.copy()

    @property
    def loss(self) -> np.ndarray:
        return self._engine.L.copy()

    @property
    def grad_norm(self) -> np.ndarray:
        return self._engine.GN.copy()

    @property
    def steps(self) -> np.ndarray:
        return self._engine.T.copy()

    @property
    def status_codes(self) -> np.ndarray:
        """Index into :data:`STATUS_BY_CODE` per row (ready, running, converged, ...)."""
        return self._engine.ST.copy()

    @property
    def statuses(self) -> tuple[RunStatus, ...]:
        """Each row's status, as the single run with its configuration would say it."""
        return tuple(self._status(i) for i in range(len(self)))

    def _status(self, i: int) -> RunStatus:
        e = self._engine
        status = STATUS_BY_CODE[int(e.ST[i])]
        if status is not RunStatus.DIVERGED:  # only a divergence needs the row's configuration
            return status
        return undefined_or(status, self.surface, e.configs[i], e.P[i], int(e.T[i]))

    def run_row(self, i: int) -> RowState:
        e = self._engine
        return RowState(e.P[i].copy(), float(e.L[i]), float(e.GN[i]), int(e.T[i]),
                        self._status(i))  # fmt: skip

    def set_params(self, **hyper) -> None:
        """Change hyper-parameters of every row, keeping optimizer state."""
        for i, config in enumerate(self._engine.configs):
            params = resolve_params(config.optimizer, {**config.params, **hyper})
            self._engine.write_config(i, config.with_changes(params=params))

    def reset(self) -> None:
        self._engine.reset_rows(range(len(self)))
