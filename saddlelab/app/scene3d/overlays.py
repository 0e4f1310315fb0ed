"""The second-order story drawn in the 3-D scene: eigenvector arrows, the Taylor patch, the
critical-point markers and their legend.

Reads only models: the probe's analysis (``state.probe``), the scene scale (``state.scene``),
the overlay settings (``state.view``: Taylor radius, which overlays show) and the critical
points (``state.critical``). Items are placed on the surface with the state's scene scale,
never with another view's attributes.
"""

from __future__ import annotations

import numpy as np

from saddlelab.app.scene3d.critical_markers import SIZE as MARKER_SIZE
from saddlelab.app.scene3d.critical_markers import GLCriticalMarkersItem
from saddlelab.app.scene3d.eigen_arrows import (
    GLEigenArrowsItem,
    eigen_arrow_geometry,
    lift_arrows,
)
from saddlelab.app.scene3d.legend import POINT_SIZE as LEGEND_POINTS
from saddlelab.app.scene3d.legend import GLLegendItem
from saddlelab.app.scene3d.taylor_patch import GLTaylorPatchItem, patch_grid
from saddlelab.app.style import NEGATIVE
from saddlelab.core.numbers import fmt
from saddlelab.models.subscriptions import Subscriptions

ARROW_FRACTION = 0.2
"""Longest eigenvector arrow (half-length) as a fraction of the domain's narrowest side."""
ARROW_LIFT = 0.012
ARROW_WIDTH = 5.0
PATCH_LIFT = 0.004


def slice_note(state, analysis, drawn) -> str:
    """For 3 parameters: which slice the arrows show, and the eigenvalues of the eigenvectors
    that point out of it (not drawn), named with their signs: a negative one is an escape
    direction the slice hides, written in the escape colour. ``drawn``: the arrows drawn."""
    model = state.surface
    if model.ndim < 3:
        return ""
    names = model.surface.variables
    note = (
        f"3 parameters: arrows show the ({names[0]}, {names[1]}) parts in the slice "
        f"{names[2]} = {fmt(model.slice_value, 3)}"
    )
    shown = {arrow.index for arrow in drawn}
    tol = analysis.eigen_tolerance
    for i, lam in enumerate(analysis.eigenvalues):
        if i in shown:
            continue
        lam = float(lam)
        text = f"λ = {fmt(lam, 3)} points out of the slice (along {names[2]})"
        if lam < -tol:
            note += (
                f"<br><span style='color:{NEGATIVE}; font-weight:bold'>{text}: the loss falls "
                "there, an escape direction this slice hides</span>"
            )
        else:
            note += f"<br>{text}: the loss {'rises' if lam > tol else 'is flat'} there"
    return note


class SecondOrderOverlay3D:
    """Arrows, Taylor patch, critical markers and legend in one 3-D view."""

    def __init__(self, state, view) -> None:
        self.state = state
        self.arrows = GLEigenArrowsItem()
        self.patch = GLTaylorPatchItem()
        self.markers = GLCriticalMarkersItem()
        self.legend = GLLegendItem()  # painted in the scene: the 3-D view is a native GL window
        self.legend.avoid = view.axes.label_rects
        for item in (self.patch, self.markers, self.arrows, self.legend):
            view.add_item(item)
        self._subs = Subscriptions()
        on = self._subs.connect
        on(state.probe.changed, self._on_probe)
        on(state.scene.changed, self.redraw)
        on(state.surface.slice_changed, self._on_slice)
        on(state.critical.changed, self._draw_markers)
        events = state.view.events
        for name in ("taylor_radius", "show_taylor_patch", "show_eigen_arrows"):
            on(getattr(events, name), self.redraw)
        on(events.look, self._on_look)
        self._on_look(state.view.look)

    def _on_look(self, look) -> None:
        """Presentation mode: thicker arrows, larger markers and legend text."""
        self.arrows.width = ARROW_WIDTH * look.line_scale
        self.markers.size = MARKER_SIZE * look.line_scale
        self.legend.set_point_size(LEGEND_POINTS * look.type_scale)
        self.redraw()

    def _on_probe(self, probe) -> None:
        self._draw_probe()

    def _on_slice(self, _value) -> None:
        self._draw_markers()

    def redraw(self, *_) -> None:
        """Re-lift everything (new scale, slice, radius or overlay choice)."""
        if self.state.probe.surface is not self.state.surface.surface:
            return  # a surface switch under way: the probe announces its new analysis itself
        self._draw_probe()
        self._draw_markers()

    def _world(self, xy: np.ndarray, lift: float) -> np.ndarray:
        """World points on the surface for plane points (k, 2), in the state's scene scale."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        return self.state.scene.scale.world(xy, self.state.surface.plane_loss(xy), lift)

    def _draw_probe(self) -> None:
        state, a = self.state, self.state.probe.analysis
        view = state.view
        if a is None:
            self.arrows.clear()
            self.patch.clear()
            self.legend.set_arrows(refresh=False)
            self.legend.set_overlay("")
            return
        arrows = eigen_arrow_geometry(
            a.point, a.eigenvalues, a.eigenvectors, a.eigen_tolerance, ARROW_FRACTION * state.span()
        )
        self.arrows.setData(**lift_arrows(arrows, lambda xy: self._world(xy, ARROW_LIFT)))
        self.arrows.setVisible(view.show_eigen_arrows)
        shown = [x.eigenvalue for x in arrows] if view.show_eigen_arrows else []
        note = slice_note(state, a, arrows)
        self.legend.set_arrows(shown, a.eigen_tolerance, note, refresh=False)
        if view.show_taylor_patch:
            scale, radius = state.scene.scale, view.taylor_radius
            xy, faces, wires = patch_grid(a.point, radius)
            values = a.taylor(state.surface.plane_to_full(xy))
            pad = 0.02 * (scale.fmax - scale.fmin)
            visible = (
                np.isfinite(values) & (values >= scale.fmin - pad) & (values <= scale.fmax + pad)
            )
            self.patch.setData(scale.world(xy, values, PATCH_LIFT), faces, wires, visible)
            self.legend.set_overlay(f"Taylor model within r = {fmt(radius, 3)}", refresh=False)
        else:
            self.patch.clear()
            self.legend.set_overlay("", refresh=False)
        self.legend.refresh()

    def _draw_markers(self, *_) -> None:
        xy, classes, isolated = self.state.critical.markers(self.state.surface.slice_value)
        if classes:
            self.markers.setData(self._world(xy, ARROW_LIFT), classes, isolated)
        else:
            self.markers.clear()
        self.legend.set_markers(classes)

    def close(self) -> None:
        self._subs.clear()
