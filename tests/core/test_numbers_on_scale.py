"""Numbers read off a scale print 0 where the scale says 0, and the Taylor model written out at
a critical point drops what the analysis' tolerances call zero (issue 10, point 6)."""

from __future__ import annotations

import pytest

from saddlelab.core import catalogue, numbers
from saddlelab.core.advice import format_taylor, taylor_terms
from saddlelab.core.analysis import analyze


@pytest.mark.parametrize(
    ("value", "lo", "hi", "text"),
    [
        (8.73e-07, 8.73e-07, 25.0, "0"),  # the lecture example's sampled minimum
        (-3e-06, -3e-06, 25.0, "0"),
        (25.0, 8.73e-07, 25.0, "25"),
        (8.33, 0.0, 25.0, "8.33"),
        (0.01, 0.0, 25.0, "0.01"),  # a 2500th of 25 is a value, not round-off
        (8.73e-07, 0.0, 1e-6, "8.73\u00b710\u207b\u2077"),  # on a scale of 10⁻⁶ it is a value
    ],
)
def test_values_zero_within_their_scale_print_0(value, lo, hi, text):
    assert numbers.fmt_on_scale(value, lo, hi) == text


def test_zero_on_scale_keeps_what_is_not_zero():
    assert numbers.zero_on_scale(2e-5, 25.0) == 0.0
    assert numbers.zero_on_scale(5e-3, 25.0) == 5e-3
    assert numbers.zero_on_scale(2e-4, 1.0) == 2e-4
    assert numbers.zero_on_scale(-1e-7, 1.0) == 0.0
    assert numbers.zero_on_scale(float("nan"), 1.0) != numbers.zero_on_scale(
        float("nan"), 1.0
    )  # NaN stays


LECTURE = "L \u2248 1 \u2212 2\u00b7w1\u00b7w2"


@pytest.mark.parametrize("point", [(0.0, 0.0), (3e-9, -3e-9), (-4e-9, -2e-9)])
def test_taylor_text_at_the_saddle_is_the_lecture_s(point):
    """background.md section 3: at (0, 0) g = 0 and H = [[0, -2], [-2, 0]], so the model is
    1 + ½·(−4·w1·w2). A critical point found to 10⁻⁹ reads the same: no 10⁻⁹ terms."""
    a = analyze(catalogue.load("w1w2-mse"), point)
    assert a.is_critical
    shown = a.taylor.for_display()
    assert format_taylor(taylor_terms(shown, a.variables)) == LECTURE
    assert a.taylor.text() == "L \u2248 1 + \u00bd(\u22124\u00b7\u0394w1\u0394w2)"
    assert "10" not in a.taylor.latex().replace("\\", "")


def test_taylor_text_away_from_critical_points_keeps_every_term():
    a = analyze(catalogue.load("w1w2-mse"), (0.5, 0.3))
    text = format_taylor(taylor_terms(a.taylor.for_display(), a.variables))
    assert text.startswith("L \u2248 0.7225 \u2212 0.51\u00b7(w1 \u2212 0.5)")
    assert "(w2 \u2212 0.3)\u00b2" in text
    # Evaluating the model keeps the exact numbers, whatever the display drops.
    b = analyze(catalogue.load("w1w2-mse"), (3e-9, -3e-9))
    assert b.taylor((3e-9, -3e-9)) == pytest.approx(b.loss, abs=0, rel=1e-15)
    assert b.taylor.gradient[0] != 0.0


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e-12, "10\u207b\u00b9\u00b2"),
        (-3e-10, "\u22123\u00b710\u207b\u00b9\u2070"),
        (9.7e-13, "9.7\u00b710\u207b\u00b9\u00b3"),
        (2.0000000000001, "2"),
        (-5.0, "\u22125"),
        (0.0, "0"),
    ],
)
def test_fmt_never_writes_a_small_number_as_zero(value, text):
    """Exact numbers: a gradient norm of 1e-12 is not 0 (only whole numbers are rounded)."""
    assert numbers.fmt(value) == text
