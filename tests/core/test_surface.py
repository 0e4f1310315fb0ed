"""Compiled surfaces: exact derivatives, vectorized evaluation, masking of non-finite values."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core import catalogue
from saddlelab.core.domain import parse_domain
from saddlelab.core.expressions import ExpressionError
from saddlelab.core.surface import Surface


def _random_points(surface: Surface, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lo = np.array([a for a, _ in surface.domain])
    hi = np.array([b for _, b in surface.domain])
    return lo + (hi - lo) * (0.05 + 0.9 * rng.random((n, surface.ndim)))


@pytest.mark.parametrize("surface_id", catalogue.ids())
def test_gradient_and_hessian_match_central_differences(surface_id: str) -> None:
    surface = catalogue.load(surface_id)
    d = surface.ndim
    span = max(hi - lo for lo, hi in surface.domain)
    h = 1e-5 * span
    for p in _random_points(surface, 6, seed=hash(surface_id) % 2**32):
        loss = float(surface.loss(p))
        grad = surface.gradient(p)
        hess = surface.hessian(p)
        fd_grad = np.empty(d)
        fd_hess = np.empty((d, d))
        for i in range(d):
            e = np.zeros(d)
            e[i] = h
            fd_grad[i] = (surface.loss(p + e) - surface.loss(p - e)) / (2 * h)
            fd_hess[i] = (surface.gradient(p + e) - surface.gradient(p - e)) / (2 * h)
        scale = max(1.0, abs(loss), np.abs(grad).max())
        np.testing.assert_allclose(grad, fd_grad, rtol=1e-5, atol=1e-6 * scale)
        hscale = max(1.0, np.abs(hess).max(), np.abs(grad).max())
        np.testing.assert_allclose(hess, fd_hess, rtol=1e-5, atol=1e-6 * hscale)
        np.testing.assert_array_equal(hess, hess.T)


def test_grid_and_point_calls_agree() -> None:
    surface = catalogue.load("rosenbrock")
    X, Y = np.meshgrid(np.linspace(-2, 2, 7), np.linspace(-1, 3, 5), indexing="ij")
    P = np.stack([X, Y], axis=-1)
    np.testing.assert_array_equal(surface.loss(X, Y), surface.loss(P))
    assert surface.gradient(X, Y).shape == (7, 5, 2)
    assert surface.hessian(P).shape == (7, 5, 2, 2)
    expected = (1 - X) ** 2 + 100 * (Y - X**2) ** 2
    np.testing.assert_allclose(surface.loss(X, Y), expected, rtol=1e-14)


def test_rosenbrock_hessian_at_minimum() -> None:
    surface = catalogue.load("rosenbrock")
    np.testing.assert_array_equal(surface.hessian([1.0, 1.0]), [[802, -400], [-400, 200]])
    np.testing.assert_array_equal(surface.gradient([1.0, 1.0]), [0, 0])


def test_non_finite_values_are_masked_and_counted() -> None:
    surface = Surface.from_expression("log(x) + y", ["x", "y"], "x=-1:1,y=-1:1")
    evaluation = surface.evaluate(np.array([-1.0, 0.0, 1.0]), np.zeros(3))
    assert evaluation.nonfinite == 2
    assert np.isnan(evaluation.values[0]) and evaluation.values[2] == 0.0
    assert np.isnan(surface.gradient([0.0, 0.0])).any()  # 1/x at 0
    assert np.isfinite(surface.hessian([0.5, 0.0])).all()


def test_overflow_becomes_nan_not_an_exception() -> None:
    surface = Surface.from_expression("exp(x*y)", ["x", "y"], "x=-1000:1000,y=-1000:1000")
    assert np.isnan(surface.loss([1000.0, 1000.0]))


def test_constant_expression_broadcasts() -> None:
    surface = Surface.from_expression("3", ["x", "y"])
    assert surface.loss(np.zeros((4, 3)), np.zeros((4, 3))).shape == (4, 3)
    assert surface.gradient(np.zeros((5, 2))).shape == (5, 2)
    assert np.all(surface.hessian(np.zeros((5, 2))) == 0)


def test_parameters_change_the_surface() -> None:
    rosen = catalogue.load("rosenbrock").with_parameters(a=2.0)
    np.testing.assert_array_equal(rosen.gradient([2.0, 4.0]), [0, 0])
    with pytest.raises(ExpressionError):
        catalogue.load("rosenbrock").with_parameters(c=1.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x=-2", "x=-2:2"),
        ("q=-1:1", "not a variable"),
        ("x=1:-1", "low < high"),
        ("x=a:b", "numbers"),
    ],
)
def test_bad_domains_are_explained(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        parse_domain(text, ["x", "y"])


def test_surfaces_need_two_or_three_distinct_variables() -> None:
    with pytest.raises(ExpressionError):
        Surface.from_expression("x", ["x"])
    with pytest.raises(ExpressionError):
        Surface.from_expression("x + y", ["x", "x"])
    assert Surface.from_expression("x*y*z", ["x", "y", "z"]).ndim == 3
