"""The built-in catalogue: every required id, loaded through importlib.resources."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core import catalogue

REQUIRED = {
    "w1w2-mse",
    "saddle",
    "monkey-saddle",
    "rosenbrock",
    "himmelblau",
    "beale",
    "booth",
    "six-hump-camel",
    "goldstein-price",
    "rastrigin",
    "elongated-bowl",
    "plateau",
    "two-minima",
    "w1w2w3-mse",
    "slice-trap",
}


def test_required_surfaces_are_present() -> None:
    assert REQUIRED <= set(catalogue.ids())
    assert len(catalogue.ids()) == len(set(catalogue.ids()))


@pytest.mark.parametrize("entry", catalogue.entries(), ids=lambda e: e.id)
def test_entry_is_complete_and_start_in_domain(entry) -> None:
    surface = catalogue.load(entry.id)
    assert entry.name and entry.description
    assert surface.ndim == len(entry.domain) == len(entry.start)
    assert surface.contains(entry.start)
    assert np.isfinite(surface.loss(np.array(entry.start)))


def test_three_parameter_surfaces() -> None:
    assert catalogue.load("w1w2w3-mse").ndim == 3
    assert catalogue.load("slice-trap").ndim == 3


@pytest.mark.parametrize(
    ("surface_id", "point", "value"),
    [
        ("w1w2-mse", (1.0, 1.0), 0.0),
        ("rosenbrock", (1.0, 1.0), 0.0),
        ("himmelblau", (3.0, 2.0), 0.0),
        ("beale", (3.0, 0.5), 0.0),
        ("booth", (1.0, 3.0), 0.0),
        ("goldstein-price", (0.0, -1.0), 3.0),
        ("rastrigin", (0.0, 0.0), 0.0),
        ("six-hump-camel", (0.0898, -0.7126), -1.0316),
    ],
)
def test_published_minima(surface_id: str, point, value: float) -> None:
    assert float(catalogue.load(surface_id).loss(np.array(point))) == pytest.approx(value, abs=1e-4)


def test_elongated_bowl_has_condition_number_50() -> None:
    eig = np.linalg.eigvalsh(catalogue.load("elongated-bowl").hessian([0.3, -0.2]))
    assert eig.max() / eig.min() == pytest.approx(50)


def test_unknown_id_names_the_known_ones() -> None:
    with pytest.raises(catalogue.UnknownSurfaceError, match="rosenbrock"):
        catalogue.load("no-such-surface")
