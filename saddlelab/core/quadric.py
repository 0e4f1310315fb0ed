"""The second-order Taylor model's level set around a point: a quadric surface in 3-D.

Around the probe θ′ the model is m(d) = L + g·d + ½ dᵀH d (``core.taylor.TaylorModel``). Its
level set m(d) = c is a quadric: an ellipsoid when H is definite (and c lies on the side its
eigenvalues point to), a hyperboloid of one or two sheets when H is indefinite, a cone through
the centre of the model when c is exactly its centre value, and cylinder-like when H is
singular (the set does not close along a flat direction). :func:`quadric_kind` names it from
H's eigenvalues; :func:`taylor_quadric` meshes it inside the ball of the Taylor radius with the
same marching cubes as the loss's isosurfaces (``core.isosurface.mesh_level``), refined onto
the exact level. Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .isosurface import LossGrid, mesh_level
from .taylor import TaylorModel

GRID = 36
"""Grid points per axis of the cube around the centre the quadric is meshed in."""
LEVEL_SHARE = 0.45
"""The default level is |λ|max · (LEVEL_SHARE · radius)² / 2 from the model's value at the
centre: the shell then sits well inside the Taylor radius along the steepest direction."""

ELLIPSOID = "ellipsoid"
ONE_SHEET = "hyperboloid of one sheet"
TWO_SHEETS = "hyperboloid of two sheets"
CONE = "cone"
CYLINDER = "cylinder-like (H is singular)"
EMPTY = "empty"


@dataclass(frozen=True)
class Quadric:
    """The level set's mesh in parameter coordinates and what kind of quadric it is."""

    kind: str
    level: float
    vertices: np.ndarray
    faces: np.ndarray
    normals: np.ndarray


def quadric_kind(eigenvalues, offset: float, tolerance: float) -> str:
    """The quadric ½ eᵀHe = ``offset`` (e measured from the model's centre) for H with
    ``eigenvalues``; |λ| <= ``tolerance`` counts as zero."""
    lam = np.asarray(eigenvalues, dtype=float)
    if np.any(np.abs(lam) <= tolerance):
        return CYLINDER
    if abs(offset) <= tolerance * 1e-9:
        return CONE
    agree = int(np.count_nonzero(np.sign(lam) == np.sign(offset)))
    if agree == lam.size:
        return ELLIPSOID
    if agree == 0:
        return EMPTY
    return ONE_SHEET if agree == lam.size - 1 else TWO_SHEETS


def default_level(model: TaylorModel, radius: float) -> float:
    """A level above the probe's loss (below it when H has no positive eigenvalue)."""
    lam = np.linalg.eigvalsh(model.hessian)
    size = float(np.abs(lam).max()) if lam.size else 0.0
    size = size if size > 0 else 1.0
    sign = 1.0 if np.any(lam > 0) or not np.any(lam < 0) else -1.0
    return model.value + sign * 0.5 * size * (LEVEL_SHARE * radius) ** 2


def centre_offset(model: TaylorModel, level: float, tolerance: float) -> float:
    """``level`` minus the model's value at its centre (the stationary point −H⁻¹g); for a
    singular H, ``level`` minus the value at the probe."""
    lam = np.linalg.eigvalsh(model.hessian)
    if np.any(np.abs(lam) <= tolerance):
        return level - model.value
    shift = np.linalg.solve(model.hessian, model.gradient)
    return level - (model.value - 0.5 * float(model.gradient @ shift))


class _ModelAsSurface:
    """What ``mesh_level`` needs of a surface to refine vertices: loss and exact gradient."""

    def __init__(self, model: TaylorModel) -> None:
        self.model = model

    def loss(self, points: np.ndarray) -> np.ndarray:
        return self.model(points)

    def gradient(self, points: np.ndarray) -> np.ndarray:
        d = np.asarray(points, dtype=float) - self.model.center
        return self.model.gradient + d @ self.model.hessian


def taylor_quadric(
    model: TaylorModel,
    radius: float,
    level: float | None = None,
    tolerance: float = 1e-9,
    n: int = GRID,
) -> Quadric:
    """The model's level set (default :func:`default_level`) within ``radius`` of its centre."""
    if model.ndim != 3:
        raise ValueError("the Taylor quadric is drawn for 3 parameters")
    radius = float(radius)
    if not radius > 0:
        raise ValueError("the Taylor radius must be positive")
    level = default_level(model, radius) if level is None else float(level)
    lam = np.linalg.eigvalsh(model.hessian)
    kind = quadric_kind(lam, centre_offset(model, level, tolerance), tolerance)
    axes = tuple(np.linspace(c - radius, c + radius, n) for c in model.center)
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)
    grid = LossGrid(axes, model(mesh))  # type: ignore[arg-type]
    iso = mesh_level(grid, level, _ModelAsSurface(model))  # type: ignore[arg-type]
    faces = iso.faces
    if len(faces):
        centroids = iso.vertices[faces].mean(axis=1)
        faces = faces[np.linalg.norm(centroids - model.center, axis=1) <= radius]
    return Quadric(kind, level, iso.vertices, faces, iso.normals)
