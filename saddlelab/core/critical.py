"""Every critical point of a surface inside its domain.

Multi-start root finding of ∇L = 0 with the exact Hessian as the Jacobian:

1. a *vectorized Newton pre-pass* runs from a grid of starts (plus a few seeded random ones)
   all at once, using a pseudo-inverse of the Hessian so singular Hessians do not blow up;
2. the converged candidates are de-duplicated (isolated points) or thinned (see below);
3. each remaining candidate is polished with ``scipy.optimize.root`` (``hybr``, Jacobian =
   exact Hessian), classified by :func:`saddlelab.core.analysis.analyze` (it must pass that
   module's criticality test) and kept if it lies in the domain; the list is sorted by loss.

**Non-isolated critical sets.** Where critical points form curves or surfaces (the hyperbola of
minima w1·w2 = 1 of ``w1w2-mse``; the surface w1·w2·w3 = 1 and the coordinate axes of
``w1w2w3-mse``), the Newton starts land all along the set. Candidates whose Hessian is singular
are therefore *thinned*: representatives at least ``spacing`` apart (default 1/12 of the
domain diagonal) are returned, each marked ``isolated=False`` when the critical set visibly
continues from it (Newton, started a small step along each zero-curvature eigenvector, settles
on a critical point that far away rather than falling back). Their classification is the
honest second-order verdict at that representative: usually ``degenerate`` (a zero
eigenvalue, the rest of one sign), or ``saddle`` where a negative and a positive eigenvalue
coexist with the zero one.
An isolated degenerate point (the monkey saddle's origin) is one representative marked
``isolated=True``.

Only this module and the ``critical-points`` command import scipy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from .analysis import PointAnalysis, analyze

if TYPE_CHECKING:
    from .surface import Surface

GRID_STARTS = {2: 65, 3: 17}
"""Starts per axis of the default start grid, by number of variables (odd, so a symmetric
domain's centre lines are on the grid: critical sets along axes are found from there)."""
NEWTON_ITERATIONS = 60
MAX_POINTS = 1000
"""At most this many critical points are returned (lowest loss first); see ``truncated``."""
MAX_POLISHED = 1200
"""At most this many candidates (lowest loss first) are refined and classified, so that a
surface with thousands of critical points is answered in seconds; see ``truncated``."""


@dataclass(frozen=True, eq=False)
class CriticalPoint:
    """One critical point: where it is, its loss and its second-order verdict."""

    point: np.ndarray
    loss: float
    classification: str
    eigenvalues: np.ndarray
    minimum_ratio: float
    analysis: PointAnalysis = field(repr=False)
    isolated: bool = True

    def to_dict(self) -> dict:
        """The per-point record of ``critical-points --json``."""
        record = self.analysis.to_dict()
        return {k: record[k] for k in ("point", "loss", "classification", "eigenvalues")} | {
            "minimum_ratio": float(self.minimum_ratio)
        }


@dataclass(frozen=True, eq=False)
class CriticalPointResult:
    """The critical points of one surface, sorted by loss; iterable like a list."""

    surface_id: str
    variables: tuple[str, ...]
    domain: tuple[tuple[float, float], ...]
    points: list[CriticalPoint]
    starts: int = 0
    cancelled: bool = False
    truncated: bool = False
    candidates: int = 0
    """Distinct candidate points the search found before any cap (at least len(points))."""

    def __iter__(self) -> Iterator[CriticalPoint]:
        return iter(self.points)

    def __len__(self) -> int:
        return len(self.points)

    def __getitem__(self, index: int) -> CriticalPoint:
        return self.points[index]

    @property
    def has_continuum(self) -> bool:
        """Whether some points stand for a curve or surface of critical points."""
        return any(not p.isolated for p in self.points)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.points:
            out[p.classification] = out.get(p.classification, 0) + 1
        return out

    def to_dict(self) -> dict:
        """The ``critical-points --json`` record."""
        return {
            "surface": self.surface_id,
            "variables": list(self.variables),
            "domain": [[float(lo), float(hi)] for lo, hi in self.domain],
            "points": [p.to_dict() for p in self.points],
            "truncated": self.truncated,
            "cancelled": self.cancelled,
            "candidates": self.candidates,
            "note": self.note(),
        }

    def note(self) -> str:
        """One sentence saying whether the list is complete, and if not, why."""
        if self.cancelled:
            return "search cancelled: the points found so far are shown"
        if self.truncated:
            return (
                f"list truncated: {len(self.points)} of at least {self.candidates} critical points "
                f"are shown (the lowest-loss ones; at most {MAX_POINTS} are listed)"
            )
        return "not truncated: every critical point the search found is listed"


def _default_starts(lo: np.ndarray, hi: np.ndarray, seed: int) -> np.ndarray:
    d = lo.size
    n = GRID_STARTS.get(d, 12)
    axes = [np.linspace(a, b, n) for a, b in zip(lo, hi, strict=True)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, d)
    rng = np.random.default_rng(seed)
    extra = lo + (hi - lo) * rng.random((max(64, grid.shape[0] // 16), d))
    return np.concatenate([grid, extra])


def _pinv_step(G: np.ndarray, H: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Newton steps -H⁺g for a batch (pseudo-inverse: singular directions are skipped)."""
    w, V = np.linalg.eigh(H)
    wmax = np.max(np.abs(w), axis=-1, keepdims=True)
    keep = np.abs(w) > 1e-10 * np.maximum(wmax, 1e-300)
    inv = np.where(keep, 1.0 / np.where(keep, w, 1.0), 0.0)
    coeff = np.einsum("nji,nj->ni", V, G) * inv
    return -np.einsum("nij,nj->ni", V, coeff), w


def _newton(surface: Surface, P: np.ndarray, lo, hi, scale, tick) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized Newton from every start; returns surviving points and their eigenvalues."""
    span = hi - lo
    done = np.zeros(len(P), dtype=bool)
    w = np.zeros_like(P)
    for it in range(NEWTON_ITERATIONS):
        if tick(0.5 * it / NEWTON_ITERATIONS):
            break
        live = ~done
        if not live.any():
            break
        G = surface.gradient(P[live])
        H = surface.hessian(P[live])
        ok = np.all(np.isfinite(G), axis=-1) & np.all(np.isfinite(H), axis=(-2, -1))
        step = np.full_like(G, np.nan)
        wl = np.full_like(G, np.nan)
        if ok.any():
            step[ok], wl[ok] = _pinv_step(G[ok], H[ok])
        norm = np.linalg.norm(step, axis=-1)
        too_long = norm > 0.1 * scale
        step[too_long] *= (0.1 * scale / norm[too_long])[:, None]
        idx = np.flatnonzero(live)
        P[idx] = P[idx] + step
        w[idx] = wl
        done[idx[norm <= 1e-14 * scale]] = True
        outside = np.any((P < lo - 0.25 * span) | (P > hi + 0.25 * span), axis=-1)
        lost = ~np.all(np.isfinite(P), axis=-1) | outside
        P, w, done = P[~lost], w[~lost], done[~lost]
    return P, w


def _cell_representatives(P: np.ndarray, radius: float) -> np.ndarray:
    """Indices of one point per occupied cell of side ``radius``, in first-seen order.

    O(n log n) even for thousands of candidates; two reps of one critical point that straddle
    a cell border are polished onto the same point and merged by :func:`_dedupe`.
    """
    if len(P) == 0:
        return np.zeros(0, dtype=int)
    _, first = np.unique(np.floor(P / radius), axis=0, return_index=True)
    return np.sort(first)


def _greedy_groups(P: np.ndarray, radius: float) -> list[np.ndarray]:
    """Indices grouped greedily: each group is every point within ``radius`` of its first."""
    remaining = np.arange(len(P))
    groups = []
    while remaining.size:
        d = np.linalg.norm(P[remaining] - P[remaining[0]], axis=-1)
        groups.append(remaining[d <= radius])
        remaining = remaining[d > radius]
    return groups


@np.errstate(all="ignore")  # overflow on a hostile surface is skipped, never a warning
def find_critical_points(
    surface: Surface,
    *,
    starts: np.ndarray | None = None,
    seed: int = 0,
    cancel: Callable[[], bool] | None = None,
    progress: Callable[[float], None] | None = None,
    spacing: float | None = None,
) -> CriticalPointResult:
    """All critical points of ``surface`` in its domain, sorted by loss (see module docs).

    ``starts`` (n, d) replaces the default start grid; ``seed`` fixes the extra random starts.
    ``cancel()`` returning True stops early (the result says ``cancelled``); ``progress`` is
    called with the fraction done. ``spacing`` is the thinning distance for non-isolated
    critical sets (default: 1/12 of the domain diagonal).
    """
    from scipy.optimize import root

    lo = np.array([a for a, _ in surface.domain], dtype=float)
    hi = np.array([b for _, b in surface.domain], dtype=float)
    scale = float(np.linalg.norm(hi - lo))
    spacing = scale / 12 if spacing is None else float(spacing)
    cancelled = False

    def tick(fraction: float) -> bool:
        nonlocal cancelled
        if progress is not None:
            progress(min(max(fraction, 0.0), 1.0))
        if cancel is not None and cancel():
            cancelled = True
        return cancelled

    if starts is None:
        P0 = _default_starts(lo, hi, seed)
    else:
        P0 = np.array(starts, dtype=float).reshape(-1, surface.ndim)
        P0 = P0[np.all(np.isfinite(P0), axis=-1)]
    P, w = _newton(surface, P0.copy(), lo, hi, scale, tick)

    # Candidates: small gradient (loose, scale-aware) and not far outside the domain.
    inside = np.all((P >= lo - 1e-3 * scale) & (P <= hi + 1e-3 * scale), axis=-1)
    P, w = P[inside], w[inside]
    wabs = np.max(np.abs(w), axis=-1) if len(P) else np.zeros(0)
    L = np.abs(surface.loss(P)) if len(P) else np.zeros(0)
    gnorm = np.linalg.norm(surface.gradient(P), axis=-1) if len(P) else np.zeros(0)
    gscale = np.maximum.reduce(
        [np.ones_like(L), L, wabs * np.maximum(1, np.linalg.norm(P, axis=-1))]
    )
    good = np.isfinite(gnorm) & (gnorm <= 1e-6 * np.nan_to_num(gscale, nan=np.inf))
    P, w, L = P[good], w[good], L[good]
    floor = 1e-8 * np.maximum(1.0, L)
    singular = np.min(np.abs(w), axis=-1) <= np.maximum(1e-5 * np.max(np.abs(w), axis=-1), floor)

    # Representatives: tight clusters for regular points, thinned ones for singular Hessians.
    regular, thin = P[~singular], P[singular]
    reps = list(regular[_cell_representatives(regular, 1e-6 * scale)])
    reps += [thin[g[0]] for g in _greedy_groups(thin, spacing)]
    # Thousands of critical points (sin(20x)·sin(20y)): polish only the lowest-loss ones.
    candidates = len(reps)
    if candidates > MAX_POLISHED:
        signed = surface.loss(np.array(reps))
        order = np.argsort(np.nan_to_num(signed, nan=np.inf), kind="stable")
        reps = [reps[i] for i in order[:MAX_POLISHED]]

    found: list[CriticalPoint] = []
    for k, x0 in enumerate(reps):
        if tick(0.5 + 0.5 * k / max(1, len(reps))):
            break
        x = _polish(surface, x0, root)
        if not np.all((x >= lo - 1e-9 * scale) & (x <= hi + 1e-9 * scale)):
            continue
        try:
            a = analyze(surface, np.clip(x, lo, hi))
        except ValueError:
            continue
        if a.is_critical:
            found.append(
                CriticalPoint(a.point, a.loss, a.classification, a.eigenvalues, a.minimum_ratio, a)
            )
    found = _mark_continua(surface, _dedupe(found, 1e-6 * scale), 1e-3 * scale)
    found.sort(key=lambda c: (c.loss, *c.point))
    truncated = len(found) > MAX_POINTS or candidates > MAX_POLISHED
    if not cancelled and progress is not None:
        progress(1.0)
    return CriticalPointResult(
        surface_id=surface.id,
        variables=tuple(surface.variables),
        domain=tuple(surface.domain),
        points=found[:MAX_POINTS],
        starts=len(P0),
        cancelled=cancelled,
        truncated=truncated,
        candidates=max(candidates, len(found)),
    )


def _polish(surface: Surface, x0: np.ndarray, root) -> np.ndarray:
    """Refine with scipy's hybrid Powell method (Jacobian = exact Hessian); keep the better."""
    with np.errstate(all="ignore"):
        sol = root(
            surface.gradient, x0, jac=surface.hessian, method="hybr", options={"xtol": 1e-13}
        )
    x = np.asarray(sol.x, dtype=float)
    if not np.all(np.isfinite(x)):
        return x0
    g0 = np.linalg.norm(surface.gradient(x0))
    g1 = np.linalg.norm(surface.gradient(x))
    return x if np.isfinite(g1) and (g1 <= g0 or not np.isfinite(g0)) else x0


def _mark_continua(surface: Surface, points: list[CriticalPoint], h: float) -> list[CriticalPoint]:
    """Mark points with a singular Hessian that lie on a curve or surface of critical points.

    From each such point, step ``h`` both ways along every zero-curvature eigenvector and let
    Newton settle back onto the critical set. On a continuum it settles about ``h`` away
    (the set continues that way); at an isolated degenerate point it falls back onto the point.
    """
    probes, owners = [], []
    for k, c in enumerate(points):
        a = c.analysis
        for lam, u in zip(a.eigenvalues, a.eigenvectors, strict=True):
            if abs(lam) <= a.eigen_tolerance:
                probes += [c.point + h * u, c.point - h * u]
                owners += [k, k]
    if not probes:
        return points
    Y = np.array(probes)
    for _ in range(NEWTON_ITERATIONS):
        G, H = surface.gradient(Y), surface.hessian(Y)
        ok = np.all(np.isfinite(G), axis=-1) & np.all(np.isfinite(H), axis=(-2, -1))
        if not ok.any():
            break
        Y[ok] += _pinv_step(G[ok], H[ok])[0]
    owners_arr = np.array(owners)
    settled = np.linalg.norm(surface.gradient(Y), axis=-1)
    away = np.linalg.norm(Y - np.array([points[k].point for k in owners]), axis=-1) > 0.5 * h
    continuum = set(owners_arr[away & (settled <= 1e-6 * max(1.0, h))].tolist())
    return [replace(c, isolated=False) if k in continuum else c for k, c in enumerate(points)]


def _dedupe(points: list[CriticalPoint], radius: float) -> list[CriticalPoint]:
    """Drop points that polishing moved onto another one (vectorized: thousands are fast)."""
    out: list[CriticalPoint] = []
    kept = np.empty((len(points), points[0].point.size if points else 0))
    for c in points:
        m = len(out)
        if m == 0 or np.min(np.linalg.norm(kept[:m] - c.point, axis=-1)) > radius:
            kept[m] = c.point
            out.append(c)
    return out
