"""The critical-point finder: complete on isolated points, sane on degenerate sets."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core import catalogue
from saddlelab.core.critical import find_critical_points

HIMMELBLAU_MINIMA = [
    (3.0, 2.0),
    (-2.805118, 3.131312),
    (-3.779310, -3.283186),
    (3.584428, -1.848126),
]


def _near(points, target, tol=1e-5) -> bool:
    return any(np.linalg.norm(p.point - np.array(target)) < tol for p in points)


def test_himmelblau_has_nine_critical_points() -> None:
    result = find_critical_points(catalogue.load("himmelblau"))
    assert result.counts() == {"local_min": 4, "local_max": 1, "saddle": 4}
    for m in HIMMELBLAU_MINIMA:
        assert _near(result, m)
    assert _near(result, (-0.270845, -0.923039))
    losses = [p.loss for p in result]
    assert losses == sorted(losses)
    assert result[-1].classification == "local_max"
    for p in result:
        assert p.analysis.gradient_norm <= p.analysis.grad_tolerance
        assert all(lo <= x <= hi for x, (lo, hi) in zip(p.point, result.domain, strict=True))
        assert p.isolated


def test_rastrigin_grid_of_critical_points() -> None:
    result = find_critical_points(catalogue.load("rastrigin"))
    assert result.counts() == {"local_min": 121, "local_max": 100, "saddle": 220}
    assert result[0].classification == "local_min" and np.allclose(result[0].point, 0, atol=1e-9)


@pytest.mark.parametrize(
    ("surface_id", "expected"),
    [
        ("saddle", {"saddle": 1}),
        ("booth", {"local_min": 1}),
        ("rosenbrock", {"local_min": 1}),
        ("elongated-bowl", {"local_min": 1}),
        ("plateau", {"local_min": 1}),
        ("two-minima", {"local_min": 2, "saddle": 1}),
        ("slice-trap", {"local_min": 2, "saddle": 1}),
        ("goldstein-price", {"local_min": 4, "local_max": 1, "saddle": 4}),
        ("sigmoid-ce", {"local_min": 1}),
        ("sigmoid-mse", {"local_min": 1}),
    ],
)
def test_known_critical_point_counts(surface_id: str, expected: dict) -> None:
    assert find_critical_points(catalogue.load(surface_id)).counts() == expected


def test_two_minima_global_is_first() -> None:
    result = find_critical_points(catalogue.load("two-minima"))
    assert result[0].point[0] == pytest.approx(-1.0574, abs=1e-4)
    assert result[0].loss < result[1].loss


def test_monkey_saddle_origin_is_one_isolated_degenerate_point() -> None:
    result = find_critical_points(catalogue.load("monkey-saddle"))
    assert len(result) == 1
    (origin,) = result
    assert origin.classification == "degenerate" and origin.isolated
    assert np.allclose(origin.point, 0, atol=1e-6)


def test_lecture_valley_is_returned_as_thinned_degenerate_representatives() -> None:
    result = find_critical_points(catalogue.load("w1w2-mse"))
    saddles = [p for p in result if p.classification == "saddle"]
    assert len(saddles) == 1 and np.allclose(saddles[0].point, 0) and saddles[0].isolated
    valley = [p for p in result if p.classification != "saddle"]
    assert 4 <= len(valley) <= 40
    assert result.has_continuum
    for p in valley:
        assert p.classification == "degenerate" and not p.isolated
        assert p.point[0] * p.point[1] == pytest.approx(1, abs=1e-9)
        assert p.loss == pytest.approx(0, abs=1e-12)
    assert {np.sign(p.point[0]) for p in valley} == {-1.0, 1.0}  # both branches


def test_three_weight_chain_does_not_flood() -> None:
    result = find_critical_points(catalogue.load("w1w2w3-mse"))
    assert 10 <= len(result) <= 200 and result.has_continuum
    products = np.array([np.prod(p.point) for p in result])
    on_valley = np.isclose(products, 1, atol=1e-8)
    assert on_valley.any()
    for p in np.array(result.points)[on_valley]:
        assert p.classification == "degenerate" and not p.isolated
    # Off the valley the critical points lie on the axes (two weights zero): loss 1.
    for p in np.array(result.points)[~on_valley]:
        assert p.loss == pytest.approx(1) and np.sort(np.abs(p.point))[1] < 1e-8
        assert p.classification in ("saddle", "degenerate")


def test_explicit_starts_and_determinism() -> None:
    surface = catalogue.load("himmelblau")
    one = find_critical_points(surface, starts=np.array([[3.1, 1.9]]))
    assert len(one) == 1 and np.allclose(one[0].point, (3, 2))
    a = find_critical_points(surface, seed=3)
    b = find_critical_points(surface, seed=3)
    assert [tuple(p.point) for p in a] == [tuple(p.point) for p in b]


def test_cancel_stops_early_and_progress_reaches_one() -> None:
    surface = catalogue.load("rastrigin")
    cancelled = find_critical_points(surface, cancel=lambda: True)
    assert cancelled.cancelled and len(cancelled) < 441
    seen: list[float] = []
    full = find_critical_points(surface, progress=seen.append)
    assert not full.cancelled
    assert seen[-1] == 1.0 and seen == sorted(seen) and all(0 <= f <= 1 for f in seen)


def test_to_dict_matches_the_cli_contract() -> None:
    record = find_critical_points(catalogue.load("saddle")).to_dict()
    assert list(record)[:4] == ["surface", "variables", "domain", "points"]
    assert record["truncated"] is False and "not truncated" in record["note"]
    assert record["domain"] == [[-2.0, 2.0], [-2.0, 2.0]]
    (point,) = record["points"]
    assert list(point) == ["point", "loss", "classification", "eigenvalues", "minimum_ratio"]
    assert point["classification"] == "saddle" and point["minimum_ratio"] == 0.5
