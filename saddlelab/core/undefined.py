"""Where a loss is undefined: the share of the domain, the region in words, a point's verdict.

``log(x) + y^2`` on x in [-2, 2] has no value for x < 0 (NaN), ``1/x^2`` has none at x = 0
(inf). :func:`undefined_region` samples the domain on a grid (the views' grid for 2 variables)
and says what share of it has no finite loss and where, by the bounding box of each connected
undefined region (``x < 0``; ``x > 0 and y < 0``; ``within -1 < x < 1, -1 < y < 1`` when the
region does not fill its box). :func:`point_verdict` gives the one line the analysis panel, the
hover read-out, the runs and the CLI say at a point where the loss or its derivatives are
undefined. Pure numpy (scipy only for regions that are not boxes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .numbers import fmt

GRID_2D = 200
"""Points per axis for 2-variable surfaces (the contour and 3-D views' grid)."""
GRID_3D = 48
"""Points per axis for 3-variable surfaces (the whole box, not one slice)."""
MAX_REGIONS = 3
"""Regions described one by one; more are counted."""


@dataclass(frozen=True)
class UndefinedRegion:
    """The part of the domain where the loss has no finite value, as sampled."""

    share: float
    """Fraction of the grid's points with a NaN or infinite loss (0 when defined everywhere)."""
    where: str
    """The region in words, e.g. ``"x < 0"`` (empty when defined everywhere)."""
    boxes: tuple[tuple[tuple[float, float], ...], ...] = ()
    """Bounding box per connected region: one ``(low, high)`` per variable."""

    @property
    def any(self) -> bool:
        return self.share > 0

    def percent(self) -> str:
        """The share as a percentage people read: ``50%``, ``<1%``, ``>99%``."""
        p = 100.0 * self.share
        if p < 1:
            return "<1%"
        if p > 99 and self.share < 1:
            return ">99%"
        return f"{p:.0f}%"

    def sentence(self) -> str:
        """``"L is undefined on 50% of the domain (x < 0)"``; empty when defined everywhere."""
        if not self.any:
            return ""
        if self.share >= 1:
            return "L is undefined on the whole domain: no point has a finite loss"
        return f"L is undefined on {self.percent()} of the domain ({self.where})"

    def to_dict(self) -> dict:
        return {
            "share": self.share,
            "where": self.where,
            "regions": [[list(b) for b in box] for box in self.boxes],
            "message": self.sentence(),
        }


DEFINED = UndefinedRegion(0.0, "")


def _sample(surface, resolution: int | None) -> tuple[list[np.ndarray], np.ndarray]:
    n = resolution or (GRID_2D if surface.ndim == 2 else GRID_3D)
    axes = [np.linspace(lo, hi, n) for lo, hi in surface.domain]
    grids = np.meshgrid(*axes, indexing="ij")
    return axes, ~np.isfinite(surface.loss(*grids))


def _simplest(low: float, high: float) -> float:
    """The number with the fewest significant digits strictly between ``low`` and ``high``
    (where a boundary between two grid points may lie), nearest their middle."""
    mid = 0.5 * (low + high)
    width = high - low
    if not width > 0:
        return mid
    for k in range(int(np.ceil(np.log10(max(abs(low), abs(high), width)))) + 1, -330, -1):
        step = 10.0**k
        candidate = float(np.round(mid / step) * step)
        if low < candidate < high:
            return candidate
    return mid


def _side(name: str, axis: np.ndarray, i0: int, i1: int) -> str:
    """Condition on one variable for a box from grid index i0 to i1 (inclusive)."""
    n = len(axis)
    low = _simplest(axis[i0 - 1], axis[i0]) if i0 > 0 else None
    high = _simplest(axis[i1], axis[i1 + 1]) if i1 < n - 1 else None
    if low is None and high is None:
        return ""
    if low is None:
        return f"{name} < {fmt(high, 3, plain=True)}"
    if high is None:
        return f"{name} > {fmt(low, 3, plain=True)}"
    return f"{fmt(low, 3, plain=True)} < {name} < {fmt(high, 3, plain=True)}"


def _describe_box(names, axes, lows, highs, filled: bool) -> str:
    sides = [_side(nm, ax, lo, hi) for nm, ax, lo, hi in zip(names, axes, lows, highs, strict=True)]
    sides = [s for s in sides if s]
    if not sides:
        return "the whole domain"
    return " and ".join(sides) if filled else "within " + ", ".join(sides)


def _box(mask: np.ndarray) -> tuple[list[int], list[int], bool]:
    """Grid index bounds of the True cells of ``mask`` and whether they fill that box."""
    idx = np.nonzero(mask)
    lows, highs = [int(i.min()) for i in idx], [int(i.max()) for i in idx]
    cells = int(np.prod([h - a + 1 for a, h in zip(lows, highs, strict=True)]))
    return lows, highs, cells == idx[0].size


def _regions(mask: np.ndarray) -> list[tuple[list[int], list[int], bool]]:
    """One :func:`_box` per connected region of ``mask`` (a solid box needs no labelling)."""
    whole = _box(mask)
    if whole[2]:
        return [whole]
    from scipy import ndimage

    labels, count = ndimage.label(mask)
    return [_box(labels == k) for k in range(1, int(count) + 1)]


def undefined_region(surface, resolution: int | None = None) -> UndefinedRegion:
    """Share of the domain where ``surface`` has no finite loss, and where (see module doc)."""
    axes, mask = _sample(surface, resolution)
    bad = int(np.count_nonzero(mask))
    if bad == 0:
        return DEFINED
    share = bad / mask.size
    names = surface.variables
    regions = _regions(mask)
    boxes = tuple(
        tuple((float(ax[a]), float(ax[h])) for ax, a, h in zip(axes, lo, hi, strict=True))
        for lo, hi, _ in regions
    )
    return UndefinedRegion(share, _where(names, axes, mask, regions), boxes)


def _where(names, axes, mask: np.ndarray, regions) -> str:
    """The undefined region in words: its boxes, or the box where the loss is defined when
    that reads better (an L-shaped undefined region, or one around a defined disk)."""
    whole = "the whole domain"
    spans_all = any(_describe_box(names, axes, lo, hi, True) == whole for lo, hi, _ in regions)
    if mask.all() or (regions[0][2] and len(regions) == 1):
        return _describe_box(names, axes, *regions[0])
    lo, hi, solid = _box(~mask)
    defined = _describe_box(names, axes, lo, hi, solid)
    if solid or (spans_all and defined != whole):
        return ("defined only where " if solid else "defined only ") + defined
    if len(regions) > MAX_REGIONS:
        return f"in {len(regions)} separate regions"
    return "; ".join(_describe_box(names, axes, a, b, full) for a, b, full in regions)


def _point_text(point: Sequence[float]) -> str:
    return "(" + ", ".join(fmt(float(v), 4, plain=True) for v in point) + ")"


def what_is_undefined(surface, point: Sequence[float]) -> str | None:
    """``"L is undefined"``, ``"L has no finite gradient"`` or ``"L has no finite second
    derivatives"`` at ``point`` (NaN or infinite there); None where all three are finite."""
    p = np.asarray(point, dtype=float).reshape(-1)
    if not np.isfinite(surface.loss(p)):
        return "L is undefined"
    if not np.all(np.isfinite(surface.gradient(p))):
        return "L has no finite gradient"
    if not np.all(np.isfinite(surface.hessian(p))):
        return "L has no finite second derivatives"
    return None


def point_verdict(surface, point: Sequence[float]) -> str | None:
    """Why ``point`` cannot be analysed, in one line (``"L is undefined at (-1, -1)"``); None
    where the loss, its gradient and its Hessian are all finite."""
    what = what_is_undefined(surface, point)
    return None if what is None else f"{what} at {_point_text(point)}"


def run_verdict(surface, point: Sequence[float], steps: int) -> str:
    """What a run says when it starts, or arrives, where the loss or its gradient is undefined
    (NaN or infinite at a finite point inside the domain's margin: not a divergence)."""
    what = what_is_undefined(surface, point) or "L or its gradient is not finite"
    where = _point_text(point)
    if steps == 0:
        return f"{what} at the start {where}: choose another start"
    return (
        f"stopped: {what} at {where}, reached after {steps} step{'s' if steps != 1 else ''} "
        "(the run left the region where L is defined)"
    )
