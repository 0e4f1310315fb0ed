"""Sessions: everything a window was showing, saved as versioned JSON and reopened exactly.

A session holds the surface (a catalogue id with its parameters, or a typed expression with
its variables, domain and parameters), every run as the record that replays it
(:class:`~saddlelab.core.optim.replay.RunRecord`: configuration at step 0, mid-run edits at
their steps, steps taken) with its colour and visibility, the selected run, the playback
speed, the view settings, the Taylor radius, the probe, the slice, the 3-D camera, and
``extras`` (a free object other parts may fill). Trajectories are never stored: they are
replayed, bit for bit. The format is in the README ("Session files"); reading it treats the
file as hostile (:mod:`.session_read`): one :class:`SessionError` line naming the part, and
nothing applied unless the whole file is good.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from saddlelab.core.optim import OPTIMIZERS, OptimizerError
from saddlelab.core.optim.replay import RunRecord, final_config, replay

from .session_schema import MAX_BYTES, MAX_EDITS, MAX_RUNS, MAX_SAVED_STEPS, SessionError

SESSION_VERSION = 1
"""The format's version, the value of the file's ``saddlelab_session`` key."""
VIEW_FLAGS = ("log_height", "grid_lines", "contour_lines", "show_taylor_patch",
              "show_taylor_contours", "show_eigen_arrows")  # fmt: skip
TYPED = {"id": "typed", "name": "Typed loss", "description": "A loss you typed."}
"""What a typed surface is called once reopened (as the surface picker names it)."""

__all__ = ["SESSION_VERSION", "RunEntry", "Session", "SessionError", "SurfaceSpec",
           "load_session", "save_session"]  # fmt: skip


@dataclass(frozen=True)
class SurfaceSpec:
    """A catalogue surface (``catalogue`` = its id) or a typed one (expression, variables,
    domain text); ``parameters`` are the surface's parameter values."""

    catalogue: str | None = None
    expression: str = ""
    variables: tuple[str, ...] = ()
    domain: str = ""
    parameters: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, surface) -> SurfaceSpec:
        from saddlelab.core import catalogue

        params = {k: float(v) for k, v in surface.parameters.items()}
        try:
            e = catalogue.entry(surface.id)
        except catalogue.UnknownSurfaceError:
            e = None
        if e is not None and (e.expression, tuple(e.variables), tuple(e.domain)) == (
            surface.expression, tuple(surface.variables), tuple(surface.domain)
        ):  # fmt: skip
            return cls(catalogue=surface.id, parameters=params)
        domain = ",".join(
            f"{v}={lo!r}:{hi!r}"
            for v, (lo, hi) in zip(surface.variables, surface.domain, strict=True)
        )
        return cls(None, surface.expression, tuple(surface.variables), domain, params)

    def build(self):
        """The Surface (ExpressionError / UnknownSurfaceError if it cannot be built)."""
        from saddlelab.core import catalogue
        from saddlelab.core.surface import Surface

        if self.catalogue is not None:
            surface = catalogue.load(self.catalogue)
            if self.parameters and self.parameters != dict(surface.parameters):
                surface = surface.with_parameters(**self.parameters)
            return surface
        return Surface.from_expression(self.expression, self.variables, self.domain,
                                       parameters=self.parameters, **TYPED)  # fmt: skip

    def to_dict(self) -> dict:
        if self.catalogue is not None:
            return {"catalogue": self.catalogue, "parameters": dict(self.parameters)}
        return {"expression": self.expression, "variables": list(self.variables),
                "domain": self.domain, "parameters": dict(self.parameters)}  # fmt: skip


@dataclass(frozen=True)
class RunEntry:
    """One run of a session: its record, colour and whether it is shown."""

    record: RunRecord
    colour: str
    visible: bool = True

    def to_dict(self) -> dict:
        config, record = self.record.config, self.record
        return {
            "optimizer": config.optimizer,
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in config.params.items()},
            "schedule": config.schedule.spec(),
            "grad_noise": config.grad_noise,
            "clip_norm": config.clip_norm,
            "seed": config.seed,
            "start": list(config.start),
            "max_steps": config.max_steps,
            "early_stop": config.early_stop,
            "steps": record.steps,
            "edits": [
                {"step": e.step, "kind": e.kind, "values": _plain(e.values)} for e in record.edits
            ],  # fmt: skip
            "colour": self.colour,
            "visible": self.visible,
        }


@dataclass
class Session:
    """A saved window; see the module docstring and the README's "Session files"."""

    surface: SurfaceSpec
    runs: tuple[RunEntry, ...] = ()
    selected: int | None = None
    speed: float = 60.0
    """Playback speed in steps per second (``math.inf``: as fast as possible)."""
    view: dict[str, bool] = field(default_factory=dict)
    """The :data:`VIEW_FLAGS` (missing ones keep the window's value)."""
    taylor_radius: float | None = None
    probe: tuple[tuple[float, ...] | None, str] = (None, "run")
    slice: float | None = None
    camera: dict | None = None
    extras: dict = field(default_factory=dict)
    source: str = "session"
    """The file's name, for messages."""
    _surface: Any = field(default=None, repr=False, compare=False)

    # -- from and to a window ---------------------------------------------------------------------
    @classmethod
    def capture(cls, state, camera: dict | None = None) -> Session:
        """What ``state`` (an AppState) shows now; ``camera`` as the 3-D view gives it."""
        surface = state.surface.surface
        runs = tuple(RunEntry(r.record(), r.colour, r.visible) for r in state.runs)
        listed = list(state.runs)
        selected = listed.index(state.runs.selected) if state.runs.selected in listed else None
        view = state.view
        picked = view.probe_source == "picked" and view.probe_point is not None
        probe = (tuple(view.probe_point), "picked") if picked else (None, "run")  # run: follows
        return cls(
            surface=SurfaceSpec.of(surface), runs=runs, selected=selected,
            speed=state.playback.speed, view={k: bool(getattr(view, k)) for k in VIEW_FLAGS},
            taylor_radius=float(view.taylor_radius), probe=probe,
            slice=state.surface.slice_value if surface.ndim == 3 else None,
            camera=None if camera is None else _finite(camera), _surface=surface,
        )  # fmt: skip

    @classmethod
    def of_runs(cls, surface, records) -> Session:
        """A session of ``records`` (RunRecords) on ``surface``, in the palette's colours, the
        first run selected; the window's own view settings stay (a command's session)."""
        from .runs import PALETTE

        runs = tuple(RunEntry(r, PALETTE[i % len(PALETTE)]) for i, r in enumerate(records))
        return cls(SurfaceSpec.of(surface), runs, selected=0 if runs else None, _surface=surface)

    def build_surface(self):
        """The session's Surface (built once, when the file was read)."""
        if self._surface is None:
            self._surface = self.surface.build()
        return self._surface

    def run_model(self, index: int, ndim: int):
        """A RunModel with the settings run ``index`` has at its last step (not yet added)."""
        from .runs import RunModel

        entry = self.runs[index]
        config = final_config(entry.record)
        spec = OPTIMIZERS[config.optimizer]
        overrides = {h.name: config.params[h.name] for h in spec.hyper
                     if config.params[h.name] != h.default}  # fmt: skip
        start = entry.record.config.start
        run = RunModel(ndim, start, config.optimizer, overrides, entry.colour, config.seed)
        run.schedule, run.schedule_text = config.schedule, config.schedule.spec()
        run.grad_noise, run.clip_norm = config.grad_noise, config.clip_norm
        run.max_steps, run.early_stop = entry.record.config.max_steps, config.early_stop
        run.visible = entry.visible
        return run

    def build_state(self, critical: bool = True):
        """A headless AppState showing this session: runs replayed here, trajectories filled,
        and (``critical``) the surface's critical points found here, as the window's search
        would find them, so a figure or a 3-D image marks them."""
        from .app_state import AppState

        surface = self.build_surface()
        state = AppState(surface)
        for i, entry in enumerate(self.runs):
            run = self.run_model(i, surface.ndim)
            state.runs.add(run, select=False)
            try:
                engine = replay(surface, entry.record)
            except OptimizerError as error:
                raise SessionError(f"{self.source}: runs[{i}]: {error}") from None
            run.adopt(entry.record, engine)
        self._settle(state)
        if critical:
            from saddlelab.core.critical import find_critical_points

            state.critical.found(surface, find_critical_points(surface))
        return state

    def apply(self, state) -> None:
        """Show this session in a window's ``state``: its runs are replayed by the window's
        worker in the background (each RunModel holds its record until the engine takes it)."""
        surface = self.build_surface()
        state.playback.set_playing(False)
        for run in list(state.runs):
            state.runs.remove(run)
        state.choose_surface(surface)
        for i, entry in enumerate(self.runs):
            run = self.run_model(i, surface.ndim)
            run.pending_record = entry.record
            state.runs.add(run, select=False)
        self._settle(state)

    def _settle(self, state) -> None:
        runs = list(state.runs)
        state.runs.select(runs[self.selected] if self.selected is not None else None)
        state.playback.set_speed(self.speed)
        for key, value in self.view.items():
            setattr(state.view, key, value)
        if self.taylor_radius is not None:
            state.view.set_taylor_radius(self.taylor_radius)
        if self.slice is not None:
            state.surface.set_slice(self.slice)
        point, source = self.probe
        if source == "picked" and point is not None:
            state.pick_probe(point)
        else:
            state.follow_selected_run()

    # -- text -------------------------------------------------------------------------------------
    def check_limits(self) -> None:
        """SessionError if a file of this session would be refused when read (a run too long
        or with too many changes to replay), so it is never written."""
        if len(self.runs) > MAX_RUNS:
            raise SessionError(f"{len(self.runs)} runs: a session holds at most {MAX_RUNS}")
        for i, entry in enumerate(self.runs):
            steps, edits = entry.record.steps, len(entry.record.edits)
            if steps > MAX_SAVED_STEPS:
                too_many = f"has taken {steps:,} steps: a session replays {MAX_SAVED_STEPS:,}"
            elif edits > MAX_EDITS:
                too_many = f"has {edits:,} recorded changes: a session holds {MAX_EDITS:,}"
            else:
                continue
            raise SessionError(f"run {i + 1} {too_many} at most; reset or remove it to save")

    def to_dict(self) -> dict:
        point, source = self.probe
        data = {
            "saddlelab_session": SESSION_VERSION,
            "surface": self.surface.to_dict(),
            "runs": [r.to_dict() for r in self.runs],
            "selected": self.selected,
            "playback": {"speed": "unlimited" if math.isinf(self.speed) else self.speed},
            "view": {
                **self.view,
                **({} if self.taylor_radius is None else {"taylor_radius": self.taylor_radius}),
            },  # fmt: skip
            "probe": {"point": None if point is None else list(point), "source": source},
            "slice": self.slice,
            "camera": self.camera,
            "extras": self.extras,
        }
        return _plain(data)

    def to_text(self) -> str:
        """The session as JSON text (what :meth:`from_text` reads back to an equal session);
        SessionError if it is beyond the limits of a session file (:meth:`check_limits`)."""
        self.check_limits()
        return _dump(self.to_dict(), "") + "\n"

    @classmethod
    def from_text(cls, text: str, source: str = "session") -> Session:
        """Read and check a whole session (SessionError, one line, naming the part)."""
        from .session_read import read

        return read(text, source)


def _finite(camera: dict) -> dict:
    """The camera's finite numbers and lists of them (a 3-D view that has not been shown
    may report NaN)."""

    def ok(v: Any) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)

    out: dict = {}
    for key, value in camera.items():
        if isinstance(value, list | tuple) and all(ok(v) for v in value):
            out[str(key)] = [float(v) for v in value]
        elif ok(value):
            out[str(key)] = float(value)
    return out


def _plain(value: Any) -> Any:
    """Tuples as lists and numpy scalars as Python ones, for JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


def _dump(value: Any, indent: str) -> str:
    """JSON indented by objects, with lists of numbers and each edit on one line."""
    inner = indent + "  "
    if isinstance(value, dict) and value and not _flat(value):
        items = [f"{inner}{json.dumps(k)}: {_dump(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        return "[\n" + ",\n".join(inner + _dump(v, inner) for v in value) + "\n" + indent + "]"
    return json.dumps(value, allow_nan=False, separators=(", ", ": "))


def _flat(value: dict) -> bool:
    """An object short enough for one line: scalars and lists of scalars (an edit)."""
    return len(value) <= 3 and all(_small(v) for v in value.values())


def _small(value: Any) -> bool:
    if isinstance(value, list):
        return all(not isinstance(v, dict | list) for v in value)
    if isinstance(value, dict):
        return len(value) <= 3 and all(not isinstance(v, dict) for v in value.values())
    return True


def load_session(path) -> Session:
    """Read a session file (its size checked before it is read); SessionError if unusable."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SessionError(f"{name}: {size:,} bytes, larger than the "
                               f"{MAX_BYTES // 1_000_000} MB a session may have")  # fmt: skip
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise SessionError(f"{name}: cannot read it: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark (some editors write one) is fine
    except UnicodeDecodeError:
        raise SessionError(f"{name}: not a session (not UTF-8 text)") from None
    return Session.from_text(text, name)


def save_session(session: Session, path) -> None:
    """Write ``session`` to ``path`` atomically (a temporary file, then renamed over it)."""
    path = Path(path)
    text = session.to_text()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    except OSError as error:
        raise SessionError(f"{path}: cannot write it: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as error:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise SessionError(f"{path}: cannot write it: {error.strerror or error}") from None
