"""Isosurfaces of a 3-parameter loss in parameter space: grid, default levels, marching cubes.

The loss is evaluated on an ``n`` x ``n`` x ``n`` grid over the surface's domain with its compiled
(vectorised) loss, a few slabs at a time so a caller can cancel. Each level is meshed by
scikit-image's marching cubes (Lewiner); a cell with an undefined (NaN) corner never produces
faces. Vertices are then refined onto the level by one Newton step along the exact gradient
(``v - (L(v) - level) g / |g|^2``, kept only where it moves less than one grid step), and the
normals are the exact gradient's direction (pointing to higher loss), not the grid's.

Default levels are quantiles of the loss over the grid (:data:`DEFAULT_QUANTILES`): losses grow
fast towards the domain's corners (x^4 terms, products of weights), so evenly spaced levels would
all sit near the top and show one shell hugging the box. A quantile q is the level whose sublevel
set fills the share q of the box, so the shells nest evenly by volume: the innermost encloses the
lowest 5 % around the minima, the outermost 60 % (higher ones would be cut open by the box).
Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .surface import Surface

DEFAULT_QUANTILES = (0.05, 0.15, 0.35, 0.6)
"""Shares of the box below each default level (see the module's docstring)."""
DEFAULT_N = 64
"""Grid points per axis."""
SLABS_PER_CALL = 8
"""Grid slabs (planes of constant first parameter) evaluated between two progress calls."""

Progress = Callable[[int, int], bool]
"""``progress(done, total)``; returning False cancels (:class:`Cancelled` is raised)."""


class Cancelled(Exception):
    """The progress callback asked to stop."""


@dataclass(frozen=True)
class Isosurface:
    """One level's triangle mesh, in parameter coordinates."""

    level: float
    vertices: np.ndarray
    """(k, 3) points on the level set."""
    faces: np.ndarray
    """(m, 3) vertex indices."""
    normals: np.ndarray
    """(k, 3) unit normals, towards higher loss."""

    def __iter__(self):  # unpacks as (level, vertices, faces, normals)
        return iter((self.level, self.vertices, self.faces, self.normals))


@dataclass(frozen=True)
class LossGrid:
    """The loss on a grid: ``values[i, j, k]`` at ``(axes[0][i], axes[1][j], axes[2][k])``."""

    axes: tuple[np.ndarray, np.ndarray, np.ndarray]
    values: np.ndarray

    @property
    def step(self) -> np.ndarray:
        """Grid spacing along each parameter."""
        return np.array([a[1] - a[0] for a in self.axes])


def _require_3d(surface: Surface) -> None:
    if surface.ndim != 3:
        names = ", ".join(str(v) for v in surface.variables)
        raise ValueError(
            f"isosurfaces need a loss of exactly 3 parameters; this one has {surface.ndim} "
            f"({names}): use the height map of a slice"
        )


def _tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress(done, total) is False:
        raise Cancelled()


def loss_grid(
    surface: Surface, n: int = DEFAULT_N, progress: Progress | None = None, total: int | None = None
) -> LossGrid:
    """The loss on an ``n``^3 grid over the domain (NaN where undefined)."""
    _require_3d(surface)
    if n < 2:
        raise ValueError("the grid needs at least 2 points per axis")
    axes = tuple(np.linspace(lo, hi, n) for lo, hi in surface.domain)
    total = n if total is None else total
    values = np.empty((n, n, n))
    Y, Z = np.meshgrid(axes[1], axes[2], indexing="ij")
    for start in range(0, n, SLABS_PER_CALL):
        stop = min(start + SLABS_PER_CALL, n)
        X = np.broadcast_to(axes[0][start:stop, None, None], (stop - start, n, n))
        values[start:stop] = surface.loss(X, Y[None], Z[None])
        _tick(progress, stop, total)
    return LossGrid(axes, values)  # type: ignore[arg-type]


def default_levels(
    values: np.ndarray, quantiles: Sequence[float] = DEFAULT_QUANTILES
) -> list[float]:
    """Increasing levels at ``quantiles`` of the finite values, strictly inside their range.

    Repeated quantiles (a flat loss) are dropped; an all-NaN or constant grid gives no levels.
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return []
    lo, hi = float(finite.min()), float(finite.max())
    levels: list[float] = []
    for q in np.quantile(finite, sorted(quantiles)):
        q = float(q)
        if lo < q < hi and (not levels or q > levels[-1]):
            levels.append(q)
    return levels


def _cell_mask(values: np.ndarray) -> np.ndarray:
    """True at voxel (i, j, k) when the cell starting there has 8 finite corners.

    scikit-image's ``mask`` is read at each cell's first corner, so this keeps every cell that
    touches an undefined value out of the mesh.
    """
    ok = np.isfinite(values)
    cell = ok[:-1, :-1, :-1].copy()
    for di in (0, 1):
        for dj in (0, 1):
            for dk in (0, 1):
                cell &= ok[di : ok.shape[0] - 1 + di, dj : ok.shape[1] - 1 + dj,
                           dk : ok.shape[2] - 1 + dk]  # fmt: skip
    mask = np.zeros_like(ok)
    mask[:-1, :-1, :-1] = cell
    return mask


def _defined_faces(verts, faces, normals, step, mask):
    """Only the faces whose cell (the one holding their centroid) has 8 defined corners."""
    cell = np.floor(verts[faces].mean(axis=1) / step).astype(np.int64)
    cell = np.clip(cell, 0, np.array(mask.shape) - 2)
    keep = mask[cell[:, 0], cell[:, 1], cell[:, 2]]
    faces = faces[keep]
    used = np.zeros(len(verts), dtype=bool)
    used[faces.ravel()] = True
    index = np.cumsum(used) - 1
    return verts[used], index[faces], normals[used]


def _refine(surface: Surface, vertices: np.ndarray, level: float, step: np.ndarray):
    """One Newton step onto the level along the exact gradient; exact unit normals."""
    value = surface.loss(vertices)
    grad = surface.gradient(vertices)
    g2 = np.einsum("ij,ij->i", grad, grad)
    with np.errstate(all="ignore"):
        move = -((value - level) / g2)[:, None] * grad
        moved = vertices + move
        ok = np.isfinite(moved).all(axis=1) & (np.abs(move) <= step).all(axis=1)
        better = np.abs(surface.loss(np.where(ok[:, None], moved, vertices)) - level)
        ok &= better <= np.abs(value - level)
    out = np.where(ok[:, None], moved, vertices)
    grad = np.where(ok[:, None], surface.gradient(out), grad)
    with np.errstate(all="ignore"):
        normals = grad / np.linalg.norm(grad, axis=1, keepdims=True)
    return out, normals


def mesh_level(grid: LossGrid, level: float, surface: Surface | None = None) -> Isosurface:
    """The level's mesh (empty when the level is outside the grid's finite values).

    With ``surface``, vertices are refined onto the level and normals taken from the exact
    gradient; otherwise they are marching cubes' (linear interpolation, grid-gradient normals).
    """
    from skimage.measure import marching_cubes  # 0.07 s import, only when meshing

    values = grid.values
    mask = _cell_mask(values)
    empty = Isosurface(float(level), np.empty((0, 3)), np.empty((0, 3), dtype=np.int64),
                       np.empty((0, 3)))  # fmt: skip
    finite = values[np.isfinite(values)]
    if not mask.any() or not (finite.min() < level < finite.max()):
        return empty
    # Undefined corners get a value above every level; the faces of their cells are dropped.
    filled = np.where(np.isfinite(values), values, finite.max() + 1.0)
    step = grid.step
    try:
        verts, faces, normals, _ = marching_cubes(
            filled, level=level, spacing=tuple(step), mask=mask, gradient_direction="ascent"
        )
    except (ValueError, RuntimeError):  # no crossing in the unmasked cells
        return empty
    verts, faces, normals = _defined_faces(verts, faces, normals, step, mask)
    if faces.size == 0:
        return empty
    verts = verts + np.array([a[0] for a in grid.axes])
    if surface is not None:
        verts, exact = _refine(surface, verts, level, step)
        good = np.isfinite(exact).all(axis=1)
        normals = np.where(good[:, None], exact, normals)
    return Isosurface(float(level), verts, faces.astype(np.int64), normals)


def isosurfaces(
    surface: Surface,
    levels: Sequence[float] | None = None,
    n: int = DEFAULT_N,
    progress: Progress | None = None,
    refine: bool = True,
) -> list[Isosurface]:
    """Meshes of the loss's level sets over the domain, one per level (default: quantiles).

    Each item unpacks as ``(level, vertices (k, 3), faces (m, 3), normals (k, 3))``. Progress
    counts the grid's slabs then the levels; ``progress`` returning False raises
    :class:`Cancelled`.
    """
    _require_3d(surface)
    count = len(levels) if levels is not None else len(DEFAULT_QUANTILES)
    total = n + count
    grid = loss_grid(surface, n, progress, total)
    chosen = default_levels(grid.values) if levels is None else sorted(float(v) for v in levels)
    out = []
    for i, level in enumerate(chosen):
        out.append(mesh_level(grid, level, surface if refine else None))
        _tick(progress, n + i + 1, total)
    if n + len(chosen) < total:  # a flat loss gave fewer default levels than quantiles
        _tick(progress, total, total)
    return out
