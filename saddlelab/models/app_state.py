"""All application state in one Qt-free object, with the few rules that tie its parts together.

- Choosing a surface resets every run to the surface's suggested start.
- Any change to a run's optimizer, start or seed restarts its trajectory at row 0; changes to
  hyper-parameters and options keep the trajectory (they take effect mid-run).
- The probe point follows the selected run's current point unless the user picked one. While
  runs stream, a GUI may set ``follow_on_data = False`` and call ``refresh_probe()`` at its own
  pace (the analysis of the probe costs milliseconds; 60 batches a second need not redo it).
  The probe's analysis is computed once per change, in :class:`~.probe.ProbeModel`.
- Playing means something moves: Play with no run that can move (all converged or diverged)
  does not start; Play (or Step) continues paused runs (stalled, at their step limit); playing
  stops as soon as no run is moving, whatever made it so (results, a run removed, a reset, a
  new surface). ``playback.can_move`` says at every moment whether Play would move anything.
- The scene scale is built once for every view (:class:`~.scene_scale.SceneModel`), and the
  saddle-escape remedies are offered and carried out by :class:`~.escape.EscapeModel`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from psygnal import Signal

from saddlelab.core.surface import Surface
from saddlelab.core.undefined import run_verdict

from .critical_points import CriticalPointsModel
from .escape import EscapeModel
from .playback import Playback
from .probe import ProbeModel
from .run_list import RunList
from .runs import RunModel
from .scene_scale import SceneModel
from .surface_model import SurfaceModel
from .view_settings import ViewSettings

RESTARTING = ("optimizer", "start", "seed")
TAYLOR_RADIUS_FRACTION = 0.15
"""The Taylor model is drawn within this fraction of the domain's narrowest side (default)."""


class AppState:
    """The surface, the runs, playback and view settings of one window."""

    run_restarted = Signal(object)
    """A run went back to row 0 (new optimizer, start, seed, surface or a reset): the engine
    must rebuild it from ``run.config()``."""

    def __init__(self, surface: Surface) -> None:
        self.surface = SurfaceModel(surface)
        self.runs = RunList()
        self.playback = Playback()
        self.view = ViewSettings()
        self.scene = SceneModel(self.surface, self.view)
        self.probe = ProbeModel(self.surface, self.view, lr=self.selected_lr)
        self.escape = EscapeModel(self)
        self.critical = CriticalPointsModel(self.surface)
        self.view.taylor_radius = self.default_taylor_radius()
        self.follow_on_data = True
        """Whether new trajectory rows move a following probe at once (see the module doc)."""
        self.runs.added.connect(self._on_run_added)
        self.runs.removed.connect(self._on_run_removed)
        self.runs.selected_changed.connect(self._on_selected_changed)
        self.playback.playing_changed.connect(self._on_playing_changed)
        self.playback.step_requested.connect(self._on_step_requested)

    # -- surface ----------------------------------------------------------------------------------
    def choose_surface(self, surface: Surface) -> None:
        """Switch surface; every run restarts at the surface's suggested start."""
        self.playback.set_playing(False)
        self.surface.set_surface(surface)
        self.view.taylor_radius = self.default_taylor_radius()
        start = surface.suggested_start()
        selected = self.runs.selected
        for run in self.runs:
            if run.ndim == surface.ndim:
                run.set_start(start)
                continue
            # Same optimizer and settings, new number of parameters.
            twin = RunModel(surface.ndim, start, run.optimizer, run.overrides, colour=run.colour)
            twin.schedule, twin.schedule_text = run.schedule, run.schedule_text
            twin.grad_noise, twin.clip_norm, twin.seed = run.grad_noise, run.clip_norm, run.seed
            self.runs.remove(run)
            self.runs.add(twin, select=run is selected)
        if self.view.probe_source == "picked" or self.runs.selected is None:
            self.view.set_probe(None, "run")
        self._follow_selected()
        if self.probe.surface is not surface:  # the probe point did not move: analyse it anew
            self.probe.refresh()

    def span(self) -> float:
        """The narrowest side of the domain's first two variables (what the views show)."""
        return float(min(hi - lo for lo, hi in self.surface.surface.domain[:2]))

    def default_taylor_radius(self) -> float:
        return TAYLOR_RADIUS_FRACTION * self.span()

    # -- runs -------------------------------------------------------------------------------------
    def start_run_at(self, start: Sequence[float]) -> RunModel:
        """A new run from ``start`` with the selected run's optimizer and settings (if any)."""
        selected = self.runs.selected
        if selected is None:
            return self.add_run(start=tuple(start))
        return self.add_run(selected.optimizer, dict(selected.overrides), start=tuple(start))

    def selected_lr(self) -> float | None:
        """The learning rate the selected run's next update uses (its schedule at its current
        step), or None without a run or a positive rate (Newton-type steps, lr 0)."""
        run = self.runs.selected
        if run is None:
            return None
        base = run.params.get("lr")
        if not isinstance(base, int | float) or base <= 0:
            return None
        try:
            lr = float(run.schedule.lr_at(float(base), run.steps))
        except (AttributeError, TypeError, ValueError):
            lr = float(base)
        return lr if lr > 0 else None

    def add_run(
        self,
        optimizer: str = "sgd",
        overrides: dict | None = None,
        start: Sequence[float] | None = None,
        **options,
    ) -> RunModel:
        """Add a run (default start: the selected run's start, else the suggested one)."""
        surface = self.surface.surface
        if start is None:
            selected = self.runs.selected
            start = selected.start if selected is not None else surface.suggested_start()
        run = RunModel(
            surface.ndim, start, optimizer, overrides, colour=self.runs.next_colour(), **options
        )
        self.runs.add(run)
        return run

    def restart_run(self, run: RunModel) -> None:
        """Clear the run's trajectory back to its start (row 0 computed exactly here)."""
        surface = self.surface.surface
        point = np.asarray(run.start, dtype=float)
        loss = float(surface.loss(point))
        grad_norm = float(np.linalg.norm(surface.gradient(point)))
        undefined = None  # the engine's rule (Run): a start where L or its gradient is NaN/inf
        if not (np.isfinite(loss) and np.isfinite(grad_norm)) and surface.contains(
            point, run.config().diverge_margin
        ):
            undefined = run_verdict(surface, point, 0)
        run.restart(loss, grad_norm, undefined)
        if run is self.runs.selected:
            self.refresh_probe()
        self.run_restarted.emit(run)
        self._check_movement()

    def reset_all(self) -> None:
        for run in self.runs:
            self.restart_run(run)

    def _on_run_added(self, run: RunModel) -> None:
        run.config_changed.connect(self._on_config_changed)
        run.data_changed.connect(self._on_data_changed)
        run.status_changed.connect(self.escape.consider)
        run.status_changed.connect(self._on_status_changed)
        self.restart_run(run)
        self._check_movement()

    def _on_run_removed(self, run: RunModel) -> None:
        run.config_changed.disconnect(self._on_config_changed)
        run.data_changed.disconnect(self._on_data_changed)
        run.status_changed.disconnect(self.escape.consider)
        run.status_changed.disconnect(self._on_status_changed)
        self._check_movement()

    # -- playback ---------------------------------------------------------------------------------
    def can_move(self) -> bool:
        """Whether Play would move anything: a run not done, or one Play resumes."""
        return any(not r.done or r.status.resumable for r in self.runs)

    def nothing_to_move(self) -> str:
        """Why Play and Step cannot act now, for a tooltip ("" when they can)."""
        if self.can_move():
            return ""
        if not len(self.runs):
            return "No runs: add one (Add run) to play"
        return "Every run has finished: Reset (R) or a new start plays them again"

    def _on_playing_changed(self, playing: bool) -> None:
        if not playing:
            return
        if not self.can_move():
            self.playback.set_playing(False)  # nothing can move: do not pretend to play
            return
        for run in self.runs:  # the engine continues paused runs on Play
            run.resume()

    def _on_step_requested(self, n: int) -> None:
        for run in self.runs:  # the engine continues paused runs on Step too
            run.resume()

    def _on_status_changed(self, run: RunModel) -> None:
        self._check_movement()

    def _check_movement(self) -> None:
        """Keep ``playback.can_move`` true to the runs, and stop playing once nothing moves."""
        self.playback.set_can_move(self.can_move())
        if self.playback.playing and not any(not r.done for r in self.runs):
            self.playback.set_playing(False)

    def results_applied(self) -> None:
        """New results from the engine were applied: stop playing once every run is done."""
        self._check_movement()

    def _on_config_changed(self, run: RunModel, what: str) -> None:
        if what in RESTARTING:
            self.restart_run(run)
        if run is self.runs.selected:
            self.probe.update_lr()

    # -- probe ------------------------------------------------------------------------------------
    def _on_selected_changed(self, run: RunModel | None) -> None:
        if self.view.probe_source == "run":
            self._follow_selected()
        self.probe.update_lr()
        if run is not None:
            self.escape.consider(run)

    def _on_data_changed(self, run: RunModel) -> None:
        if self.follow_on_data and run is self.runs.selected:
            self.refresh_probe()

    def refresh_probe(self) -> None:
        """Move a following probe to the selected run's current point (a picked one stays)."""
        if self.view.probe_source == "run":
            self._follow_selected()

    def _follow_selected(self) -> None:
        run = self.runs.selected
        point = None if run is None else tuple(run.current_point)
        self.view.set_probe(point, "run")

    def follow_selected_run(self) -> None:
        """Give the probe back to the selected run."""
        self._follow_selected()

    def pick_probe(self, point: Sequence[float]) -> None:
        self.view.set_probe(point, "picked")
