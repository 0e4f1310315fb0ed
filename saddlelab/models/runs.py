"""Optimizer runs as application state: configuration, colour, visibility, trajectory, status.

A :class:`RunModel` is what the user edits (optimizer, hyper-parameters, schedule, noise,
clipping, start, seed, colour). Every setter validates with the engine's own rules and returns
an error message instead of raising, leaving the last good value in place. The trajectory is a
:class:`TrajectoryBuffer` filled on the GUI thread from the worker's chunks; ``generation``
counts resets so chunks computed before a reset are dropped.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
from psygnal import Signal

from saddlelab.core.limits import whole_number
from saddlelab.core.optim import (
    OPTIMIZERS,
    OptimizerError,
    RunConfig,
    RunStatus,
    Schedule,
    parse_schedule,
    resolve_params,
)
from saddlelab.core.optim.replay import Edit, RunRecord

from .trajectory_buffer import TrajectoryBuffer

PALETTE = ("#ff7f0e", "#e6194b", "#f032e6", "#00c8ff", "#ffe119", "#3cb44b", "#ffffff", "#a0522d")
"""Run colours: bright on the dark views and distinct from the viridis surface colours."""


def _number(text: str, label: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"{label} must be a number, not '{text.strip()}'") from None
    if not math.isfinite(value):
        raise ValueError(f"{label} must be a finite number")
    return value


def format_hyper_value(value) -> str:
    """Show a hyper-parameter value the way a user would type it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return ", ".join(format_hyper_value(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class RunModel:
    """One optimizer run: what the user configured and what the engine has computed so far."""

    config_changed = Signal(object, str)
    """(run, what): what is 'optimizer', 'params', 'options', 'start' or 'seed'."""
    appearance_changed = Signal(object)
    data_changed = Signal(object)
    status_changed = Signal(object)
    move_requested = Signal(object, tuple, str)
    """(run, point, reason): jump the running run to ``point`` (an escape step), history kept."""

    _ids = itertools.count(1)

    def __init__(
        self,
        ndim: int,
        start: Sequence[float],
        optimizer: str = "sgd",
        overrides: dict | None = None,
        colour: str = PALETTE[0],
        seed: int = 0,
    ) -> None:
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer '{optimizer}'")
        self.id = next(self._ids)
        self.ndim = ndim
        self.optimizer = optimizer
        self.overrides: dict = dict(overrides or {})
        self.params: dict = resolve_params(optimizer, self.overrides)
        self.schedule: Schedule = parse_schedule("constant")
        self.schedule_text = "constant"
        self.grad_noise = 0.0
        self.clip_norm: float | None = None
        self.seed = int(seed)
        self.max_steps = 100_000
        """Steps before the run pauses with status max_steps (Play continues it)."""
        self.start = tuple(float(s) for s in start)
        self.colour = colour
        self.visible = True
        self.generation = 0
        self.status = RunStatus.READY
        self.status_detail = "Ready: press Play or N to take a step."
        self.stall_kind: str | None = None
        self.done = False
        self.trajectory = TrajectoryBuffer(ndim)
        self.early_stop = True
        """False: no convergence or stall test (a saved ``saddlelab run --exact-steps``)."""
        self.edits: list[Edit] = []
        """Changes the engine applied since the last restart, with their steps (worker-told)."""
        self.pending_record: RunRecord | None = None
        """A saved run the engine replays at the next restart (a reopened session)."""
        self._base: RunConfig | None = None

    # -- labels -----------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return OPTIMIZERS[self.optimizer].label

    @property
    def title(self) -> str:
        """Short name for legends: the optimizer, its learning rate and every hyper-parameter
        that differs from the optimizer's default (two runs that differ show how)."""
        parts = [self.label]
        for hp in OPTIMIZERS[self.optimizer].hyper:
            value = self.params.get(hp.name, hp.default)
            if hp.name == "lr" or value != hp.default:
                text = format_hyper_value(value).replace(", ", ",")
                parts.append(f"{hp.name}={text}")
        return " ".join(parts)

    def config(self) -> RunConfig:
        """The engine's configuration of this run."""
        return RunConfig(
            optimizer=self.optimizer,
            params=dict(self.params),
            start=self.start,
            schedule=self.schedule,
            grad_noise=self.grad_noise,
            clip_norm=self.clip_norm,
            seed=self.seed,
            max_steps=self.max_steps,
            early_stop=self.early_stop,
        )

    # -- records (sessions) -----------------------------------------------------------------------
    def engine_start(self) -> tuple[RunConfig, RunRecord | None]:
        """The configuration (and saved record, if one is pending) the engine restarts this run
        from; the run's record starts from it."""
        record, self.pending_record = self.pending_record, None
        self._base = record.config if record is not None else self.config()
        self.edits = []
        return self._base, record

    def add_edits(self, edits) -> None:
        """The engine applied these changes (in order, each with its step). Changes of one
        kind in a row at one step (a slider dragged while paused) merge into one: the same
        run, a record that does not grow with every move of the slider."""
        for edit in edits:
            last = self.edits[-1] if self.edits else None
            if last is not None and (last.step, last.kind) == (edit.step, edit.kind) and (
                edit.kind in ("params", "options")
            ):  # fmt: skip
                edit = Edit(edit.step, edit.kind, {**last.values, **edit.values})
                self.edits[-1] = edit
            else:
                self.edits.append(edit)

    def record(self) -> RunRecord:
        """What replays this run exactly (:func:`saddlelab.core.optim.replay.replay`)."""
        if self.pending_record is not None:  # not yet handed to the engine
            return self.pending_record
        base = self._base if self._base is not None else self.config()
        return RunRecord(base, tuple(self.edits), self.steps)

    def adopt(self, record: RunRecord, engine) -> None:
        """Show ``engine`` (the engine's Run, replayed from ``record`` in this process)."""
        t = engine.trajectory
        self.trajectory.clear()
        self.trajectory.append(t.step, t.points, t.loss, t.grad_norm, t.lr)
        self._base, self.edits = record.config, list(record.edits)
        self.set_result_status(engine.status, engine.status_detail, engine.stall_kind, engine.done)
        self.data_changed.emit(self)

    # -- validated setters: return None on success, else a message --------------------------------
    def set_optimizer(self, name: str) -> str | None:
        if name not in OPTIMIZERS:
            return f"unknown optimizer '{name}'"
        if name == self.optimizer:
            return None
        keep = {k: v for k, v in self.overrides.items() if k == "lr"}
        self.optimizer = name
        self.overrides = {}
        self.params = resolve_params(name, {})
        if keep:
            try:
                self.params = resolve_params(name, keep)
                self.overrides = keep
            except (OptimizerError, ValueError):
                pass
        self.config_changed.emit(self, "optimizer")
        self.appearance_changed.emit(self)
        return None

    def set_param(self, name: str, text: str) -> str | None:
        """Set one hyper-parameter from typed text; takes effect mid-run without a reset."""
        spec = OPTIMIZERS[self.optimizer]
        hp = next((h for h in spec.hyper if h.name == name), None)
        if hp is None:
            return f"{spec.label} has no parameter '{name}'"
        try:  # the engine parses typed text itself (one parser for the window and the CLI)
            params = resolve_params(self.optimizer, {**self.overrides, name: text})
            overrides = {**self.overrides, name: params[name]}
        except (OptimizerError, ValueError) as error:
            return str(error)
        if params == self.params:
            return None
        self.overrides, self.params = overrides, params
        self.config_changed.emit(self, "params")
        self.appearance_changed.emit(self)  # the title names the hyper-parameters
        return None

    def set_schedule(self, text: str) -> str | None:
        try:
            schedule = parse_schedule(text)
        except (OptimizerError, ValueError) as error:
            return str(error)
        self.schedule, self.schedule_text = schedule, schedule.spec()
        self.config_changed.emit(self, "options")
        return None

    def set_grad_noise(self, text: str) -> str | None:
        try:
            value = _number(text or "0", "gradient noise")
        except ValueError as error:
            return str(error)
        if value < 0:
            return "gradient noise is a standard deviation: it must be >= 0"
        if value != self.grad_noise:
            self.grad_noise = value
            self.config_changed.emit(self, "options")
        return None

    def set_clip_norm(self, text: str) -> str | None:
        if not text.strip() or text.strip().lower() in {"none", "off"}:
            value = None
        else:
            try:
                value = _number(text, "clip norm")
            except ValueError as error:
                return str(error)
            if value <= 0:
                return "clip norm must be > 0 (leave empty for no clipping)"
        if value != self.clip_norm:
            self.clip_norm = value
            self.config_changed.emit(self, "options")
        return None

    def set_seed(self, text: str) -> str | None:
        try:
            value = whole_number(text, "seed")
        except ValueError as error:
            return str(error)
        if value != self.seed:
            self.seed = value
            self.config_changed.emit(self, "seed")
        return None

    def set_start(self, point: Sequence[float]) -> str | None:
        """Move the start point (a reset of this run): needs ``ndim`` finite numbers."""
        try:
            values = tuple(float(p) for p in point)
        except (TypeError, ValueError):
            return "the start point must be numbers"
        if len(values) != self.ndim:
            return f"the start point needs {self.ndim} coordinates, got {len(values)}"
        if not all(math.isfinite(v) for v in values):
            return "the start point must be finite numbers"
        self.start = values
        self.config_changed.emit(self, "start")
        return None

    def request_move(self, point: Sequence[float], reason: str = "moved") -> str | None:
        """Ask the engine to jump this run to ``point`` mid-run, keeping its trajectory and
        optimizer state (the lecture's escape step). Returns an error message or None."""
        try:
            values = tuple(float(p) for p in point)
        except (TypeError, ValueError):
            return "the point must be numbers"
        if len(values) != self.ndim or not all(math.isfinite(v) for v in values):
            return f"the point needs {self.ndim} finite coordinates"
        if self.status == RunStatus.DIVERGED:
            return "a diverged run cannot be moved; reset it"
        if self.status in (RunStatus.UNDEFINED, RunStatus.UNDEFINED_START):
            return "a run stopped where L is undefined cannot be moved; reset it or move its start"
        # The engine resumes a converged or stalled run after the jump: say so at once, so
        # that Play steps it again.
        self.done = False
        self._set_status(RunStatus.RUNNING, f"{reason}: continuing from there", None)
        self.move_requested.emit(self, values, reason)
        return None

    def set_start_text(self, text: str) -> str | None:
        parts = [p for p in text.replace("(", "").replace(")", "").split(",") if p.strip()]
        try:
            values = [float(p) for p in parts]
        except ValueError:
            return f"the start point must be {self.ndim} numbers separated by commas"
        return self.set_start(values)

    def set_colour(self, colour: str) -> None:
        self.colour = colour
        self.appearance_changed.emit(self)

    def set_visible(self, visible: bool) -> None:
        if visible != self.visible:
            self.visible = bool(visible)
            self.appearance_changed.emit(self)

    # -- results ----------------------------------------------------------------------------------
    def restart(self, loss: float, grad_norm: float, undefined: str | None = None) -> None:
        """Clear the trajectory back to row 0 at the start (after any reset); ``undefined``
        says why the start cannot be stepped from (the loss is undefined there)."""
        self.generation += 1
        self.trajectory.clear()
        self.edits, self._base = [], None
        lr = self.schedule.lr_at(float(self.params.get("lr", 0.0) or 0.0), 0)
        self.trajectory.append([0], np.array([self.start]), [loss], [grad_norm], [lr])
        self.done = undefined is not None
        if undefined is not None:
            self._set_status(RunStatus.UNDEFINED_START, undefined, None)
        else:
            self._set_status(RunStatus.READY, "Ready: press Play or N to take a step.", None)
        self.data_changed.emit(self)

    def append_chunk(self, chunk, generation: int) -> bool:
        """Append a worker chunk if it belongs to the current generation."""
        if generation != self.generation:
            return False
        self.trajectory.append(chunk.step, chunk.points, chunk.loss, chunk.grad_norm, chunk.lr)
        return True

    def resume(self) -> bool:
        """Play or Step continues a paused run (stalled, or at its step limit): say so at once,
        so that the run counts as moving until the engine reports again. False if not paused."""
        if not (self.done and self.status.resumable):
            return False
        self.done = False
        self._set_status(RunStatus.RUNNING, "continuing from where it paused", None)
        return True

    def set_result_status(
        self, status: RunStatus, detail: str, stall_kind: str | None, done: bool
    ) -> None:
        self.done = bool(done)
        self._set_status(status, detail, stall_kind)

    def _set_status(self, status: RunStatus, detail: str, stall_kind: str | None) -> None:
        status = RunStatus(status)
        if (status, detail, stall_kind) != (self.status, self.status_detail, self.stall_kind):
            self.status, self.status_detail, self.stall_kind = status, detail, stall_kind
            self.status_changed.emit(self)

    @property
    def current_point(self) -> np.ndarray:
        last = self.trajectory.last_point
        return np.asarray(self.start, dtype=float) if last is None else last

    @property
    def steps(self) -> int:
        return int(self.trajectory.step[-1]) if len(self.trajectory) else 0
