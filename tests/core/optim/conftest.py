from __future__ import annotations

import pytest

from saddlelab.core import catalogue
from saddlelab.core.surface import Surface


@pytest.fixture(scope="session")
def bowl() -> Surface:
    """E = (x^2 + 4 y^2) / 2: gradient (x, 4y), Hessian diag(1, 4)."""
    return Surface.from_expression("(x^2 + 4*y^2)/2", ["x", "y"], "x=-3:3,y=-3:3")


@pytest.fixture(scope="session")
def w1w2() -> Surface:
    return catalogue.load("w1w2-mse")


@pytest.fixture(scope="session")
def rosenbrock() -> Surface:
    return catalogue.load("rosenbrock")
