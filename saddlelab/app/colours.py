"""The colour map shared by the 3-D view, its legend and the contour view."""

from __future__ import annotations

from functools import cache

import numpy as np
import pyqtgraph as pg

COLORMAP = "viridis"


@cache
def lut() -> np.ndarray:
    """256 x 4 uint8 RGBA lookup table of the surface colour map."""
    return pg.colormap.get(COLORMAP).getLookupTable(0.0, 1.0, 256, alpha=True).astype(np.uint8)


def colormap() -> pg.ColorMap:
    return pg.colormap.get(COLORMAP)


def rgba(u: np.ndarray) -> np.ndarray:
    """RGBA bytes for relative heights ``u`` in [0, 1]; NaN becomes grey."""
    u = np.asarray(u, dtype=float)
    idx = np.clip(np.nan_to_num(u, nan=0.0) * 255.0 + 0.5, 0, 255).astype(np.intp)
    out = lut()[idx]
    out[np.isnan(u)] = (110, 110, 110, 255)
    return out
