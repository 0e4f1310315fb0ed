"""The basins' colours and image (models/basin_image): distinct colours for any number of
attractors, fixed diverged / not-converged colours, cells in their attractor's colour shaded by
steps, legend entries."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from saddlelab.core.basins import Attractor, Basins
from saddlelab.models.basin_image import (
    DIVERGED_RGB,
    MAX_LIGHTEN,
    NOT_CONVERGED_RGB,
    STRONG,
    attractor_colours,
    basin_rgba,
    cell_text,
    legend_entries,
    oklab,
    step_scale,
)

CLASSES = ("local_min", "saddle", "local_max", "degenerate")


def _attractors(k, mix=True):
    return [SimpleNamespace(classification=CLASSES[(i % 4) if mix else 0], point=(i, 0.0))
            for i in range(k)]  # fmt: skip


def _min_distance(colours) -> float:
    c = np.asarray(colours, float)
    d = np.linalg.norm(c[:, None] - c[None], axis=2)
    d[np.diag_indices(len(c))] = np.inf
    return float(d.min())


@pytest.mark.parametrize("mix", [True, False])
def test_colours_stay_distinct_up_to_50_attractors_and_never_take_the_fixed_ones(mix):
    fixed = np.array([DIVERGED_RGB, NOT_CONVERGED_RGB], float)
    for k in (1, 2, 5, 10, 11, 20, 35, 50):
        colours = attractor_colours(_attractors(k, mix))
        assert colours.shape == (k, 3) and colours.dtype == np.uint8
        everything = np.vstack([colours, fixed])
        assert _min_distance(everything) >= 25, k  # out of 441 in RGB
        lab = oklab(everything)
        assert _min_distance(lab) >= 0.05, k  # clearly different to the eye, not just in RGB


def test_many_attractors_never_repeat_and_the_same_list_gets_the_same_colours():
    attractors = _attractors(400)
    colours = attractor_colours(attractors)
    assert len(np.unique(colours, axis=0)) == 400
    assert np.array_equal(colours, attractor_colours(attractors))
    fixed = {tuple(DIVERGED_RGB), tuple(NOT_CONVERGED_RGB)}
    assert not fixed & {tuple(int(v) for v in c) for c in colours}


def test_minima_get_the_strong_colours_and_saddles_maxima_muted_ones():
    attractors = [SimpleNamespace(classification=c, point=(0.0,))
                  for c in ("saddle", "local_min", "local_max", "local_min", "saddle")]  # fmt: skip
    colours = attractor_colours(attractors)
    strong = [np.array([int(h[k : k + 2], 16) for k in (1, 3, 5)]) for h in STRONG[:2]]
    assert np.array_equal(colours[1], strong[0]) and np.array_equal(colours[3], strong[1])
    chroma = np.hypot(*oklab(colours)[:, 1:].T)
    assert max(chroma[[0, 2, 4]]) < 0.5 * min(chroma[[1, 3]])


def _basins(label, stc, steps=500):
    n = label.shape[0]
    xs = np.linspace(-1, 1, n)
    attractors = [Attractor(np.array([0.5, 0.5]), "local_min", 0.0),
                  Attractor(np.array([-0.5, -0.5]), "local_min", 0.1),
                  Attractor(np.array([0.0, 0.0]), "saddle", 1.0)]  # fmt: skip
    configs = tuple(SimpleNamespace(start=(x, y)) for y in xs for x in xs)
    return Basins(xs, xs, steps, attractors, label, stc, configs)


def test_cells_have_their_attractors_colour_darker_when_faster():
    rng = np.random.default_rng(1)
    label = rng.integers(-2, 3, size=(12, 12))
    stc = np.where(label >= 0, rng.integers(3, 400, size=(12, 12)), -1)
    basins = _basins(label, stc)
    rgba = basin_rgba(basins, alpha=200)
    assert rgba.shape == (12, 12, 4) and rgba.dtype == np.uint8
    assert np.all(rgba[..., 3] == 200)
    colours = attractor_colours(basins.attractors).astype(float)
    scale = step_scale(basins)
    assert scale.log  # 3 to ~400 steps: more than a decade
    lo, hi = stc[label >= 0].min(), stc[label >= 0].max()
    for j, i in zip(*np.nonzero(label >= 0), strict=True):
        t = MAX_LIGHTEN * (np.log(stc[j, i]) - np.log(lo)) / (np.log(hi) - np.log(lo))
        expected = colours[label[j, i]] * (1 - t) + 255 * t
        assert np.abs(rgba[j, i, :3] - expected).max() <= 1, (j, i)
    assert np.all(rgba[label == -1][:, :3] == DIVERGED_RGB)
    assert np.all(rgba[label == -2][:, :3] == NOT_CONVERGED_RGB)
    # the fastest cell is the full colour, the slowest the lightest
    fast = np.unravel_index(np.argmin(np.where(label >= 0, stc, 10**9)), stc.shape)
    assert np.array_equal(rgba[fast][:3], colours[label[fast]].astype(np.uint8))


def test_legend_names_class_point_and_share_and_the_hover_text_says_the_outcome():
    label = np.array([[0, 0, 1], [0, 2, -1], [-2, 1, 1]])
    stc = np.where(label >= 0, 7, -1)
    basins = _basins(label, stc)
    entries = legend_entries(basins)
    assert [e.code for e in entries] == [0, 1, 2, -1, -2]
    assert entries[0].text == "Local minimum (0.5, 0.5): 33.3%"
    assert entries[2].label == "Saddle point (0, 0)"
    assert entries[3].colour == DIVERGED_RGB and entries[4].colour == NOT_CONVERGED_RGB
    assert "not converged within 500 steps" in entries[4].label
    assert sum(e.share for e in entries) == pytest.approx(1)
    assert not step_scale(basins).log  # one step count: no scale to span
    assert cell_text(basins, 0, 0) == (
        "start (\u22121, \u22121) \u2192 Local minimum (0.5, 0.5) in 7 steps"
    )
    assert cell_text(basins, 2, 1).endswith("diverged")
