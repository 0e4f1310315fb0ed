"""Critical-point markers in the 2-D contour view: shape and colour both say the class."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from saddlelab.app.style import CLASS_COLOURS, CLASS_SYMBOLS

SIZE = 17


class CriticalMarkers2D(pg.ScatterPlotItem):
    """Minimum ●, maximum ▲, saddle ✖, degenerate ◆, each with a dark outline."""

    def __init__(self) -> None:
        super().__init__(pxMode=True)
        self.setZValue(30)
        self._classes: list[str] = []
        self.size = SIZE
        """Marker size in pixels (presentation mode: larger)."""

    def set_points(self, xy, classes, isolated=None) -> None:
        """Plane points (n, 2) with their class names; points sampled along a curve are smaller."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        self._classes = list(classes)
        iso = np.ones(len(xy), bool) if isolated is None else np.asarray(isolated, bool)
        spots = [
            {
                "pos": (float(x), float(y)),
                "symbol": CLASS_SYMBOLS.get(c, "o"),
                "brush": pg.mkBrush(CLASS_COLOURS.get(c, "#ffffff")),
                "pen": pg.mkPen("#000000", width=1.5 * self.size / SIZE),
                "size": self.size if i else 0.65 * self.size,
                "data": c,
            }
            for (x, y), c, i in zip(xy, self._classes, iso, strict=True)
        ]
        self.setData(spots=spots)

    def classes(self) -> list[str]:
        return list(self._classes)
