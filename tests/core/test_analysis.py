"""Second-order analysis: the lecture example exactly, classification, tolerances, Taylor model."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from saddlelab.core import catalogue
from saddlelab.core.analysis import AnalysisError, analyze, fix_signs
from saddlelab.core.surface import Surface

SQRT_HALF = 1 / math.sqrt(2)
JSON_KEYS = [
    "surface",
    "variables",
    "point",
    "loss",
    "gradient",
    "gradient_norm",
    "hessian",
    "eigenvalues",
    "eigenvectors",
    "curvature",
    "is_critical",
    "classification",
    "minimum_ratio",
    "escape_directions",
    "condition_number",
    "eta_opt",
    "eta_max_stable",
]


def test_lecture_example_exactly() -> None:
    surface = catalogue.load("w1w2-mse")
    a = analyze(surface, [0, 0])
    assert a.loss == 1.0
    np.testing.assert_array_equal(a.gradient, [0, 0])
    np.testing.assert_array_equal(a.hessian, [[0, -2], [-2, 0]])
    np.testing.assert_allclose(a.eigenvalues, [-2, 2], rtol=0, atol=1e-15)
    assert a.is_critical and a.curvature == "indefinite" and a.classification == "saddle"
    assert a.minimum_ratio == 0.5
    np.testing.assert_allclose(a.escape_directions, [[SQRT_HALF, SQRT_HALF]], atol=1e-15)
    np.testing.assert_allclose(a.eigenvectors[1], [SQRT_HALF, -SQRT_HALF], atol=1e-15)
    assert a.sentence() == "Saddle point: the loss falls along (0.71, 0.71), where λ = -2."
    # Moving along the escape direction by (1, 1) lands on the valley w1*w2 = 1: loss 0.
    assert float(surface.loss(np.array([1.0, 1.0]))) == 0.0
    assert a.taylor.text() == "L ≈ 1 + ½(−4·Δw1Δw2)"
    assert a.taylor(np.array([1.0, 1.0])) == -1.0
    assert a.taylor.error(surface, [1.0, 1.0]) == 1.0


def test_valley_point_is_a_degenerate_minimum() -> None:
    a = analyze(catalogue.load("w1w2-mse"), [1, 1])
    assert a.loss == 0 and a.is_critical
    np.testing.assert_allclose(a.eigenvalues, [0, 4], atol=1e-14)
    assert a.curvature == "positive semi-definite" and a.classification == "degenerate"
    assert "cannot decide" in a.sentence()


def test_saddle_minimum_maximum_and_degenerate() -> None:
    assert analyze(catalogue.load("saddle"), [0, 0]).classification == "saddle"
    monkey = analyze(catalogue.load("monkey-saddle"), [0, 0])
    assert monkey.classification == "degenerate" and monkey.curvature == "zero"
    assert monkey.condition_number is None and monkey.eta_opt is None
    assert monkey.escape_directions.shape == (0, 2)
    rosen = analyze(catalogue.load("rosenbrock"), [1, 1])
    np.testing.assert_array_equal(rosen.hessian, [[802, -400], [-400, 200]])
    assert rosen.classification == "local_min" and rosen.minimum_ratio == 1.0
    assert rosen.sentence() == "Local minimum: the loss rises in every direction."
    top = analyze(Surface.from_expression("-(x^2 + 3*y^2)", ["x", "y"]), [0, 0])
    assert top.classification == "local_max" and top.minimum_ratio == 0.0
    assert top.sentence() == "Local maximum: the loss falls in every direction."


def test_slice_trap_is_a_saddle_of_the_full_loss() -> None:
    a = analyze(catalogue.load("slice-trap"), [0, 0, 0])
    np.testing.assert_allclose(a.eigenvalues, [-2, 2, 2])
    assert a.classification == "saddle" and a.minimum_ratio == pytest.approx(2 / 3)
    np.testing.assert_allclose(a.escape_directions, [[0, 0, 1]])


def test_plateau_is_not_critical() -> None:
    a = analyze(catalogue.load("plateau"), [3, 3])
    assert 0 < a.gradient_norm < 1e-6
    assert not a.is_critical and a.classification == "not_critical"
    assert a.sentence().startswith("Not a critical point, on a plateau: |g| = 1.3·10⁻⁷")


def test_near_critical_point_names_the_curvature_it_would_have() -> None:
    # Where a run has "converged" (small gradient) but the point is not critical to the
    # analysis tolerance, the sentence still says what kind of point the curvature points to.
    a = analyze(catalogue.load("elongated-bowl"), [1e-6, 0])
    assert a.classification == "not_critical"
    assert "that of a minimum" in a.sentence()
    s = analyze(catalogue.load("saddle"), [1e-3, 1e-3]).sentence()
    assert "that of a saddle" in s


def test_step_sizes_and_condition_number() -> None:
    a = analyze(catalogue.load("elongated-bowl"), [0.5, -0.5])
    assert not a.is_critical
    assert a.condition_number == pytest.approx(50)
    assert a.eta_opt == pytest.approx(1 / 50) and a.eta_max_stable == pytest.approx(2 / 50)
    assert a.regimes(0.01) == ["monotone", "monotone"]
    assert a.regimes(0.02) == ["monotone", "one step"]
    assert a.regimes(0.03) == ["monotone", "oscillating"]
    assert a.regimes(0.05) == ["monotone", "divergent"]
    assert a.regimes(1.5) == ["oscillating", "divergent"]
    lecture = analyze(catalogue.load("w1w2-mse"), [0, 0])
    assert lecture.regimes(0.5) == ["escaping", "one step"]
    assert analyze(catalogue.load("monkey-saddle"), [0, 0]).regimes(0.1) == ["flat", "flat"]
    with pytest.raises(ValueError):
        a.regimes(0)


def test_tolerance_is_relative_to_the_hessian_scale() -> None:
    # A tiny but genuine curvature on a tiny-scale surface still counts (relative test)...
    small = Surface.from_expression("1e-3*(x^2 - y^2)", ["x", "y"])
    assert analyze(small, [0, 0]).classification == "saddle"
    # ... while a round-off-sized eigenvalue next to a large one counts as zero.
    big = Surface.from_expression("1e6*x^2 + 1e-9*y^2", ["x", "y"])
    a = analyze(big, [0, 0])
    assert a.classification == "degenerate" and a.eigen_tolerance == pytest.approx(2.0)


def test_eigenvector_signs_are_deterministic() -> None:
    rng = np.random.default_rng(1)
    for _ in range(50):
        v = fix_signs(rng.normal(size=(3, 3)))
        for row in v:
            assert row[np.argmax(np.abs(row))] > 0
    np.testing.assert_array_equal(fix_signs([[-1.0, -1.0]]), [[1.0, 1.0]])
    np.testing.assert_array_equal(fix_signs([[-1.0, 1.0]]), [[1.0, -1.0]])


def test_eigenvectors_are_rows_of_unit_length() -> None:
    a = analyze(catalogue.load("himmelblau"), [1.0, -2.0])
    for lam, u in zip(a.eigenvalues, a.eigenvectors, strict=True):
        np.testing.assert_allclose(a.hessian @ u, lam * u, atol=1e-10)
        assert np.linalg.norm(u) == pytest.approx(1)
    assert list(a.eigenvalues) == sorted(a.eigenvalues)


def test_taylor_model_is_vectorized_and_exact_on_quadratics() -> None:
    booth = catalogue.load("booth")
    model = analyze(booth, [-3.0, 4.0]).taylor
    X, Y = np.meshgrid(np.linspace(-10, 10, 9), np.linspace(-10, 10, 7), indexing="ij")
    np.testing.assert_allclose(model(X, Y), booth.loss(X, Y), rtol=1e-12)
    np.testing.assert_allclose(model(np.stack([X, Y], -1)), model(X, Y))
    assert model.error(booth, [7.0, -2.0]) == pytest.approx(0, abs=1e-9)
    coeffs = model.coefficients()
    assert coeffs["dx^2"] == 5 and coeffs["dx*dy"] == 8 and coeffs["dy^2"] == 5


def test_taylor_error_grows_away_from_the_centre() -> None:
    surface = catalogue.load("himmelblau")
    model = analyze(surface, [1.0, 1.0]).taylor
    near = abs(model.error(surface, [1.01, 1.01]))
    far = abs(model.error(surface, [1.5, 1.5]))
    assert near < 1e-4 < far


def test_taylor_latex_shows_the_numbers() -> None:
    latex = analyze(catalogue.load("w1w2-mse"), [0, 0]).taylor.latex()
    assert latex == r"L \approx 1 + \tfrac{1}{2}\left(-4\,\Delta w_{1}\,\Delta w_{2}\right)"


def test_to_dict_has_exactly_the_cli_keys_and_no_nan() -> None:
    record = analyze(catalogue.load("monkey-saddle"), [0, 0]).to_dict()
    assert list(record) == JSON_KEYS
    text = json.dumps(record, allow_nan=False)
    assert json.loads(text)["condition_number"] is None


@pytest.mark.parametrize("point", [[0.0], [0.0, 0.0, 0.0], [np.nan, 0.0], [np.inf, 1.0]])
def test_bad_points_are_refused(point) -> None:
    with pytest.raises(AnalysisError):
        analyze(catalogue.load("saddle"), point)


def test_undefined_loss_is_refused_not_classified() -> None:
    surface = Surface.from_expression("log(x) + y^2", ["x", "y"], "x=-1:1,y=-1:1")
    with pytest.raises(AnalysisError, match="not finite"):
        analyze(surface, [-0.5, 0.0])
