"""The second-order story drawn in the contour view: the Taylor model's dashed contours, the
critical-point markers and their legend.

Reads only models, as :mod:`saddlelab.app.scene3d.overlays` does in 3-D: the probe's analysis,
the overlay settings and the critical points of the state.
"""

from __future__ import annotations

import numpy as np

from saddlelab.app.plots.critical_markers import SIZE as MARKER_SIZE
from saddlelab.app.plots.critical_markers import CriticalMarkers2D
from saddlelab.app.plots.legend import SecondOrderLegend
from saddlelab.app.plots.taylor_contours import TaylorContoursItem, taylor_contour_lines
from saddlelab.core.numbers import fmt
from saddlelab.models.subscriptions import Subscriptions


class SecondOrderOverlay2D:
    """Taylor contours, critical markers and legend in one contour view."""

    def __init__(self, state, view) -> None:
        self.state = state
        self.contours = TaylorContoursItem()
        self.markers = CriticalMarkers2D()
        for item in (self.contours, self.markers):
            view.add_item(item)
        self.legend = SecondOrderLegend(view.plot_widget, corner="bottom-right")
        self._subs = Subscriptions()
        on = self._subs.connect
        on(state.probe.changed, self._on_probe)
        on(state.surface.slice_changed, self.redraw)
        on(state.critical.changed, self._draw_markers)
        on(state.scene.changed, self._show_undefined)
        events = state.view.events
        for name in ("taylor_radius", "show_taylor_contours"):
            on(getattr(events, name), self.redraw)
        on(events.look, self._on_look)
        self._on_look(state.view.look)

    def _on_look(self, look) -> None:
        """Presentation mode: thicker model contours, larger markers and legend text."""
        self.contours.line_scale = look.line_scale
        self.contours.update()
        self.markers.size = MARKER_SIZE * look.line_scale
        self.legend.set_type_scale(look.type_scale)
        self.redraw()
        self._show_undefined()

    def _show_undefined(self) -> None:
        """The legend's row for the hatched part (where the loss is undefined), if any."""
        self.legend.set_undefined(self.state.scene.scale.undefined > 0)

    def _on_probe(self, probe) -> None:
        self._draw_probe()

    def redraw(self, *_) -> None:
        if self.state.probe.surface is not self.state.surface.surface:
            return  # a surface switch under way: the probe announces its new analysis itself
        self._draw_probe()
        self._draw_markers()

    def _draw_probe(self) -> None:
        state, a = self.state, self.state.probe.analysis
        if a is None or not state.view.show_taylor_contours:
            self.contours.clear()
            self.legend.set_overlay("")
            return
        radius = state.view.taylor_radius

        def on_plane(xy: np.ndarray) -> np.ndarray:
            return a.taylor(state.surface.plane_to_full(xy))

        lines = taylor_contour_lines(on_plane, a.point, radius)
        self.contours.setData(lines, a.point[:2], radius)
        self.legend.set_overlay(f"Taylor model contours (dashed), r = {fmt(radius, 3)}")

    def _draw_markers(self, *_) -> None:
        xy, classes, isolated = self.state.critical.markers(self.state.surface.slice_value)
        self.markers.set_points(xy, classes, isolated)
        self.legend.set_markers(classes)

    def close(self) -> None:
        self._subs.clear()
