"""Runs replayed from their record: the configuration they started with, the mid-run changes
at the steps they took effect, and how far they got.

A window's run is deterministic for its configuration and seed, so it is saved as a
:class:`RunRecord` (never point by point) and :func:`replay` makes exactly the same run again,
bit for bit: every :class:`Edit` is applied at the step at which the stepping worker applied
it (a hyper-parameter or option change, a jump along an escape direction, a paused run
continued), and the run stops at the recorded step.

:class:`Replay` does the same in slices (the window's worker replays in the background and
streams the rows); :func:`replay` does it at once, on the pure path until compiling pays
(:func:`~.warmup.advance_fastest`: the same results bit for bit).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..limits import whole_number
from .config import RunConfig
from .run import Run, StepChunk
from .schedule import parse_schedule
from .specs import OptimizerError

EDIT_KINDS = ("params", "options", "moved", "resumed")
OPTION_KEYS = ("grad_noise", "clip_norm", "schedule")
PURE_STEP_S = 2e-5
"""Fewest seconds an update takes on the pure path (measured 20-100 us on 2 cores)."""


@dataclass(frozen=True)
class Edit:
    """A change made to a running run, at the step (updates made) when it took effect.

    ``values`` is plain JSON data: ``params``: the changed hyper-parameters
    (``{"lr": 0.01}``); ``options``: any of ``grad_noise``, ``clip_norm`` (None = off) and
    ``schedule`` (its text form, :meth:`~.schedule.Schedule.spec`); ``moved``:
    ``{"point": [x, y], "reason": "..."}``; ``resumed``: ``{}`` (a paused run continued).
    """

    step: int
    kind: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in EDIT_KINDS:
            raise OptimizerError(f"unknown edit '{self.kind}' (known: {', '.join(EDIT_KINDS)})")
        object.__setattr__(self, "step", _whole(self.step, "the step of an edit"))
        object.__setattr__(self, "values", dict(self.values))


@dataclass(frozen=True)
class RunRecord:
    """What reproduces a run: its configuration at step 0, its edits, and its steps taken."""

    config: RunConfig
    edits: tuple[Edit, ...] = ()
    steps: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", _whole(self.steps, "steps"))
        object.__setattr__(self, "edits", tuple(self.edits))


def _whole(value: Any, what: str) -> int:
    try:
        return whole_number(value, what)
    except ValueError as error:
        raise OptimizerError(str(error)) from None


def options_edit(step: int, grad_noise, clip_norm, schedule) -> Edit:
    """The record of ``Run.set_options`` as the window calls it (all three given)."""
    spec = schedule if isinstance(schedule, str) else schedule.spec()
    clip = None if clip_norm is None else float(clip_norm)
    return Edit(step, "options", {"grad_noise": float(grad_noise), "clip_norm": clip,
                                  "schedule": spec})  # fmt: skip


def apply_edit(run: Run, edit: Edit) -> StepChunk | None:
    """Make ``edit`` on ``run`` now (OptimizerError if the engine refuses it); a move returns
    its jump row."""
    values = edit.values
    try:
        if edit.kind == "params":
            run.set_params(**values)
        elif edit.kind == "options":
            run.set_options(**_options(values))
        elif edit.kind == "moved":
            return run.move_to(values["point"], str(values.get("reason", "moved")))
        else:
            run.resume()
    except OptimizerError:
        raise  # the engine's own one-line reason
    except (KeyError, TypeError, ValueError) as error:
        raise OptimizerError(
            f"a {edit.kind} edit at step {edit.step} is malformed: {error}"
        ) from None
    return None


def _options(values: Mapping[str, Any]) -> dict:
    unknown = set(values) - set(OPTION_KEYS)
    if unknown:
        raise OptimizerError(f"unknown option(s): {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    if "grad_noise" in values:
        noise = float(values["grad_noise"])
        if not (math.isfinite(noise) and noise >= 0):
            raise OptimizerError(f"grad_noise must be a finite number >= 0, got {noise}")
        out["grad_noise"] = noise
    if "clip_norm" in values:
        clip = values["clip_norm"]
        if clip is not None:
            clip = float(clip)
            if not (math.isfinite(clip) and clip > 0):
                raise OptimizerError(f"clip_norm must be a positive finite number, got {clip}")
        out["clip_norm"] = clip
    if "schedule" in values:
        out["schedule"] = parse_schedule(str(values["schedule"]))
    return out


def final_config(record: RunRecord) -> RunConfig:
    """The configuration after every params and options edit (what the run's editor shows)."""
    config = record.config
    for edit in record.edits:
        if edit.step > record.steps:
            break
        if edit.kind == "params":
            from .specs import resolve_params

            params = resolve_params(config.optimizer, {**config.params, **edit.values})
            config = config.with_changes(params=params)
        elif edit.kind == "options":
            config = config.with_changes(**_options(edit.values))
    return config


class Replay:
    """A run being replayed from its record, a slice at a time (see :meth:`advance`)."""

    def __init__(self, run: Run, record: RunRecord) -> None:
        self.run = run
        self.record = record
        self._edits: Sequence[Edit] = sorted(record.edits, key=lambda e: e.step)  # stable
        self._next = 0
        self.applied: list[Edit] = []
        """The edits made so far, in order (the window reports them as the run's edits)."""

    @property
    def done(self) -> bool:
        """Whether the run is where the record ends (or stopped before, for good)."""
        return self._due() is None and self._remaining() == 0

    def _due(self) -> Edit | None:
        if self._next < len(self._edits) and self._edits[self._next].step <= self.record.steps:
            return self._edits[self._next]
        return None

    def _remaining(self) -> int:
        """Updates to make before the next edit (or the end)."""
        edit = self._due()
        target = self.record.steps if edit is None else edit.step
        if self.run.done:
            return 0
        return max(0, target - self.run.steps)

    def advance(
        self, budget: int, rows: bool = True, stepper=None, out: list | None = None
    ) -> list[StepChunk]:
        """Make up to ``budget`` updates, applying edits as their steps come; returns the new
        rows (``rows=False``: none, the run keeps its own), appended to ``out`` if given (so
        they are kept when an edit is refused). ``stepper(run, n, planned)`` may replace
        ``run.advance`` (e.g. :func:`~.warmup.advance_fastest`)."""
        out = [] if out is None else out
        budget = int(budget)
        while True:
            n = self._remaining()
            edit = self._due()
            if n == 0:
                if edit is None:
                    return out
                self._next += 1
                chunk = apply_edit(self.run, edit)
                self.applied.append(edit)
                if chunk is not None and rows:
                    out.append(chunk)
                continue
            if budget <= 0:
                return out
            k = min(n, budget)
            before = self.run.steps
            if rows:
                out.append(self.run.step(k))
            elif stepper is not None:
                stepper(self.run, k, self._planned())
            else:
                self.run.advance(k)
            budget -= max(self.run.steps - before, 1)

    def _planned(self) -> int:
        return max(0, self.record.steps - self.run.steps)


def replay(surface, record: RunRecord, keep_trajectory: bool = True, compiler=None) -> Run:
    """The run ``record`` describes, made again: the same trajectory, status and optimizer
    state bit for bit, at step ``record.steps`` (earlier only where the run stopped for good).

    Steps on the pure path until compiling pays, then compiled (same results). Raises
    OptimizerError if the engine refuses the configuration or an edit.
    """
    from .warmup import advance_fastest

    pure = not _compiled_pays(surface, record.steps)
    run = Run(surface, record.config, pure=pure, keep_trajectory=keep_trajectory)
    job = Replay(run, record)

    def stepper(r: Run, n: int, planned: int) -> None:
        advance_fastest(r, n, planned, compiler)

    while not job.done:
        job.advance(record.steps + 1, rows=False, stepper=stepper)
    return run


def _compiled_pays(surface, steps: int) -> bool:
    """Whether to replay compiled from the first step: the loops are in this machine's cache
    and the pure path would take longer than loading them (nothing when they are loaded)."""
    import sys

    from .warmup import WARM_LOAD_S, compiled_before

    if not compiled_before(surface):
        return False  # advance_fastest has them compiled in a child if that pays
    loaded = "saddlelab.core.optim._kernels" in sys.modules
    return steps * PURE_STEP_S > (0.02 if loaded else WARM_LOAD_S)
