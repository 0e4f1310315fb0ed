"""Optimizers, schedules and runs: the Qt-free optimizer engine.

Update rules, names and defaults follow torch.optim (sgd, adagrad, rmsprop, adam, adamw) plus
the lectures' newton, saddle-free-newton and gd-escape. Steps run in numba-compiled loops that
call the surface's functions, printed from its sympy expressions (see :mod:`.codegen`); large
batches run in per-surface batch kernels (see :mod:`._batch`).
"""

from __future__ import annotations

from .config import STATUS_BY_CODE, RunConfig, RunStatus
from .run import Batch, RowState, Run, StepChunk
from .schedule import CONSTANT, Schedule, parse_schedule
from .specs import OPTIMIZERS, HyperParam, OptimizerError, OptimizerSpec, resolve_params
from .trajectory import Event, Trajectory

__all__ = [
    "CONSTANT",
    "OPTIMIZERS",
    "STATUS_BY_CODE",
    "Batch",
    "Event",
    "HyperParam",
    "OptimizerError",
    "OptimizerSpec",
    "RowState",
    "Run",
    "RunConfig",
    "RunStatus",
    "Schedule",
    "StepChunk",
    "Trajectory",
    "parse_schedule",
    "resolve_params",
]
