"""The swarm the window shows: its settings, its latest snapshot, and the user's commands.

Qt-free and evented. The panel edits :class:`SwarmSettings` through :meth:`SwarmModel.apply`
(a bad value raises :class:`~saddlelab.core.swarm.SwarmError` and the last good settings
stay); the runtime turns ``rebuild_requested`` / ``playing_changed`` / ``step_requested`` /
``reset_requested`` into worker commands and hands each batch back with :meth:`show`; the
views redraw on ``snapshot_changed``.

Outcome colours: one per attractor, kept for the life of a swarm (an attractor keeps its colour
while others come and go), from :func:`outcome_colours` (the one function to switch to the
basins' shared palette).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from psygnal import Signal

from saddlelab.core.basins import DIVERGED, NOT_CONVERGED, Attractor
from saddlelab.core.numbers import fmt_vector
from saddlelab.core.optim.config import RunConfig
from saddlelab.core.optim.specs import OptimizerError, resolve_params
from saddlelab.core.swarm import (
    DISTRIBUTIONS,
    DWELL_NOTE,
    SwarmError,
    check_count,
    describe_starts,
    swarm_starts,
)
from saddlelab.models.colours import CLASS_NAMES

PALETTE = ("#4ea1ff", "#00d68f", "#ffc233", "#c58cff", "#00d0e0", "#ff7eb6", "#b5e61d",
           "#ff8c42", "#9aa0ff", "#5fe0b5")  # fmt: skip
DIVERGED_COLOUR = "#ff3030"
MOVING_COLOUR = "#f2f2f2"
STOPPED_COLOUR = "#7d7d7d"
MOVING = -2
STOPPED = -3
"""Colour keys besides attractor indices: still moving, stopped without converging."""


def outcome_colours(attractors: Sequence[Attractor]) -> list[str]:
    """One distinct colour per attractor, in order (hex)."""
    return [PALETTE[i % len(PALETTE)] for i in range(len(attractors))]


@dataclass(frozen=True)
class SwarmSettings:
    distribution: str = "gaussian"
    count: int = 10_000
    centre: tuple[float, ...] | None = None
    """None: the surface's suggested start."""
    sigma: float | None = None
    """None: the default share of the domain."""
    seed: int = 0
    optimizer: str = "sgd"
    overrides: dict = field(default_factory=lambda: {"lr": "0.05"})
    """As the window's first run (torch's SGD default, lr=0.001, barely moves in a lecture)."""

    def config(self, surface) -> RunConfig:
        start = surface.suggested_start() if self.centre is None else self.centre
        return RunConfig.make(self.optimizer, start, dict(self.overrides))

    def starts(self, surface) -> np.ndarray:
        return swarm_starts(surface, self.distribution, self.count, centre=self.centre,
                            sigma=self.sigma, seed=self.seed)  # fmt: skip


@dataclass(frozen=True, eq=False)
class Snapshot:
    """What the worker measured at one moment (arrays are the snapshot's own copies)."""

    step: int
    points: np.ndarray
    label: np.ndarray
    moving: np.ndarray
    attractors: list[Attractor]
    dwell: np.ndarray
    edges: tuple[np.ndarray, np.ndarray]
    generation: int = 0


@dataclass(frozen=True)
class LegendEntry:
    key: int
    colour: str
    text: str
    count: int


class SwarmModel:
    """Settings, latest snapshot and commands of the window's swarm (GUI thread only)."""

    settings_changed = Signal(object)
    rebuild_requested = Signal(object, object, object, int)
    """(surface, config, starts, generation): make a new swarm."""
    playing_changed = Signal(bool)
    step_requested = Signal(int)
    reset_requested = Signal(int)
    """(generation) every particle back at its start."""
    snapshot_changed = Signal(object)
    message_changed = Signal(str)

    def __init__(self, surface, settings: SwarmSettings | None = None) -> None:
        self.surface = surface
        self.settings = settings or SwarmSettings()
        self.snapshot: Snapshot | None = None
        self.playing = False
        self.show_dwell = True
        self.generation = 0
        self.message = ""
        self._keys: list[Attractor] = []
        """Every attractor this swarm reached so far, in the order first seen (colour keys)."""
        self.colour_key = np.zeros(0, dtype=np.int64)
        """Per particle of the snapshot: its attractor's colour index, MOVING, STOPPED or
        DIVERGED."""

    # -- settings ---------------------------------------------------------------------------
    def apply(self, **changes) -> SwarmSettings:
        """New settings (checked here; a bad one raises SwarmError, nothing changes)."""
        new = replace(self.settings, **changes)
        check_settings(new, self.surface)
        self.settings = new
        self.settings_changed.emit(new)
        return new

    def describe(self) -> str:
        s = self.settings
        return describe_starts(s.distribution, s.count, self.surface.ndim)

    def dwell_note(self) -> str:
        return DWELL_NOTE[3 if self.surface.ndim == 3 else 2]

    # -- commands ---------------------------------------------------------------------------
    def rebuild(self) -> None:
        """A new swarm from the settings (its particles at their starts, paused)."""
        config = self.settings.config(self.surface)
        starts = self.settings.starts(self.surface)
        self.generation += 1
        self._keys = []
        self.snapshot = None
        self.set_playing(False)
        self.rebuild_requested.emit(self.surface, config, starts, self.generation)
        self.set_message(f"{self.describe()}, ready")

    def set_surface(self, surface) -> None:
        """A new surface: the swarm is rebuilt there (a centre that no longer fits is
        dropped for the new surface's suggested start)."""
        self.surface = surface
        s = self.settings
        if s.centre is not None and (
            len(s.centre) != surface.ndim or not surface.contains(s.centre)
        ):
            self.settings = replace(s, centre=None)
            self.settings_changed.emit(self.settings)
        self.rebuild()

    def set_playing(self, playing: bool) -> None:
        if bool(playing) != self.playing:
            self.playing = bool(playing)
            self.playing_changed.emit(self.playing)

    def step(self, n: int = 1) -> None:
        self.step_requested.emit(int(n))

    def reset(self) -> None:
        self.set_playing(False)
        self.reset_requested.emit(self.generation)

    def set_message(self, text: str) -> None:
        self.message = text
        self.message_changed.emit(text)

    # -- results ----------------------------------------------------------------------------
    def show(self, snapshot: Snapshot) -> None:
        """A snapshot from the worker (older generations are dropped)."""
        if snapshot.generation != self.generation:
            return
        self.snapshot = snapshot
        index = np.array([self._key_of(a) for a in snapshot.attractors], dtype=np.int64)
        label = snapshot.label
        key = np.where(label >= 0, index[np.maximum(label, 0)] if len(index) else 0, label)
        key = np.where((label == NOT_CONVERGED) & ~snapshot.moving, STOPPED, key)
        self.colour_key = key.astype(np.int64)
        self.snapshot_changed.emit(snapshot)
        if self.playing and not snapshot.moving.any():
            self.set_playing(False)

    def _key_of(self, attractor: Attractor) -> int:
        p = np.asarray(attractor.point, float)
        for i, known in enumerate(self._keys):
            if known.point.shape == p.shape and np.allclose(known.point, p, atol=1e-9):
                return i
        self._keys.append(attractor)
        return len(self._keys) - 1

    def colours(self) -> dict[int, str]:
        """Colour of every key in use (attractor indices and MOVING/STOPPED/DIVERGED)."""
        out = dict(enumerate(outcome_colours(self._keys)))
        out.update({DIVERGED: DIVERGED_COLOUR, MOVING: MOVING_COLOUR, STOPPED: STOPPED_COLOUR})
        return out

    def legend(self) -> list[LegendEntry]:
        """Colour -> outcome with counts, attractors first (in colour order)."""
        snap = self.snapshot
        if snap is None:
            return []
        colours = self.colours()
        keys, counts = np.unique(self.colour_key, return_counts=True)
        n = dict(zip(keys.tolist(), counts.tolist(), strict=True))
        by_key = {self._key_of(a): a for a in snap.attractors}
        entries = []
        for k in sorted(k for k in n if k >= 0):
            a = by_key[k]
            name = CLASS_NAMES.get(a.classification, a.classification)
            entries.append(LegendEntry(k, colours[k], f"{name} at {fmt_vector(a.point)}", n[k]))
        for k, text in ((MOVING, "still moving"), (STOPPED, "stopped, not converged"),
                        (DIVERGED, "diverged")):  # fmt: skip
            if k in n:
                entries.append(LegendEntry(k, colours[k], text, n[k]))
        return entries

    def status_text(self) -> str:
        snap = self.snapshot
        if snap is None:
            return self.message
        rows = [f"<span style='color:{e.colour}'>&#9632;</span> {e.count:,} {e.text}"
                for e in self.legend()]  # fmt: skip
        return "<br>".join([f"Step {snap.step:,} of {len(snap.points):,} particles:", *rows])


def check_settings(s: SwarmSettings, surface) -> None:
    """Raise SwarmError with one line if ``s`` cannot make a swarm on ``surface``."""
    if s.distribution not in DISTRIBUTIONS:
        raise SwarmError(f"distribution must be one of {', '.join(DISTRIBUTIONS)}")
    check_count(s.count)
    if not isinstance(s.seed, int) or isinstance(s.seed, bool) or not 0 <= s.seed < 2**63:
        raise SwarmError(f"the seed must be a whole number >= 0, got {s.seed!r}")
    try:
        resolve_params(s.optimizer, s.overrides)
    except OptimizerError as error:
        raise SwarmError(str(error)) from None
    if s.centre is not None:
        c = np.asarray(s.centre, dtype=float)
        if c.shape != (surface.ndim,) or not np.all(np.isfinite(c)):
            raise SwarmError(f"the centre needs {surface.ndim} finite coordinates")
        if not surface.contains(c):
            raise SwarmError("the centre must lie inside the domain")
    if s.sigma is not None and not (np.isfinite(s.sigma) and s.sigma > 0):
        raise SwarmError(f"sigma must be a number > 0, got {s.sigma!r}")
