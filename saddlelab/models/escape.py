"""The lectures' two remedies for a run stuck at a saddle, as application rules.

When a run stalls or converges at a saddle (plain gradient descent can), or stops near one,
the window offers the remedies: step along the negative-curvature direction, or add gradient
noise. This model decides when to offer them (:attr:`EscapeModel.offer`), what the defaults
are for the current surface (a tenth of the domain; a tenth of a typical gradient norm), and
carries them out on the run models. Qt-free; the banner only shows :attr:`offer` and calls
the actions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from psygnal import Signal

from saddlelab.core.advice import escape_point, escape_sentence
from saddlelab.core.analysis import AnalysisError
from saddlelab.core.criticality import verdict_of
from saddlelab.core.optim import RunStatus

STEP_FRACTION = 0.1
"""Default escape step as a fraction of the domain's narrowest side."""


@dataclass(frozen=True)
class EscapeOffer:
    """What the banner says: which run, how it is stuck, and where the loss still falls."""

    run_id: int
    title: str
    how: str
    """'is stalled at' or 'has converged to' (a saddle point); 'has stalled near' or 'has
    stopped near' one where the gradient is small but above the critical tolerance."""
    sentence: str
    has_escape: bool
    """Whether there is a direction of negative curvature to step along."""


class EscapeModel:
    """When to offer the remedies, their defaults, and the remedies themselves."""

    changed = Signal(object)
    """The new offer, or None when the banner should go."""
    defaults_changed = Signal(float, float)
    """(step length, noise sigma) for a new surface."""

    def __init__(self, state) -> None:
        self._state = state
        self.offer: EscapeOffer | None = None
        self.step_length, self.noise_sigma = self._defaults()
        state.surface.changed.connect(self._on_surface)
        state.runs.removed.connect(self._on_run_removed)

    # -- defaults ---------------------------------------------------------------------------------
    def _defaults(self) -> tuple[float, float]:
        surface = self._state.surface.surface
        span = min(hi - lo for lo, hi in surface.domain[:2])
        lo = np.array([a for a, _ in surface.domain])
        hi = np.array([b for _, b in surface.domain])
        axes = [np.linspace(a, b, 9) for a, b in zip(lo, hi, strict=True)]
        grid = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, surface.ndim)
        with np.errstate(all="ignore"):
            norms = np.linalg.norm(surface.gradient(grid), axis=-1)
        typical = float(np.nanmedian(norms)) if np.isfinite(norms).any() else 1.0
        return STEP_FRACTION * span, round(max(0.1 * typical, 1e-3), 3)

    def _on_surface(self, _surface) -> None:
        self.step_length, self.noise_sigma = self._defaults()
        self.defaults_changed.emit(self.step_length, self.noise_sigma)
        self.dismiss()

    # -- when to offer ----------------------------------------------------------------------------
    def consider(self, run) -> None:
        """A run's status changed: offer the remedies if it converged or stalled at a saddle or
        near one (the verdict of :mod:`saddlelab.core.criticality` on its final point, which
        its status words too), withdraw an offer for it that no longer holds. Only the selected
        run, or the run already offered for, may take the banner."""
        stopped = run.status in (RunStatus.CONVERGED, RunStatus.STALLED)
        offered_for = None if self.offer is None else self.offer.run_id
        if stopped and (run is self._state.runs.selected or offered_for in (None, run.id)):
            try:
                a = self._state.probe.analysis_at(run.current_point)
            except AnalysisError:
                return
            verdict = verdict_of(a)
            if verdict.saddle:
                converged = run.status == RunStatus.CONVERGED
                if verdict.critical:
                    how = "has converged to" if converged else "is stalled at"
                    sentence = escape_sentence(a)
                else:
                    how = "has stopped near" if converged else "has stalled near"
                    sentence = (
                        f"Near it, not at it: {verdict.gradient_text()}. {escape_sentence(a)}"
                    )
                has_escape = bool(len(a.escape_directions))
                self._set(EscapeOffer(run.id, run.title, how, sentence, has_escape))
                return
        if offered_for == run.id:
            self.dismiss()

    def dismiss(self) -> None:
        self._set(None)

    def _set(self, offer: EscapeOffer | None) -> None:
        if offer != self.offer:
            self.offer = offer
            self.changed.emit(offer)

    def _on_run_removed(self, run) -> None:
        if self.offer is not None and self.offer.run_id == run.id:
            self.dismiss()

    # -- the remedies -----------------------------------------------------------------------------
    def step(self, run_id: int, length: float) -> str | None:
        """Jump the run ``length`` along its most negative curvature direction, downhill, and
        carry on playing (trajectory and optimizer state kept). An error message, or None."""
        state = self._state
        run = state.runs.by_id(run_id)
        if run is None:
            return "that run no longer exists"
        try:
            a = state.probe.analysis_at(run.current_point)
        except AnalysisError as error:
            return str(error)
        target = escape_point(state.surface.surface, a, length)
        if target is None:
            return "no direction of negative curvature here"
        self.dismiss()
        reason = "escape step along the negative-curvature direction"
        error = run.request_move(tuple(target), reason)
        if error is None:
            state.playback.set_playing(True)
        return error

    def add_noise(self, run_id: int, sigma: float) -> str | None:
        """Give the run gradient noise of standard deviation ``sigma`` (mid-run) and play on."""
        state = self._state
        run = state.runs.by_id(run_id)
        if run is None:
            return "that run no longer exists"
        self.dismiss()
        error = run.set_grad_noise(repr(float(sigma)))
        if error is None:
            state.playback.set_playing(True)
        return error
