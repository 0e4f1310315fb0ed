"""What the stepping worker hands the GUI: per run, the new rows since the last batch and the
run's status after them, merged from the engine's chunks and thinned to a bounded size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from saddlelab.core.optim import RunStatus, StepChunk
from saddlelab.models.trajectory_buffer import drawing_rows

BATCH_ROWS = 3000
"""Most rows per run in one batch. When runs step faster than the GUI draws, pending rows are
thinned here (the newest third kept exactly): the GUI keeps only a few thousand rows per run
for drawing anyway, and an unbounded backlog would make each batch slower than the last."""


def thin_rows(step, points, loss, grad, lr, limit: int = BATCH_ROWS):
    """At most ``limit`` rows (the views' rule: evenly spaced older rows, the newest third)."""
    keep = drawing_rows(len(step), limit, limit // 3)
    return step[keep], points[keep], loss[keep], grad[keep], lr[keep]


@dataclass
class RunUpdate:
    """New rows of one run since the last batch, and its status after them."""

    run_id: int
    generation: int
    step: np.ndarray
    points: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    lr: np.ndarray
    status: RunStatus
    status_detail: str
    stall_kind: str | None
    done: bool
    error: str | None = None


def merged(entry) -> StepChunk:
    """A run's pending chunks as one (thinned to BATCH_ROWS): bounds the backlog."""
    run = entry.run
    return StepChunk(*concat(entry), status=run.status, status_detail=run.status_detail)


def concat(entry):
    """All pending rows of a run as arrays, thinned to BATCH_ROWS."""
    chunks = entry.chunks
    d = len(entry.run.point)
    cat = np.concatenate
    return thin_rows(
        cat([c.step for c in chunks]),
        cat([np.reshape(c.points, (-1, d)) for c in chunks]),
        cat([c.loss for c in chunks]),
        cat([c.grad_norm for c in chunks]),
        cat([c.lr for c in chunks]),
    )


def merge(run_id: int, entry) -> RunUpdate:
    run = entry.run
    d = len(run.point) if run is not None else 0
    if entry.chunks:
        step, points, loss, grad, lr = concat(entry)
    else:
        step = np.empty(0, dtype=np.int64)
        points = np.empty((0, max(d, 1)))
        loss = grad = lr = np.empty(0)
    if entry.error is not None:
        status, detail, stall, done = RunStatus.ERROR, entry.error, None, True
    else:
        status = run.status
        detail, stall, done = run.status_detail, run.stall_kind, bool(run.done)
    return RunUpdate(
        run_id,
        entry.generation,
        step,
        points,
        loss,
        grad,
        lr,
        status,
        detail,
        stall,
        done,
        entry.error,
    )
