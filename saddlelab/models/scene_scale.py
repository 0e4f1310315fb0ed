"""Where things go on screen: the shared map from (x, y, loss) to 3-D world coordinates.

Both axes of the domain map to [-1, 1] and the loss to heights in [0, HEIGHT] (linear, or
logarithmic for surfaces whose values span orders of magnitude); the colour of a point is its
relative height. The 3-D view, its colour legend and the contour view all use one instance, so
their colours and levels agree. Pure numpy.
"""

from __future__ import annotations

import numpy as np
from psygnal import Signal

HEIGHT = 1.1
"""World height of the tallest point of the surface (the footprint is 2 x 2)."""


class SceneScale:
    """Affine x/y map and linear-or-log height map for one surface grid."""

    def __init__(self, domain, values: np.ndarray, log: bool = False) -> None:
        (self.x0, self.x1), (self.y0, self.y1) = domain[0], domain[1]
        finite = values[np.isfinite(values)]
        self.undefined = 1.0 - finite.size / values.size if values.size else 0.0
        """Share of the grid where the loss is undefined (NaN/inf): drawn without colour, and
        left out of the colour range."""
        self.log = bool(log)
        self.fmin = float(finite.min()) if finite.size else 0.0
        self.fmax = float(finite.max()) if finite.size else 1.0
        if not self.fmax > self.fmin:
            self.fmax = self.fmin + 1.0
        # Offset keeping log() finite at the minimum: the 0.5th percentile of the grid's values
        # above it (at least a millionth of the range), so the log surface has no needle-thin
        # spike at the grid's lowest vertex.
        above = finite - self.fmin
        floor = float(np.percentile(above, 0.5)) if above.size else 0.0
        self.delta = max(1e-6 * (self.fmax - self.fmin), floor)
        self.vmin = float(self._transform(self.fmin))
        self.vmax = float(self._transform(self.fmax))

    def _transform(self, f):
        f = np.asarray(f, dtype=float)
        if not self.log:
            return f
        with np.errstate(all="ignore"):
            return np.log10(np.maximum(f - self.fmin, 0.0) + self.delta)

    def unit(self, f) -> np.ndarray:
        """Relative height in [0, 1] (clipped; NaN stays NaN): also the colour coordinate."""
        v = self._transform(f)
        return np.clip((v - self.vmin) / (self.vmax - self.vmin), 0.0, 1.0)

    def loss_at_unit(self, u) -> np.ndarray:
        """The loss at relative height ``u`` (for legend ticks and contour levels)."""
        v = self.vmin + np.asarray(u, dtype=float) * (self.vmax - self.vmin)
        if not self.log:
            return v
        return self.fmin + 10.0**v - self.delta

    def wx(self, x) -> np.ndarray:
        return (np.asarray(x, dtype=float) - self.x0) / (self.x1 - self.x0) * 2.0 - 1.0

    def wy(self, y) -> np.ndarray:
        return (np.asarray(y, dtype=float) - self.y0) / (self.y1 - self.y0) * 2.0 - 1.0

    def wz(self, f) -> np.ndarray:
        return self.unit(f) * HEIGHT

    def world(self, xy: np.ndarray, loss: np.ndarray, lift: float = 0.0) -> np.ndarray:
        """(k, 3) world points for plane points ``xy`` (k, 2) with losses ``loss`` (k,)."""
        out = np.empty((len(loss), 3), dtype=np.float32)
        out[:, 0] = np.clip(self.wx(xy[:, 0]), -1.05, 1.05)
        out[:, 1] = np.clip(self.wy(xy[:, 1]), -1.05, 1.05)
        out[:, 2] = self.wz(loss) + lift
        return out

    def levels(self, count: int) -> np.ndarray:
        """``count`` contour levels evenly spaced in (possibly log) height, inside the range."""
        u = (np.arange(count) + 0.5) / count
        return self.loss_at_unit(u)


class SceneModel:
    """The scene scale every view draws with, built once per surface, slice and height mode.

    Qt-free and evented: ``changed`` fires when the surface, its slice or the log-height
    setting changed; the new scale is built on first use of :attr:`scale` (so the 3-D view, the
    colour bar, the contour view and the overlays share one grid evaluation and one scale).
    """

    changed = Signal()

    def __init__(self, surface, view, resolution: int = 200) -> None:
        self._surface = surface
        self._view = view
        self.resolution = resolution
        self._scale: SceneScale | None = None
        surface.changed.connect(self._invalidate)
        surface.slice_changed.connect(self._invalidate)
        view.events.log_height.connect(self._invalidate)

    @property
    def scale(self) -> SceneScale:
        if self._scale is None:
            _, _, values = self._surface.grid(self.resolution)
            log = self._view.log_height
            self._scale = SceneScale(self._surface.surface.domain, values, log=log)
        return self._scale

    def set_resolution(self, resolution: int) -> None:
        if int(resolution) != self.resolution:
            self.resolution = int(resolution)
            self._invalidate()

    def _invalidate(self, *_) -> None:
        self._scale = None
        self.changed.emit()
