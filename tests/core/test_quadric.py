"""The Taylor model's level set at the probe (core/quadric.py): its kind and its mesh."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core import catalogue
from saddlelab.core.analysis import analyze
from saddlelab.core.quadric import (
    CYLINDER,
    ELLIPSOID,
    ONE_SHEET,
    TWO_SHEETS,
    quadric_kind,
    taylor_quadric,
)
from saddlelab.core.taylor import TaylorModel


def model(eigenvalues, gradient=(0.0, 0.0, 0.0), rotate=True) -> TaylorModel:
    q = np.linalg.qr(np.array([[1.0, 2, 0], [0, 1, 3], [2, 0, 1]]))[0] if rotate else np.eye(3)
    h = q @ np.diag(eigenvalues) @ q.T
    return TaylorModel([0.3, -0.2, 0.5], 1.5, gradient, h)


def test_definite_hessian_gives_a_closed_ellipsoid_on_its_level():
    m = model([1.0, 2.0, 4.0])
    q = taylor_quadric(m, radius=1.0)
    assert q.kind == ELLIPSOID
    assert q.level > m.value
    assert len(q.faces) > 100
    assert np.abs(m(q.vertices) - q.level).max() < 1e-5  # on the level (grid step 0.06)
    # closed: every edge is shared by exactly two triangles
    edges = np.sort(q.faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
    _, counts = np.unique(edges, axis=0, return_counts=True)
    assert (counts == 2).all()
    # an ellipsoid's semi-axes: sqrt(2 (level - L) / lambda) along each eigenvector
    d = q.vertices - m.center
    lam, vec = np.linalg.eigh(m.hessian)
    reach = np.abs(d @ vec).max(axis=0)
    assert reach == pytest.approx(np.sqrt(2 * (q.level - m.value) / lam), rel=0.03)


def test_indefinite_hessian_gives_a_hyperboloid_clipped_to_the_radius():
    m = model([2.0, 2.0, -2.0])
    q = taylor_quadric(m, radius=0.8)
    assert q.kind == ONE_SHEET
    assert np.abs(m(q.vertices) - q.level).max() < 1e-5
    centroids = q.vertices[q.faces].mean(axis=1)
    assert np.linalg.norm(centroids - m.center, axis=1).max() <= 0.8
    # open along the falling direction: it reaches the clip ball there
    lam, vec = np.linalg.eigh(m.hessian)
    along = np.abs((q.vertices - m.center) @ vec[:, 0])
    assert along.max() > 0.6
    two = taylor_quadric(model([-2.0, -2.0, 2.0]), radius=0.8)
    assert two.kind == TWO_SHEETS


def test_kind_follows_the_signs_and_a_singular_hessian():
    assert quadric_kind([1, 2, 3], 0.5, 1e-9) == ELLIPSOID
    assert quadric_kind([1, 2, -3], 0.5, 1e-9) == ONE_SHEET
    assert quadric_kind([1, 2, -3], -0.5, 1e-9) == TWO_SHEETS
    assert quadric_kind([1, 0, 3], 0.5, 1e-6) == CYLINDER


def test_slice_trap_probe_gives_a_hyperboloid_around_the_escape_axis():
    s = catalogue.load("slice-trap")
    a = analyze(s, (0.0, 0.0, 0.0))
    q = taylor_quadric(a.taylor, 0.45, tolerance=a.eigen_tolerance)
    assert q.kind == ONE_SHEET
    # the throat of x^2 + y^2 - z^2 = c is a circle in the slice z = 0, open along z
    z = q.vertices[:, 2]
    assert z.min() < -0.3 and z.max() > 0.3
