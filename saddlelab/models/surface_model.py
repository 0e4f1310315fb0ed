"""The current loss surface, and for 3-variable surfaces the slice the views show.

Qt-free and evented: views subscribe to ``changed`` (a new surface: re-mesh) and
``slice_changed`` (a new value of the third variable: re-evaluate the slice).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from psygnal import Signal

from saddlelab.core.surface import Surface
from saddlelab.core.undefined import UndefinedRegion, undefined_region


class SurfaceModel:
    """Holds the surface every view and run uses; only the GUI thread changes it."""

    changed = Signal(object)
    """A new surface was chosen (argument: the Surface)."""
    slice_changed = Signal(float)
    """The third variable's slice value moved (3-variable surfaces only)."""

    def __init__(self, surface: Surface) -> None:
        self._surface = surface
        self._slice = surface.default_slice() if surface.ndim == 3 else 0.0
        self._grid_cache: tuple | None = None
        self._undefined: tuple[Surface, UndefinedRegion] | None = None

    @property
    def surface(self) -> Surface:
        return self._surface

    @property
    def ndim(self) -> int:
        return self._surface.ndim

    @property
    def slice_value(self) -> float:
        """Value of the third variable in the 2-D views (0 and unused for 2-variable ones)."""
        return self._slice

    @property
    def slice_range(self) -> tuple[float, float]:
        if self._surface.ndim < 3:
            return (0.0, 0.0)
        return self._surface.domain[2]

    @property
    def undefined(self) -> UndefinedRegion:
        """Where the surface's loss is undefined (share and region; computed once per surface)."""
        if self._undefined is None or self._undefined[0] is not self._surface:
            self._undefined = (self._surface, undefined_region(self._surface))
        return self._undefined[1]

    def set_surface(self, surface: Surface) -> None:
        self._surface = surface
        self._slice = surface.default_slice() if surface.ndim == 3 else 0.0
        self.changed.emit(surface)

    def set_slice(self, value: float) -> None:
        """Move the slice; clamped to the third variable's domain."""
        if self._surface.ndim < 3:
            return
        lo, hi = self._surface.domain[2]
        value = float(min(max(value, lo), hi))
        if value != self._slice:
            self._slice = value
            self.slice_changed.emit(value)

    def slice_label(self) -> str:
        """A sentence for the UI saying what the 2-D views show."""
        s = self._surface
        if s.ndim < 3:
            return ""
        return (
            f"Views show the slice {s.variables[2]} = {self._slice:.3g}; "
            "trajectories are projected onto it."
        )

    def grid(self, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Loss on the views' grid: ``(xs, ys, values)`` with ``values[i, j]`` at (xs[i], ys[j]).

        The last grid is cached, so the 3-D and contour views share one evaluation.
        """
        key = (self._surface, self._slice, resolution)
        if self._grid_cache is None or self._grid_cache[0] != key:
            fixed = [self._slice] if self._surface.ndim == 3 else None
            xs, ys, evaluation = self._surface.grid(resolution, fixed=fixed)
            self._grid_cache = (key, xs, ys, evaluation.values)
        return self._grid_cache[1:]

    def plane_loss(self, xy: np.ndarray) -> np.ndarray:
        """Loss at points ``(..., 2)`` of the views' plane (on the slice for 3 variables)."""
        xy = np.asarray(xy, dtype=float)
        if self._surface.ndim == 2:
            return self._surface.loss(xy)
        full = np.empty((*xy.shape[:-1], 3))
        full[..., :2] = xy
        full[..., 2] = self._slice
        return self._surface.loss(full)

    def plane_to_full(self, xy: np.ndarray) -> np.ndarray:
        """Points (k, ndim) of the surface for points (k, 2) of the views' plane (the third
        coordinate, for 3 variables, is the slice value)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if self._surface.ndim == 2:
            return xy
        full = np.empty((len(xy), 3))
        full[:, :2] = xy
        full[:, 2] = self._slice
        return full

    def full_point(self, xy: Sequence[float], base: Sequence[float] | None = None) -> tuple:
        """A point of the surface from a point of the views' plane.

        For 3 variables the third coordinate comes from ``base`` (e.g. a run's start) or the
        slice value.
        """
        if self._surface.ndim == 2:
            return (float(xy[0]), float(xy[1]))
        third = float(base[2]) if base is not None and len(base) == 3 else self._slice
        return (float(xy[0]), float(xy[1]), third)
