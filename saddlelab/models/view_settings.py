"""How the views draw the surface, and the probe point other panels analyse.

The probe point is the selected run's current point by default (``probe_source == "run"``) or
a point the user picked in the contour view (``"picked"``). Panels that analyse a point (the
analysis panel, eigenvector arrows, Taylor overlay) subscribe to ``probe_changed``.
"""

from __future__ import annotations

from collections.abc import Sequence

from psygnal import Signal


class ViewSettings:
    """Display options shared by the 3-D and contour views."""

    log_height_changed = Signal(bool)
    grid_lines_changed = Signal(bool)
    contour_lines_changed = Signal(bool)
    probe_changed = Signal(object, str)
    """(point as a tuple, or None; source 'run' or 'picked')."""
    hover_changed = Signal(object)
    """The surface point under the pointer in the contour view (a tuple), or None."""

    def __init__(self) -> None:
        self._log_height = False
        self._grid_lines = True
        self._contour_lines = True
        self._probe: tuple[float, ...] | None = None
        self._probe_source = "run"

    @property
    def log_height(self) -> bool:
        return self._log_height

    @property
    def grid_lines(self) -> bool:
        return self._grid_lines

    @property
    def contour_lines(self) -> bool:
        return self._contour_lines

    @property
    def probe_point(self) -> tuple[float, ...] | None:
        return self._probe

    @property
    def probe_source(self) -> str:
        return self._probe_source

    def set_log_height(self, on: bool) -> None:
        if bool(on) != self._log_height:
            self._log_height = bool(on)
            self.log_height_changed.emit(self._log_height)

    def set_grid_lines(self, on: bool) -> None:
        if bool(on) != self._grid_lines:
            self._grid_lines = bool(on)
            self.grid_lines_changed.emit(self._grid_lines)

    def set_contour_lines(self, on: bool) -> None:
        if bool(on) != self._contour_lines:
            self._contour_lines = bool(on)
            self.contour_lines_changed.emit(self._contour_lines)

    def set_hover(self, point: Sequence[float] | None) -> None:
        """Where the pointer is (the Taylor read-out compares the model with the loss there)."""
        self.hover_changed.emit(None if point is None else tuple(float(p) for p in point))

    def set_probe(self, point: Sequence[float] | None, source: str = "picked") -> None:
        if source not in ("run", "picked"):
            raise ValueError("probe source is 'run' or 'picked'")
        value = None if point is None else tuple(float(p) for p in point)
        if (value, source) != (self._probe, self._probe_source):
            self._probe, self._probe_source = value, source
            self.probe_changed.emit(value, source)
