"""Isosurfaces of 3-parameter losses: vertices on their level, the right shape, nothing where the
loss is undefined, default levels, 2-parameter losses refused, cancel, and no Qt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from saddlelab.core import catalogue
from saddlelab.core.isosurface import Cancelled, default_levels, isosurfaces, loss_grid
from saddlelab.core.surface import Surface

ROOT = Path(__file__).resolve().parents[2]


def surface(expr: str, domain: str = "x=-1.5:1.5, y=-1.5:1.5, z=-1.5:1.5") -> Surface:
    return Surface.from_expression(expr, ["x", "y", "z"], domain)


def grid_step(s: Surface, n: int) -> float:
    return max(hi - lo for lo, hi in s.domain) / (n - 1)


@pytest.mark.parametrize("refine", [True, False])
def test_vertices_lie_on_their_level(refine: bool) -> None:
    s = catalogue.load("slice-trap")
    n = 32
    meshes = isosurfaces(s, n=n, refine=refine)
    assert len(meshes) >= 3
    for level, vertices, faces, normals in meshes:
        assert len(faces) > 100
        assert faces.max() < len(vertices) and faces.min() >= 0
        grad = np.linalg.norm(s.gradient(vertices), axis=1)
        off = np.abs(s.loss(vertices) - level)
        # Linear interpolation is off by O(h^2 |L''|); one Newton step by far less.
        bound = (0.01 if refine else 0.25) * grid_step(s, n) * np.maximum(grad, 1e-3)
        assert np.all(off <= bound + 1e-9), (level, off.max())
        assert np.allclose(np.linalg.norm(normals, axis=1), 1.0, atol=1e-6)


def test_refined_vertices_are_much_closer_than_marching_cubes_alone() -> None:
    s = catalogue.load("slice-trap")
    (rough,) = isosurfaces(s, [0.5], n=24, refine=False)
    (fine,) = isosurfaces(s, [0.5], n=24, refine=True)
    rough_off = np.abs(s.loss(rough.vertices) - 0.5).max()
    fine_off = np.abs(s.loss(fine.vertices) - 0.5).max()
    assert fine_off < rough_off / 20


def test_sphere_has_the_right_radius_and_outward_normals() -> None:
    s = surface("x^2 + y^2 + z^2")
    for level, vertices, _faces, normals in isosurfaces(s, [0.25, 1.0], n=40):
        radius = np.linalg.norm(vertices, axis=1)
        assert np.allclose(radius, np.sqrt(level), rtol=1e-4)
        assert np.allclose(normals, vertices / radius[:, None], atol=1e-4)  # towards higher loss
        # The whole sphere, not a cap: vertices in every octant.
        assert len({tuple(np.sign(v)) for v in vertices[np.all(np.abs(vertices) > 0.05, 1)]}) == 8


def test_no_faces_where_the_loss_is_undefined() -> None:
    s = surface("x^2 + y^2 + z^2 + log(x + 0.5)")  # undefined for x <= -0.5
    n = 32
    values = loss_grid(s, n).values
    assert np.isnan(values).any() and np.isfinite(values).any()
    meshes = isosurfaces(s, [0.5, 1.5, 3.0], n=n, refine=False)
    assert sum(len(m.faces) for m in meshes) > 100
    first_defined = np.linspace(-1.5, 1.5, n)[np.isfinite(values[:, 0, 0])][0]
    for m in meshes:
        # Every face's vertices lie in cells whose 8 corners are defined.
        assert np.all(m.vertices[:, 0] >= first_defined - 1e-12)
        assert np.all(np.isfinite(s.loss(m.vertices)))


def test_default_levels_are_increasing_and_inside_the_range() -> None:
    for entry in ("slice-trap", "w1w2w3-mse"):
        s = catalogue.load(entry)
        values = loss_grid(s, 24).values
        levels = default_levels(values)
        assert 3 <= len(levels) <= 5
        assert np.all(np.diff(levels) > 0)
        assert np.nanmin(values) < levels[0] and levels[-1] < np.nanmax(values)
    assert default_levels(np.full((4, 4, 4), 2.0)) == []
    assert default_levels(np.full((4, 4, 4), np.nan)) == []


def test_a_level_outside_the_loss_gives_an_empty_mesh() -> None:
    s = surface("x^2 + y^2 + z^2")
    (below,) = isosurfaces(s, [-1.0], n=16)
    assert below.vertices.shape == (0, 3) and below.faces.shape == (0, 3)


def test_two_parameter_surfaces_are_refused_with_a_clear_message() -> None:
    s = catalogue.load("himmelblau")
    with pytest.raises(ValueError, match="3 parameters.*2"):
        isosurfaces(s)


def test_progress_counts_and_cancels() -> None:
    s = catalogue.load("slice-trap")
    calls: list[tuple[int, int]] = []
    isosurfaces(s, [0.5, 1.0], n=16, progress=lambda d, t: calls.append((d, t)) or True)
    assert calls[-1] == (18, 18) and [d for d, _ in calls] == sorted(d for d, _ in calls)
    flat: list[tuple[int, int]] = []  # no default levels: progress still ends at its total
    assert (
        isosurfaces(surface("0*x + 1"), n=8, progress=lambda d, t: flat.append((d, t)) or 1) == []
    )
    assert flat[-1][0] == flat[-1][1]
    with pytest.raises(Cancelled):
        isosurfaces(s, n=16, progress=lambda d, t: d < 8)


def test_meshing_loads_no_qt() -> None:
    probe = (
        "import sys\n"
        "from saddlelab.core import catalogue\n"
        "from saddlelab.core.isosurface import isosurfaces\n"
        "meshes = isosurfaces(catalogue.load('slice-trap'), n=12)\n"
        "gui = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'PyQt5', 'PyQt6', 'pyqtgraph', 'OpenGL', 'shiboken6', 'matplotlib'))\n"
        "print(len(meshes), 'skimage' in sys.modules, gui)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["4", "True", "[]"], done.stdout
