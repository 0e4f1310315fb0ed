"""The probe: the point the analysis panel, eigen-arrows and Taylor overlays describe.

The point and where it comes from (the selected run, or a point the user picked) live in
:class:`~.view_settings.ViewSettings`; this model turns each change of it, or of the surface,
into one exact :func:`~saddlelab.core.analysis.analyze` and publishes the result. Every display
reads :attr:`ProbeModel.analysis` (or :attr:`ProbeModel.message` when there is none): the
analysis is computed once per change, not once per display.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from psygnal import Signal

from saddlelab.core.analysis import AnalysisError, PointAnalysis, analyze
from saddlelab.core.undefined import point_verdict

NO_PROBE = "No probe point: select a run, or Shift+click in the contour view."
UNDEFINED_TITLE = "L is undefined here"
UNDEFINED_HINT = (
    "there is no finite value there (NaN or infinite), so no gradient, curvature or Taylor "
    "model. Shift+click where the surface is coloured, or move the run's start there."
)


class ProbeModel:
    """The probe point's analysis; ``changed`` fires after every new analysis (or none)."""

    changed = Signal(object)
    """The ProbeModel itself, with ``point``, ``source``, ``analysis``, ``message`` and ``lr``."""
    lr_changed = Signal(object)
    """The step size the analysis is read with changed (the float, or None)."""

    def __init__(self, surface, view, lr: Callable[[], float | None] = lambda: None) -> None:
        self._surface = surface
        self._view = view
        self._lr_source = lr
        self.lr: float | None = None
        """The selected run's learning rate for its next update (the step-size story's η)."""
        self.point: tuple[float, ...] | None = None
        self.source = "run"
        self.analysis: PointAnalysis | None = None
        self.message = NO_PROBE
        """Why there is no analysis (empty when there is one)."""
        self.undefined = False
        """Whether the loss (or its gradient or Hessian) is undefined at the point: the
        displays then say "L is undefined here" instead of showing numbers."""
        self.surface = None
        """The surface the analysis is of (AppState re-analyses after a switch if needed)."""
        view.events.probe.connect(self._on_probe)

    def _on_probe(self, probe) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Analyse the probe point again (the surface changed under it)."""
        self.point, self.source = self._view.probe_point, self._view.probe_source
        self.surface = self._surface.surface
        self.lr = self._lr_source()
        self.undefined = False
        if self.point is None:
            self.analysis, self.message = None, NO_PROBE
        else:
            try:
                self.analysis, self.message = analyze(self._surface.surface, self.point), ""
            except AnalysisError as error:
                self.analysis, self.message = None, f"Cannot analyse this point: {error}."
                verdict = point_verdict(self._surface.surface, self.point)
                if verdict is not None:
                    self.undefined = True
                    self.message = f"{verdict}: {UNDEFINED_HINT}"
        self.changed.emit(self)

    def update_lr(self) -> None:
        """The selected run or its settings changed: read its learning rate again."""
        lr = self._lr_source()
        if lr != self.lr:
            self.lr = lr
            self.lr_changed.emit(lr)

    def analysis_at(self, point: Sequence[float]) -> PointAnalysis:
        """The analysis at ``point``: the probe's own when it is the probe point, else a new
        one (raises AnalysisError where the surface cannot be analysed)."""
        a = self.analysis
        if a is not None and np.array_equal(a.point, np.asarray(point, dtype=float)):
            return a
        return analyze(self._surface.surface, point)
