"""The on-disk cache of a surface's printed code: used when valid, never trusted blindly."""

from __future__ import annotations

import json

import numpy as np
import pytest

from saddlelab.core import catalogue, surface_code
from saddlelab.core.surface import Surface


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SADDLELAB_CACHE_DIR", str(tmp_path))
    return tmp_path / "surfaces"


def _build(entry):
    return Surface.from_expression(entry.expression, entry.variables, entry.domain,
                                   parameters=entry.parameters)  # fmt: skip


def test_every_built_in_surface_is_cached_and_rebuilt_without_parsing_to_the_same_numbers(cache):
    points = np.array([[0.3, -0.7, 0.2], [1.1, 0.4, -0.5]])
    for entry in catalogue.entries():
        first = _build(entry)
        assert first.symbolic_expr is not None and first.code is not None
        again = _build(entry)
        assert again.symbolic_expr is None  # from the cache: not parsed
        p = points[:, : first.ndim]
        for f in ("loss", "gradient", "hessian"):
            assert getattr(again, f)(p).tobytes() == getattr(first, f)(p).tobytes()
        assert again.expr == first.expr  # parsed on demand, the same tree


@pytest.mark.parametrize(
    "body",
    [
        "__import__('os').system('true')",
        "numpy.load('x')",
        "numpy.lib.format",
        "x.__class__",
        "numpy.exp(x) if x else 0",
        "(lambda: 0)()",
        "open('f')",
        "9**9**9",
        "numpy.exp(x, out=y)",
        "'text'",
    ],
)
def test_a_tampered_cache_file_is_refused_and_the_surface_regenerated(cache, body):
    text, names = "x^2 + 3*y^2", ["x", "y"]
    first = Surface.from_expression(text, names)
    (path,) = cache.glob("*.json")
    data = json.loads(path.read_text())
    data["grad"] = f"def _lambdifygenerated(x, y):\n    return [{body}, 6*y]\n"
    path.write_text(json.dumps(data))
    assert surface_code.load(first.code_key) is None
    again = Surface.from_expression(text, names)
    assert again.symbolic_expr is not None  # parsed and differentiated again
    assert again.gradient([[1.0, 2.0]]).tolist() == [[2.0, 12.0]]
    assert surface_code.load(first.code_key) is not None  # and the file is whole again


def test_a_file_stored_under_another_key_is_not_used(cache):
    a = Surface.from_expression("x^2 + y^2", ["x", "y"])
    b = Surface.from_expression("x^4 + y^2", ["x", "y"])
    (cache / f"{b.code_key}.json").write_text((cache / f"{a.code_key}.json").read_text())
    assert surface_code.load(b.code_key) is None
