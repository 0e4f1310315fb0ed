"""How the views draw the surface and the second-order overlays, and the probe point.

Plain state, declared as a psygnal evented dataclass: assigning a field emits
``settings.events.<field>`` with the new value (and only when it changed). The probe point is
the selected run's current point by default (``Probe.source == "run"``) or a point the user
picked in the contour view (``"picked"``); the :class:`~.probe.ProbeModel` analyses it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from psygnal import Signal, evented

PROBE_SOURCES = ("run", "picked")
PRESENTATION_TYPE = 1.35
"""Presentation mode: text this much larger (for the back rows of a lecture hall)."""
PRESENTATION_LINES = 1.8
"""Presentation mode: trajectories, contour lines, arrows and markers this much thicker."""
ZOOM_STEP = 1.1
ZOOM_RANGE = (0.8, 2.0)


@dataclass(frozen=True)
class Look:
    """How large the window draws: presentation mode on or off, and a zoom factor on top."""

    presentation: bool = False
    zoom: float = 1.0

    @property
    def type_scale(self) -> float:
        """Factor on every font size."""
        return (PRESENTATION_TYPE if self.presentation else 1.0) * self.zoom

    @property
    def line_scale(self) -> float:
        """Factor on every line width and marker size."""
        return (PRESENTATION_LINES if self.presentation else 1.0) * self.zoom

    def zoomed(self, steps: int) -> Look:
        """``steps`` zoom steps in (> 0) or out (< 0); 0 resets the zoom to 1."""
        zoom = 1.0 if steps == 0 else self.zoom * ZOOM_STEP**steps
        zoom = round(min(max(zoom, ZOOM_RANGE[0]), ZOOM_RANGE[1]), 3)
        return Look(self.presentation, zoom)


@dataclass(frozen=True)
class Probe:
    """The probe point (a tuple, or None) and where it comes from ('run' or 'picked')."""

    point: tuple[float, ...] | None = None
    source: str = "run"


@evented
@dataclass
class ViewSettings:
    """Display options shared by the 3-D and contour views and the second-order overlays."""

    log_height: bool = False
    grid_lines: bool = True
    contour_lines: bool = True
    probe: Probe = field(default_factory=Probe)
    taylor_radius: float = 0.4
    """Radius of the Taylor patch and contours around the probe (set per surface)."""
    show_taylor_patch: bool = True
    show_taylor_contours: bool = True
    show_eigen_arrows: bool = True
    look: Look = field(default_factory=Look)
    """Presentation mode and zoom: every view and panel scales its type and lines by it."""

    hover_changed = Signal(object)
    """The surface point under the pointer in the contour view (a tuple), or None. Not state:
    an event, so it is a plain signal beside the fields' events."""

    @property
    def probe_point(self) -> tuple[float, ...] | None:
        return self.probe.point

    @property
    def probe_source(self) -> str:
        return self.probe.source

    def set_log_height(self, on: bool) -> None:
        self.log_height = bool(on)

    def set_grid_lines(self, on: bool) -> None:
        self.grid_lines = bool(on)

    def set_contour_lines(self, on: bool) -> None:
        self.contour_lines = bool(on)

    def set_taylor_radius(self, radius: float) -> None:
        """A positive finite radius; anything else is ignored (the last good one stays)."""
        radius = float(radius)
        if math.isfinite(radius) and radius > 0:
            self.taylor_radius = radius

    def set_probe(self, point: Sequence[float] | None, source: str = "picked") -> None:
        if source not in PROBE_SOURCES:
            raise ValueError("probe source is 'run' or 'picked'")
        value = None if point is None else tuple(float(p) for p in point)
        self.probe = Probe(value, source)

    def set_hover(self, point: Sequence[float] | None) -> None:
        """Where the pointer is (the Taylor read-out compares the model with the loss there)."""
        self.hover_changed.emit(None if point is None else tuple(float(p) for p in point))
