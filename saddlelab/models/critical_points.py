"""The critical points found for the current surface, and where the search stands.

Qt-free and evented. A search (run on a thread by the app's runtime) reports into this model:
:meth:`CriticalPointsModel.searching`, :meth:`progressed`, then :meth:`found`, :meth:`failed` or
:meth:`cancelled`. A result for a surface that is no longer shown is dropped, and a new surface
clears the list. The table, the 2-D and the 3-D markers all read :attr:`points` (markers only
those near the displayed slice of a 3-parameter surface, :meth:`near_slice`).
"""

from __future__ import annotations

import numpy as np
from psygnal import Signal

from saddlelab.core.numbers import count

NEAR_SLICE = 0.02
"""A 3-parameter point is marked on the slice within this fraction of the third range."""
PLURALS = {
    "local_min": ("local minimum", "local minima"),
    "local_max": ("local maximum", "local maxima"),
    "saddle": ("saddle point", "saddle points"),
    "degenerate": ("degenerate point", "degenerate points"),
}
ORDER = ("local_min", "local_max", "saddle", "degenerate")


class CriticalPointsModel:
    """Points, search state and its one-line message; ``changed`` after every change."""

    changed = Signal(object)
    """The model itself."""
    progress_changed = Signal(float)

    def __init__(self, surface_model) -> None:
        self._surface = surface_model
        self.points: list = []
        self.searching_now = False
        self.progress = 0.0
        self.message = "Not searched yet."
        surface_model.changed.connect(self._on_surface)

    @property
    def surface(self):
        return self._surface.surface

    def _on_surface(self, _surface) -> None:
        self.points, self.searching_now, self.progress = [], False, 0.0
        self.message = "Not searched yet."
        self.changed.emit(self)

    def searching(self) -> None:
        self.searching_now, self.progress = True, 0.0
        self.message = f"Searching {self.surface.name}\u2026"
        self.changed.emit(self)

    def progressed(self, fraction: float) -> None:
        self.progress = float(fraction)
        self.progress_changed.emit(self.progress)

    def found(self, surface, result) -> None:
        """A search finished; its points replace the list if they are of the shown surface."""
        if surface is not self.surface:
            return
        self.points, self.searching_now, self.progress = list(result), False, 1.0
        counts = result.counts()
        parts = [f"{counts[c]} {PLURALS[c][counts[c] > 1]}" for c in ORDER if counts.get(c)]
        text = f"Found {count(len(result), 'critical point')}"
        text += (": " + ", ".join(parts) + ".") if parts else "."
        if result.has_continuum:
            text += " Some lie on a curve of critical points (sampled along it)."
        if result.truncated:
            note = result.note()
            text += f" {note[0].upper()}{note[1:]}."
        self.message = text
        self.changed.emit(self)

    def failed(self, message: str) -> None:
        self.searching_now, self.message = False, message
        self.changed.emit(self)

    def cancelled(self) -> None:
        self.searching_now, self.message = False, "Search cancelled."
        self.changed.emit(self)

    def near_slice(self, slice_value: float) -> list:
        """The points a view of the slice marks: all of them for 2 parameters, else those
        within NEAR_SLICE of the third range from the slice."""
        surface = self.surface
        if surface.ndim < 3:
            return list(self.points)
        lo, hi = surface.domain[2]
        near = NEAR_SLICE * (hi - lo)
        return [p for p in self.points if abs(p.point[2] - slice_value) <= near]

    def markers(self, slice_value: float) -> tuple[np.ndarray, list[str], list[bool]]:
        """What both views mark on the slice: plane points (k, 2), classes, and whether each
        point is isolated (False: sampled along a curve of critical points)."""
        points = self.near_slice(slice_value)
        xy = np.array([p.point[:2] for p in points], dtype=float).reshape(-1, 2)
        classes = [p.classification for p in points]
        return xy, classes, [getattr(p, "isolated", True) for p in points]
