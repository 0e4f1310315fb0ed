"""The plain-language second-order advice: regimes, step-size data, escapes, Taylor text."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core import catalogue
from saddlelab.core.advice import (
    ADD_GRADIENT_NOISE,
    REGIMES,
    REMEDIES,
    STEP_ALONG_NEGATIVE_CURVATURE,
    escape_point,
    escape_sentence,
    format_taylor,
    regime,
    start_near,
    step_size_curves,
    step_size_sentence,
    taylor_terms,
)
from saddlelab.core.analysis import analyze
from saddlelab.core.numbers import fmt


@pytest.fixture(scope="module")
def lecture():
    return catalogue.load("w1w2-mse")


def test_remedies_are_the_two_from_the_lectures_with_one_sentence_each():
    assert [r.title for r in REMEDIES] == [
        "Step along the negative-curvature direction",
        "Add gradient noise",
    ]
    for remedy in REMEDIES:
        assert remedy.why.count(". ") == 0 and remedy.why.endswith(".")
    assert "negative" in STEP_ALONG_NEGATIVE_CURVATURE.why
    assert "mini-batch" in ADD_GRADIENT_NOISE.why


@pytest.mark.parametrize(
    ("eta", "expected"),
    [
        (0.1, "monotone"),
        (1.0, "one step"),
        (1.5, "oscillating"),
        (2.0, "divergent"),
        (3.0, "divergent"),
    ],
)
def test_regimes_of_a_1d_quadratic_follow_background_section_5(eta, expected):
    # E = a w^2 / 2 with a = 1: eta_opt = 1.
    assert regime(eta, 1.0) == expected
    assert expected in REGIMES


def test_regime_of_negative_and_flat_curvature():
    assert regime(0.1, -2.0) == "escaping"
    assert regime(0.1, 1e-12, tolerance=1e-9) == "flat"


@pytest.mark.parametrize("lr", [0.01, 0.02, 0.03, 0.04, 0.05])
def test_regimes_agree_with_the_core_analysis(lr):
    bowl = catalogue.load("elongated-bowl")
    a = analyze(bowl, (0.3, -0.2))
    assert [regime(lr, x, a.eigen_tolerance) for x in a.eigenvalues] == a.regimes(lr)


def test_gradient_descent_on_the_quadratic_matches_the_predicted_contraction():
    lam = np.array([1.0, 50.0])
    curves = step_size_curves(lam, lr=0.03)
    k = np.searchsorted(curves.etas, 0.03)
    eta = curves.etas[k]
    w = np.array([1.0, 1.0])
    w_next = w - eta * lam * w  # one GD step on 0.5 * sum(lam * w^2)
    assert np.allclose(np.abs(w_next / w), curves.factors[k])


def test_step_size_curves_bands_and_markers_for_the_elongated_bowl():
    curves = step_size_curves([1.0, 50.0], lr=0.05)
    assert curves.eta_opt == pytest.approx(0.02)
    assert curves.eta_max_stable == pytest.approx(0.04)
    assert [b[2] for b in curves.bands] == ["monotone", "oscillating", "divergent"]
    assert curves.bands[0][1] == pytest.approx(0.02) and curves.bands[1][1] == pytest.approx(0.04)
    assert curves.etas[-1] >= 0.05  # the run's eta is inside the plotted range
    assert curves.factors.shape == (curves.etas.size, 2)


def test_step_size_curves_without_positive_curvature_have_no_eta_opt():
    curves = step_size_curves([-2.0, -1.0], lr=0.1)
    assert curves.eta_opt is None and curves.eta_max_stable is None
    assert [b[2] for b in curves.bands] == ["escaping"]
    assert np.all(curves.factors[1:] > 1.0)


def test_step_size_sentence_names_the_regime_of_the_steepest_direction():
    assert "diverges" in step_size_sentence([1.0, 50.0], 0.05)
    assert "oscillates but converges" in step_size_sentence([1.0, 50.0], 0.03)
    slow = step_size_sentence([1.0, 50.0], 0.01)
    assert "monotonically" in slow and "condition number is 50" in slow
    assert "no step-size limit" in step_size_sentence([-1.0, -2.0], 0.1)


def test_escape_point_from_the_lecture_saddle_lowers_the_loss_along_1_1(lecture):
    a = analyze(lecture, (0.0, 0.0))
    p = escape_point(lecture, a, np.sqrt(2.0))
    assert np.allclose(np.abs(p), [1.0, 1.0])
    assert lecture.loss(p) == pytest.approx(0.0, abs=1e-12)  # lands on w1*w2 = 1


def test_escape_point_is_none_without_negative_curvature(lecture):
    a = analyze(lecture, (1.0, 1.0))
    assert escape_point(lecture, a, 0.1) is None


def test_start_near_a_saddle_is_downhill_along_the_escape_direction(lecture):
    a = analyze(lecture, (0.0, 0.0))
    start = start_near(lecture, a, 0.05)
    assert np.linalg.norm(start) == pytest.approx(0.05)
    assert abs(start[0] - start[1]) < 1e-12  # along (1, 1)
    assert lecture.loss(start) < a.loss


def test_start_near_a_minimum_stays_inside_the_domain():
    himmelblau = catalogue.load("himmelblau")
    a = analyze(himmelblau, (3.0, 2.0))
    start = start_near(himmelblau, a)
    assert 0 < np.linalg.norm(start - a.point) <= 0.2 + 1e-12
    assert himmelblau.contains(start)


def test_taylor_text_of_the_lecture_example_at_the_origin(lecture):
    a = analyze(lecture, (0.0, 0.0))
    assert (
        format_taylor(taylor_terms(a.taylor, a.variables)) == "L \u2248 1 \u2212 2\u00b7w1\u00b7w2"
    )
    html = format_taylor(taylor_terms(a.taylor, a.variables), html=True)
    assert "<i>w</i><sub>1</sub>" in html and "2\u00b7" in html


def test_taylor_terms_reproduce_the_model_values():
    surface = catalogue.load("rosenbrock")
    a = analyze(surface, (-0.5, 0.7))
    terms = taylor_terms(a.taylor, a.variables)
    rng = np.random.default_rng(1)
    for p in a.point + rng.normal(scale=0.3, size=(5, 2)):
        total = 0.0
        for t in terms:
            value = t.coefficient
            for name, shift, power in t.factors:
                value *= (p[a.variables.index(name)] - shift) ** power
            total += value
        assert total == pytest.approx(float(a.taylor(p)), rel=1e-12, abs=1e-12)
    text = format_taylor(terms)
    assert "(x + 0.5)" in text and "(y \u2212 0.7)" in text


def test_fmt_is_readable():
    assert fmt(-2.0) == "\u22122"
    assert fmt(0.5) == "0.5"
    assert fmt(1e-6) == "10\u207b\u2076"
    assert fmt(float("inf")) == "\u221e"


def test_escape_sentence_names_the_lecture_escape_direction(lecture):
    a = analyze(lecture, (0.0, 0.0))
    assert escape_sentence(a) == "The loss still falls along (0.71, 0.71), where \u03bb = \u22122."
    assert "No direction" in escape_sentence(analyze(lecture, (1.0, 1.0)))
