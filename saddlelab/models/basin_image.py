"""The look of a basins-of-attraction picture, Qt-free: shared by the window and the CLI's PNG.

* :func:`attractor_colours`: one colour per attractor, never repeating for any number of them.
  Minima take the strong colours (first a hand-picked colour-blind-safe palette, then colours
  picked one by one as far as possible, in OKLab, from every colour already used); saddles,
  maxima and other critical points take muted, greyish colours, so a basin that ends on a
  saddle reads as "not a minimum" before the legend is read. The same list of attractors
  always gets the same colours.
* :data:`DIVERGED_RGB` (near black) and :data:`NOT_CONVERGED_RGB` (mid grey) are fixed and no
  attractor is given anything close to them.
* :func:`basin_rgba`: the image, rows = ys (row j is ``ys[j]``), each cell its attractor's
  colour, **darker = fewer steps to converge, lighter = more** (blended towards white by up to
  :data:`MAX_LIGHTEN`; on a log scale when the steps span a decade or more): :func:`step_scale`.
* :func:`legend_entries`: colour, label (class and point) and share of cells for the legends.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from saddlelab.core.criticality import NAMES
from saddlelab.core.numbers import fmt

DIVERGED_RGB = (30, 30, 30)
NOT_CONVERGED_RGB = (150, 150, 150)
DIVERGED_LABEL = "diverged"
NOT_CONVERGED_LABEL = "not converged within {steps} steps"
MAX_LIGHTEN = 0.6
"""The slowest converged cell is blended this far towards white."""
STRONG = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#8c6d1f",
          "#6a3d9a")  # fmt: skip
"""The first minima's colours (Okabe-Ito without black and yellow, plus brown and purple)."""
STRONG_CLASSES = ("local_min",)
CLASS_ORDER = ("local_min", "saddle", "local_max", "degenerate")
"""Minima pick their colours first, then saddles, maxima, the rest."""
CROWDED = 0.06
"""OKLab distance below which a family's colours count as used up (see :func:`_farthest`)."""
LOG_DECADE = 10.0
"""The lightness scale is logarithmic when the slowest cell took this many times the steps of
the fastest, or more."""


def _hex_rgb(text: str) -> np.ndarray:
    return np.array([int(text[k : k + 2], 16) for k in (1, 3, 5)], dtype=float)


def _to_linear(rgb255: np.ndarray) -> np.ndarray:
    c = rgb255 / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _from_linear(lin: np.ndarray) -> np.ndarray:
    c = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * np.abs(lin) ** (1 / 2.4) - 0.055)
    return c * 255.0


_M1 = np.array([[0.4122214708, 0.5363325363, 0.0514459929],
                [0.2119034982, 0.6806995451, 0.1073969566],
                [0.0883024619, 0.2817188376, 0.6299787005]])  # fmt: skip
_M2 = np.array([[0.2104542553, 0.7936177850, -0.0040720468],
                [1.9779984951, -2.4285922050, 0.4505937099],
                [0.0259040371, 0.7827717662, -0.8086757660]])  # fmt: skip


def oklab(rgb255) -> np.ndarray:
    """(..., 3) sRGB in 0-255 -> OKLab (a perceptual space: distances read as differences)."""
    lms = _to_linear(np.asarray(rgb255, dtype=float)) @ _M1.T
    return np.cbrt(lms) @ _M2.T


def _from_oklab(lab: np.ndarray) -> np.ndarray:
    lms = (lab @ np.linalg.inv(_M2).T) ** 3
    return _from_linear(lms @ np.linalg.inv(_M1).T)


@functools.lru_cache(maxsize=4)
def _pool(strong: bool) -> np.ndarray:
    """Unique in-gamut uint8 candidates: vivid ones for minima, muted ones for the rest."""
    if strong:
        lightness, chroma = (0.45, 0.55, 0.65, 0.75, 0.85), (0.10, 0.14, 0.18)
    else:
        lightness, chroma = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9), (0.025, 0.045, 0.06)
    hues = np.radians(np.arange(0, 360, 7.5))
    L, C, H = (a.ravel() for a in np.meshgrid(lightness, chroma, hues, indexing="ij"))
    rgb = _from_oklab(np.column_stack([L, C * np.cos(H), C * np.sin(H)]))
    ok = np.all((rgb > -0.5) & (rgb < 255.5), axis=1)
    return np.unique(np.clip(np.round(rgb[ok]), 0, 255).astype(np.uint8), axis=0)


def _rank(classification: str) -> int:
    return CLASS_ORDER.index(classification) if classification in CLASS_ORDER else 4


def attractor_colours(attractors) -> np.ndarray:
    """(K, 3) uint8: one colour per attractor (anything with ``.classification``), all
    different from each other and from the diverged / not-converged colours."""
    k = len(attractors)
    out = np.zeros((k, 3), dtype=np.uint8)
    order = sorted(range(k), key=lambda i: (_rank(attractors[i].classification), i))
    used = [np.array(DIVERGED_RGB, float), np.array(NOT_CONVERGED_RGB, float)]
    pools = {s: _pool(s).astype(float) for s in (True, False)}
    labs = {s: oklab(p) for s, p in pools.items()}
    nearest = {s: np.min(np.linalg.norm(labs[s][:, None] - oklab(np.array(used))[None], axis=2),
                         axis=1) for s in pools}  # fmt: skip
    taken = {s: np.zeros(len(pools[s]), bool) for s in pools}
    seen: set[tuple[int, ...]] = {tuple(int(v) for v in c) for c in used}
    fixed = iter(STRONG)
    for i in order:
        strong = attractors[i].classification in STRONG_CLASSES
        colour = _hex_rgb(next(fixed)) if strong and len(seen) - 2 < len(STRONG) else None
        if colour is None:
            colour = _farthest(pools, nearest, taken, strong, seen)
        out[i] = colour
        seen.add(tuple(int(v) for v in colour))
        lab = oklab(colour)
        for s in pools:
            nearest[s] = np.minimum(nearest[s], np.linalg.norm(labs[s] - lab, axis=1))
    return out


def _farthest(pools, nearest, taken, strong, seen) -> np.ndarray:
    """The unused candidate farthest from every colour used so far: of its own family, unless
    that family has none left at :data:`CROWDED` or more and the other family does."""
    best = {}
    for s in (strong, not strong):
        free = np.flatnonzero(~taken[s])
        free = [j for j in free[np.argsort(-nearest[s][free], kind="stable")]
                if tuple(int(v) for v in pools[s][j]) not in seen]  # fmt: skip
        if free:
            best[s] = (free[0], float(nearest[s][free[0]]))
    if best:
        own = best.get(strong)
        s = strong if own is not None and own[1] >= CROWDED else max(best, key=lambda s: best[s][1])
        taken[s][best[s][0]] = True
        return pools[s][best[s][0]]
    # more attractors than candidates: walk the colour cube for unused colours
    for n in range(len(seen), 1 << 24):
        colour = np.array([(n * 97) % 256, (n * 57) % 256, (n * 31 + n // 256) % 256], float)
        if tuple(int(v) for v in colour) not in seen:
            return colour
    raise ValueError("no colour left")  # pragma: no cover


@dataclass(frozen=True)
class StepScale:
    """How lightness encodes the steps to converge: fraction 0 (fastest, full colour) to 1
    (slowest, :data:`MAX_LIGHTEN` towards white)."""

    fastest: int
    slowest: int
    log: bool

    def fraction(self, steps) -> np.ndarray:
        s = np.clip(np.asarray(steps, dtype=float), self.fastest, self.slowest)
        if self.slowest <= self.fastest:
            return np.zeros_like(s)
        if self.log:
            lo = math.log(max(self.fastest, 1))
            return (np.log(np.maximum(s, 1)) - lo) / (math.log(self.slowest) - lo)
        return (s - self.fastest) / (self.slowest - self.fastest)

    def text(self) -> str:
        span = f"{fmt(self.fastest)} to {fmt(self.slowest)} steps"
        return f"darker = faster, lighter = slower ({span}{', log scale' if self.log else ''})"


def step_scale(basins) -> StepScale:
    done = basins.steps_to_converge[basins.label >= 0]
    if done.size == 0:
        return StepScale(0, 0, False)
    lo, hi = int(done.min()), int(done.max())
    return StepScale(lo, hi, hi >= LOG_DECADE * max(lo, 1))


def shade(colours: np.ndarray, fraction) -> np.ndarray:
    """``colours`` (..., 3) blended towards white by ``MAX_LIGHTEN * fraction`` (uint8)."""
    t = MAX_LIGHTEN * np.asarray(fraction, dtype=float)[..., None]
    return np.round(colours * (1 - t) + 255.0 * t).astype(np.uint8)


def basin_rgba(basins, colours: np.ndarray | None = None, alpha: int = 255) -> np.ndarray:
    """(N, N, 4) uint8, row j is ``ys[j]``, column i ``xs[i]``."""
    label = np.asarray(basins.label)
    if colours is None:
        colours = attractor_colours(basins.attractors)
    table = np.vstack([np.asarray(colours, float).reshape(-1, 3),
                       [NOT_CONVERGED_RGB, DIVERGED_RGB]])  # fmt: skip
    base = table[label]  # -2 and -1 index the two fixed rows at the end
    fraction = np.where(label >= 0, step_scale(basins).fraction(basins.steps_to_converge), 0)
    rgba = np.empty(label.shape + (4,), dtype=np.uint8)
    rgba[..., :3] = shade(base, fraction)
    rgba[..., 3] = alpha
    return rgba


@dataclass(frozen=True)
class LegendEntry:
    colour: tuple[int, int, int]
    label: str
    share: float
    code: int
    """The attractor's index, or -1 (diverged) / -2 (not converged)."""

    @property
    def text(self) -> str:
        return f"{self.label}: {fmt(100 * self.share, 3)}%"


def attractor_label(attractor) -> str:
    name = NAMES.get(attractor.classification, attractor.classification.replace("_", " "))
    point = ", ".join(fmt(v, 3) for v in attractor.point)
    return f"{name} ({point})"


def legend_entries(basins, colours: np.ndarray | None = None) -> list[LegendEntry]:
    """One entry per attractor (in the attractors' order), then diverged and not converged
    where any cell has them."""
    label = np.asarray(basins.label)
    if colours is None:
        colours = attractor_colours(basins.attractors)
    total = max(label.size, 1)
    entries = [LegendEntry(tuple(int(v) for v in colours[k]), attractor_label(a),
                           np.count_nonzero(label == k) / total, k)
               for k, a in enumerate(basins.attractors)]  # fmt: skip
    fixed = ((-1, DIVERGED_RGB, DIVERGED_LABEL),
             (-2, NOT_CONVERGED_RGB, NOT_CONVERGED_LABEL.format(steps=basins.steps)))  # fmt: skip
    for code, rgb, text in fixed:
        n = np.count_nonzero(label == code)
        if n:
            entries.append(LegendEntry(rgb, text, n / total, code))
    return entries


def cell_text(basins, i: int, j: int) -> str:
    """Hover text of cell (i, j): its start, where it ends, in how many steps."""
    start = ", ".join(fmt(v, 3) for v in basins.configs[j * len(basins.xs) + i].start)
    code = int(basins.label[j, i])
    if code == -1:
        outcome = DIVERGED_LABEL
    elif code == -2:
        outcome = NOT_CONVERGED_LABEL.format(steps=basins.steps)
    else:
        taken = int(basins.steps_to_converge[j, i])
        outcome = f"{attractor_label(basins.attractors[code])} in {taken} steps"
    return f"start ({start}) \u2192 {outcome}"
