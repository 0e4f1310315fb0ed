"""Where a loss is undefined: the share of the domain, the region in words, a point's verdict,
and a suggested start that is not in the undefined part."""

from __future__ import annotations

import numpy as np
import pytest

from saddlelab.core.domain import default_range_note, domain_defaults
from saddlelab.core.surface import Surface
from saddlelab.core.undefined import point_verdict, run_verdict, undefined_region


def surface(expr: str, variables: str = "x,y", domain: str | None = None) -> Surface:
    return Surface.from_expression(expr, variables.split(","), domain)


@pytest.mark.parametrize(
    ("expr", "variables", "domain", "share", "where"),
    [
        ("log(x) + y^2", "x,y", None, 0.5, "x < 0"),
        ("sqrt(-y) + x^2", "x,y", None, 0.5, "y > 0"),
        ("log(x) + y^2", "x,y", "x=-5:3", 5 / 8, "x < 0"),
        ("log(x*y)", "x,y", None, 0.5, "x < 0 and y > 0; x > 0 and y < 0"),
        ("sqrt(x^2 + y^2 - 1)", "x,y", None, None, "within -1 < x < 1, -1 < y < 1"),
        ("log(x - 1) + log(y + 1)", "x,y", None, None, "defined only where x > 1 and y > -1"),
        ("log(x) + y^2 + z^2", "x,y,z", None, 0.5, "x < 0"),
    ],
)
def test_share_and_region_in_words(expr, variables, domain, share, where):
    region = undefined_region(surface(expr, variables, domain))
    assert region.any and region.where == where
    if share is not None:
        assert region.share == pytest.approx(share, abs=0.01)
    assert region.sentence() == f"L is undefined on {region.percent()} of the domain ({where})"


def test_the_issue_example_sentence_and_box():
    region = undefined_region(surface("log(x) + y^2"))
    assert region.sentence() == "L is undefined on 50% of the domain (x < 0)"
    (((x0, x1), (y0, y1)),) = region.boxes
    assert x0 == -2 and -0.05 < x1 < 0 and (y0, y1) == (-2, 2)
    assert region.to_dict()["share"] == 0.5


def test_defined_everywhere_says_nothing():
    region = undefined_region(surface("(1 - x*y)^2"))
    assert not region.any and region.sentence() == "" and region.to_dict()["regions"] == []


def test_undefined_everywhere():
    region = undefined_region(surface("log(-x^2 - 1) + y"))
    assert region.share == 1 and "whole domain" in region.sentence()


def test_point_verdicts():
    s = surface("log(x) + y^2")
    assert point_verdict(s, (-1, -1)) == "L is undefined at (-1, -1)"
    assert point_verdict(s, (1, 1)) is None
    assert point_verdict(surface("sqrt(x) + y^2"), (0, 1)) == "L has no finite gradient at (0, 1)"
    assert run_verdict(s, (-1, -1), 0) == (
        "L is undefined at the start (-1, -1): choose another start"
    )
    assert run_verdict(s, (-1, 0.5), 3).startswith("stopped: L is undefined at (-1, 0.5), reached")


def test_suggested_start_of_a_typed_surface_is_where_the_loss_is_defined():
    s = surface("log(x) + y^2")
    start = np.array(s.suggested_start())
    assert point_verdict(s, start) is None and s.contains(start)
    assert surface("x^2 + y^2").suggested_start() == (-1.0, -1.0)  # unchanged where defined


def test_a_partial_domain_states_the_default_range_it_completes():
    assert domain_defaults("x=5:9", ["x", "y"]) == ["y"]
    assert domain_defaults("", ["x", "y"]) == [] and domain_defaults(None, ["x", "y"]) == []
    assert default_range_note(["y"]) == (
        "y has no range in the domain: using y = -2:2 (the default)"
    )
