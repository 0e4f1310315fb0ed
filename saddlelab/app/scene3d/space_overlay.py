"""The second-order story in the parameter-space view: the three eigenvector arrows at the
probe, the Taylor model's quadric, the critical points by class, and the in-scene legend that
names them (levels, eigenvalues with their signs, the probe's classification).

Reads only models (``state.probe``, ``state.critical``, ``state.view``) and places everything
with the view's ``world`` map (parameter coordinates to the scene's cube).
"""

from __future__ import annotations

import numpy as np

from saddlelab.app.scene3d.arrows3d import GLArrows3D
from saddlelab.app.scene3d.critical_markers import SIZE as MARKER_SIZE
from saddlelab.app.scene3d.critical_markers import GLCriticalMarkersItem
from saddlelab.app.scene3d.isosurface_items import GLShells
from saddlelab.app.scene3d.legend import POINT_SIZE as LEGEND_POINTS
from saddlelab.app.scene3d.legend import GLLegendItem
from saddlelab.app.style import CLASS_COLOURS, PATCH_COLOUR, rgba
from saddlelab.app.widgets.legend_content import LegendContent
from saddlelab.core.numbers import fmt
from saddlelab.core.quadric import taylor_quadric
from saddlelab.models.subscriptions import Subscriptions

ARROW_HALF = 0.5
SPACE_LEGEND_POINTS = LEGEND_POINTS - 2
"""Smaller than the height map's legend: the box needs the room."""
"""Longest arrow's half-length in scene units (the box is 2 wide)."""
WORDS = {
    "local_min": "a local minimum",
    "local_max": "a local maximum",
    "saddle": "a saddle point",
    "degenerate": "degenerate (second order cannot decide)",
    "not_critical": "not a critical point (the gradient is not zero)",
}


class SpaceLegendContent(LegendContent):
    """The shared legend rows plus the isosurface levels and the probe's classification."""

    def __init__(self, changed) -> None:
        super().__init__(changed)
        self._levels = ""
        self._verdict = ""

    def set_levels(self, levels, colours) -> None:
        dots = "".join(f"<span style='color:{c}; font-weight:bold'>\u25cf</span>" for c in colours)
        self._levels = (
            f"{dots} isosurfaces L = {', '.join(fmt(v, 2) for v in levels)}" if levels else ""
        )
        self._refresh()

    def set_verdict(self, text: str) -> None:
        self._verdict = text
        self._refresh()

    def html(self, compact: bool = False) -> str:
        parts = (self._verdict, super().html(compact), self._levels)
        return "<br>".join(p for p in parts if p)


def verdict(analysis) -> str:
    """e.g. "Probe (0, 0, 0): a saddle point" (rich text, the class in its colour)."""
    names = ", ".join(fmt(float(x), 3) for x in analysis.point)
    c = analysis.classification
    colour = CLASS_COLOURS.get(c, "#ffffff")
    return f"<b>Probe ({names}):</b> <b style='color:{colour}'>{WORDS.get(c, c)}</b>"


class SpaceOverlay:
    """Arrows, quadric, markers and legend in one ParameterSpaceView."""

    def __init__(self, state, view) -> None:
        self.state, self.view = state, view
        self.arrows = GLArrows3D()
        self.quadric = GLShells(depth=25)
        self.markers = GLCriticalMarkersItem()
        self.legend = GLLegendItem()
        self.content = SpaceLegendContent(self.legend._changed)
        self.legend.content = self.content
        self.legend.avoid = view.axes.label_rects
        self.quadric_kind = ""
        for item in (self.quadric, self.arrows, self.markers, self.legend):
            view.add_item(item)
        self._subs = Subscriptions()
        on = self._subs.connect
        on(state.probe.changed, self.redraw)
        on(state.critical.changed, self._draw_markers)
        for name in ("taylor_radius", "show_taylor_patch", "show_eigen_arrows"):
            on(getattr(state.view.events, name), self.redraw)
        on(state.view.events.look, self._on_look)
        self._on_look(state.view.look)

    def _on_look(self, look) -> None:
        self.markers.size = MARKER_SIZE * look.line_scale
        self.legend.set_point_size(SPACE_LEGEND_POINTS * look.type_scale)
        self.redraw()

    def redraw(self, *_) -> None:
        if self.state.surface.ndim != 3:
            return
        self._draw_probe()
        self._draw_markers()

    def set_levels(self, levels, colours) -> None:
        self.content.set_levels(levels, colours)

    def _draw_probe(self) -> None:
        a, settings = self.state.probe.analysis, self.state.view
        if (
            a is None
            or len(a.point) != 3
            or self.state.probe.surface is not self.state.surface.surface
        ):
            self.arrows.clear()
            self.quadric.clear()
            self.quadric_kind = ""
            self.content.set_arrows(refresh=False)
            self.content.set_overlay("", refresh=False)
            self.content.set_verdict("")
            return
        centre = self.view.world(np.asarray(a.point, dtype=float)[None])[0]
        # directions as they appear in the scene (the box scales each parameter)
        scale = self.view.world_scale()
        directions = [np.asarray(v, dtype=float) * scale for v in a.eigenvectors]
        if settings.show_eigen_arrows:
            self.arrows.set_arrows(centre, directions, a.eigenvalues, a.eigen_tolerance, ARROW_HALF)
            self.content.set_arrows(list(a.eigenvalues), a.eigen_tolerance, refresh=False)
        else:
            self.arrows.clear()
            self.content.set_arrows(refresh=False)
        self._draw_quadric(a, settings)
        self.content.set_verdict(verdict(a))

    def _draw_quadric(self, a, settings) -> None:
        if not settings.show_taylor_patch:
            self.quadric.clear()
            self.quadric_kind = ""
            self.content.set_overlay("", refresh=False)
            return
        radius = settings.taylor_radius
        q = taylor_quadric(a.taylor, radius, tolerance=a.eigen_tolerance)
        self.quadric_kind = q.kind
        if len(q.faces):
            self.quadric.set_shells([(self.view.world(q.vertices), q.faces, q.normals,
                                      rgba(PATCH_COLOUR, 0.3))])  # fmt: skip
        else:
            self.quadric.clear()
        self.content.set_overlay(
            f"Taylor quadric: {q.kind}",
            refresh=False,
        )

    def _draw_markers(self, *_) -> None:
        points = list(self.state.critical.points) if self.state.surface.ndim == 3 else []
        if points:
            xyz = np.array([p.point for p in points], dtype=float)
            classes = [p.classification for p in points]
            isolated = [getattr(p, "isolated", True) for p in points]
            self.markers.setData(self.view.world(xyz), classes, isolated)
        else:
            classes = []
            self.markers.clear()
        self.content.set_markers(classes)

    def close(self) -> None:
        self._subs.clear()
