"""The second-order parts of a window, made and connected in one place.

Issue 5's displays: the analysis panel, the Taylor controls, the step-size plot, the
critical-points panel, the saddle-escape banner, and the overlays in the 3-D view (eigenvector
arrows, Taylor patch, critical markers, legend) and in the contour view (dashed Taylor contours,
markers, legend). Every one of them reads the models itself (``follow(state)``); the rules live
in the models (the probe's analysis, the escape offer and remedies, the critical points, the
overlay settings). This module only makes the parts, hands each its view or model, connects the
panels' requests to the state's actions, and closes them all. The window places the widgets.
"""

from __future__ import annotations

from saddlelab.app.panels.analysis_panel import AnalysisPanel
from saddlelab.app.panels.critical_points import CriticalPointsPanel
from saddlelab.app.panels.escape_banner import EscapeAdvice
from saddlelab.app.panels.taylor_controls import TaylorControls
from saddlelab.app.plots.overlays import SecondOrderOverlay2D
from saddlelab.app.plots.step_size_plot import StepSizePlot
from saddlelab.app.scene3d.overlays import (
    ARROW_FRACTION,
    ARROW_LIFT,
    PATCH_LIFT,
    SecondOrderOverlay3D,
)

__all__ = ["ARROW_FRACTION", "ARROW_LIFT", "PATCH_LIFT", "SecondOrder"]


class SecondOrder:
    """The second-order widgets and overlays of one window (``state`` is its AppState)."""

    def __init__(self, state, view3d, contour) -> None:
        self.state = state
        self.panel = AnalysisPanel()
        self.taylor_controls = TaylorControls()
        self.step_plot = StepSizePlot()
        self.critical = CriticalPointsPanel(state.critical)
        self.escape = EscapeAdvice()
        for widget in (self.panel, self.taylor_controls, self.step_plot, self.escape):
            widget.follow(state)
        self.critical.probeRequested.connect(state.pick_probe)
        self.critical.startRunRequested.connect(state.start_run_at)
        self.overlay3d = SecondOrderOverlay3D(state, view3d)
        self.overlay2d = SecondOrderOverlay2D(state, contour)
        self.docks: dict = {}
        """The docks the widgets live in (the window fills this when it places them)."""

    # -- what the views and tests look at --------------------------------------------------------
    @property
    def analysis(self):
        """The probe's analysis (the state's; None without a probe point)."""
        return self.state.probe.analysis

    @property
    def arrows(self):
        return self.overlay3d.arrows

    @property
    def patch(self):
        return self.overlay3d.patch

    @property
    def markers3d(self):
        return self.overlay3d.markers

    @property
    def legend3d(self):
        return self.overlay3d.legend

    @property
    def contours(self):
        return self.overlay2d.contours

    @property
    def markers2d(self):
        return self.overlay2d.markers

    @property
    def legend2d(self):
        return self.overlay2d.legend

    def close(self) -> None:
        """Stop the finder thread and disconnect every part from the state (window closing)."""
        self.critical.close_threads()
        for part in (self.panel, self.taylor_controls, self.step_plot, self.escape):
            part.close_view()
        self.overlay3d.close()
        self.overlay2d.close()
