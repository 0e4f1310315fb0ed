"""What the stepping worker hands the GUI: per run, the new rows since the last batch and the
run's status after them, merged from the engine's chunks and thinned to a bounded size."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from saddlelab.core.optim import Run, RunConfig, RunStatus, StepChunk
from saddlelab.core.optim.replay import Replay, RunRecord
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
    """New rows of one run since the last batch with its status after them (``chunk``, the
    engine's own type), and what the GUI needs besides."""

    run_id: int
    generation: int
    chunk: StepChunk
    stall_kind: str | None
    done: bool
    error: str | None = None
    edits: tuple = ()
    """The changes the worker made to the run since the last batch (``replay.Edit``, with the
    step at which each took effect): the run's record for a saved session."""


@dataclass
class Entry:
    """The worker's state of one run: its engine object and what waits to be sent."""

    run: Run | None
    generation: int
    chunks: list
    error: str | None = None
    reported: bool = False
    config: RunConfig | None = None
    """Set while the run waits to be built (see ``SURFACE_SETTLE_S``)."""
    record: RunRecord | None = None
    """A saved run to replay once built (a reopened session)."""
    replay: Replay | None = None
    """The replay under way: the run steps to its recorded step in the background."""
    edits: list = field(default_factory=list)
    """Changes applied since the last batch, each with the step it took effect at."""


def replay_slice(entry: Entry, budget: int, to_end: bool = False) -> None:
    """Advance a replaying run by about ``budget`` updates (``to_end``: to the end of its
    record), its rows and the edits it made queued for the next batch."""
    job = entry.replay
    try:
        while True:
            job.advance(budget if not to_end else 1 << 16, out=entry.chunks)
            if sum(len(c.step) for c in entry.chunks) > 2 * BATCH_ROWS:
                entry.chunks = [merged(entry)]  # bound the backlog
            if job.done or not to_end:
                break
    except Exception as error:  # an edit the engine refuses: the run stops there
        entry.error, entry.reported = str(error) or type(error).__name__, False
    entry.edits.extend(job.applied)
    job.applied.clear()
    if job.done or entry.error is not None:
        entry.replay = None


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
    if entry.chunks:
        rows = concat(entry)
    else:
        d = max(len(run.point) if run is not None else 0, 1)
        rows = (np.empty(0, dtype=np.int64), np.empty((0, d)), np.empty(0), np.empty(0),
                np.empty(0))  # fmt: skip
    if entry.error is not None:
        status, detail, stall, done = RunStatus.ERROR, entry.error, None, True
    else:
        status = run.status
        detail, stall, done = run.status_detail, run.stall_kind, bool(run.done)
    chunk = StepChunk(*rows, status=status, status_detail=detail)
    return RunUpdate(run_id, entry.generation, chunk, stall, done, entry.error, tuple(entry.edits))
