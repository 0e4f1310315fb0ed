"""Run configuration and status values shared by single runs and batches."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

import numpy as np

from ..limits import whole_number
from .schedule import CONSTANT, Schedule
from .specs import OptimizerError, get_spec, resolve_params


class RunStatus(str, Enum):  # noqa: UP042 (the GUI relies on str + Enum)
    READY = "ready"
    RUNNING = "running"
    CONVERGED = "converged"
    DIVERGED = "diverged"
    STALLED = "stalled"
    MAX_STEPS = "max_steps"
    ERROR = "error"
    """The engine raised (a configuration it refused mid-run): never set by the step loops."""
    UNDEFINED_START = "undefined_start"
    """The loss or its gradient is NaN/inf at the start: the run never steps."""
    UNDEFINED = "undefined"
    """The run reached a point inside the domain where the loss or its gradient is NaN/inf
    (the step loops say diverged; :class:`~.run.Run` tells the two apart)."""

    @property
    def terminal(self) -> bool:
        return self not in (RunStatus.READY, RunStatus.RUNNING)

    @property
    def resumable(self) -> bool:
        """A paused run that Play, or a new setting, continues (stalled, or at its step limit)."""
        return self in (RunStatus.STALLED, RunStatus.MAX_STEPS)


STATUS_BY_CODE = (
    RunStatus.READY,
    RunStatus.RUNNING,
    RunStatus.CONVERGED,
    RunStatus.DIVERGED,
    RunStatus.STALLED,
    RunStatus.MAX_STEPS,
)


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a run besides the surface.

    Tolerances (the run's status rules):
    - ``gtol``: None (the default): converged where the point is critical by the one rule of
      :mod:`saddlelab.core.criticality` (the analysis panel's and the CLI's); a number: a fixed
      bound on the gradient norm instead (0: only where the gradient is exactly zero);
    - ``stall_window``, ``stall_rtol``, ``stall_atol``: stalled when, over ``stall_window``
      updates (1000), the loss went down by no more than ``stall_rtol * |loss| + stall_atol``
      (1e-8, 1e-12); 0 switches the test off;
    - ``diverge_margin``: diverged when a coordinate leaves its domain widened by this many
      domain widths on each side (10), or when any value is non-finite;
    - ``early_stop``: False switches the convergence and stall tests off, so a run takes
      ``max_steps`` updates, as a training loop of a fixed length would, unless it diverges.
    ``seed`` selects the gradient noise (row i of a batch gets the noise of seed i's single run).
    """

    optimizer: str
    params: dict[str, Any]
    start: tuple[float, ...]
    schedule: Schedule = CONSTANT
    grad_noise: float = 0.0
    clip_norm: float | None = None
    seed: int = 0
    max_steps: int = 100_000
    gtol: float | None = None
    stall_window: int = 1000
    stall_rtol: float = 1e-8
    stall_atol: float = 1e-12
    diverge_margin: float = 10.0
    early_stop: bool = True

    def __post_init__(self) -> None:
        get_spec(self.optimizer)
        object.__setattr__(self, "params", resolve_params(self.optimizer, self.params))
        start = tuple(float(v) for v in np.asarray(self.start, dtype=float).ravel())
        if not all(math.isfinite(v) for v in start):
            raise OptimizerError(f"the start point must be finite, got {start}")
        object.__setattr__(self, "start", start)
        if not isinstance(self.schedule, Schedule):
            raise OptimizerError("schedule must be a Schedule (see parse_schedule)")
        _check(self.grad_noise >= 0, f"grad_noise must be a number >= 0, got {self.grad_noise}")
        if self.clip_norm is not None:
            _check(self.clip_norm > 0, f"clip_norm must be a positive number, got {self.clip_norm}")
        for name in ("seed", "max_steps", "stall_window"):
            object.__setattr__(self, name, _whole(getattr(self, name), name))
        _check((self.gtol is None or self.gtol >= 0) and self.stall_rtol >= 0
               and self.stall_atol >= 0, "tolerances must be numbers >= 0")  # fmt: skip
        _check(self.diverge_margin > 0, "diverge_margin must be positive")
        object.__setattr__(self, "early_stop", bool(self.early_stop))

    @classmethod
    def make(
        cls, optimizer: str, start: Sequence[float], params: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> RunConfig:  # fmt: skip
        """A config with defaults filled in from ``params`` overrides (typed or text)."""
        return cls(optimizer, dict(params or {}), tuple(start), **options)

    def with_changes(self, **changes: Any) -> RunConfig:
        return replace(self, **changes)

    def at_start(self, start: Sequence[float]) -> RunConfig:
        """This configuration from ``start``: ``with_changes(start=...)`` without validating the
        already validated rest again (a grid of starts would spend longer on that than on
        stepping). ``start`` must be finite numbers; each coordinate becomes a float."""
        config = copy.copy(self)
        object.__setattr__(config, "start", tuple(float(v) for v in start))
        return config


class StartConfigs(Sequence):
    """Row i's configuration of a batch made from one configuration and N starts
    (:meth:`~.run.Batch.from_starts`): ``base.at_start(starts[i])``, built when asked for;
    a row given its own configuration later (``configs[i] = ...``) keeps it."""

    def __init__(self, base: RunConfig, starts: np.ndarray) -> None:
        self.base = base
        self.starts = starts
        self._own: dict[int, RunConfig] = {}

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        k = range(len(self))[i]  # IndexError, negative indices
        own = self._own.get(k)
        return own if own is not None else self.base.at_start(self.starts[k])

    def starts_of(self, rows: np.ndarray) -> np.ndarray:
        """The start points of ``rows`` (an index array), as an (len(rows), D) array."""
        out = self.starts[rows]
        for i, own in self._own.items():
            out[rows == i] = own.start
        return out

    def __setitem__(self, i: int, config: RunConfig) -> None:
        self._own[range(len(self))[i]] = config


def _whole(value: Any, name: str) -> int:
    """A whole number >= 0 that fits the engine's int64 counters (see core.limits)."""
    try:
        return whole_number(value, name)
    except ValueError as error:
        raise OptimizerError(str(error)) from None


def _check(ok: bool, message: str) -> None:
    try:
        good = bool(ok) and not (isinstance(ok, float) and math.isnan(ok))
    except (TypeError, ValueError):
        good = False
    if not good:
        raise OptimizerError(message)
