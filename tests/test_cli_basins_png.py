"""`saddlelab basins --out`: the PNG read back has one distinct colour per attractor (no
repeats past ten), each cell its attractor's colour shaded by steps, and the lightness bar."""

from __future__ import annotations

import numpy as np

from saddlelab.cli import main
from saddlelab.core import catalogue
from saddlelab.core.basins import compute_basins
from saddlelab.models.basin_image import (
    MAX_LIGHTEN,
    attractor_colours,
    basin_rgba,
    shade,
    step_scale,
)

W, H = 900, 624
AXES = (0.1, 0.1, 0.53, 0.8)
BAR = (0.66, 0.1, 0.3, 0.035)


def _pixel(image, fx: float, fy: float) -> np.ndarray:
    """The pixel at figure fractions (fx, fy), fy from the bottom."""
    return image[int(round((1 - fy) * H)), int(round(fx * W))].astype(float)


def test_png_of_rastrigin_has_no_repeated_attractor_colours(tmp_path, capsys):
    from imageio.v3 import imread

    args = ["--optimizer", "sgd", "--set", "lr=0.002", "--grid", "40", "--steps", "2000"]
    path = tmp_path / "r.png"
    assert main(["basins", "rastrigin", *args, "--out", str(path)]) == 0
    capsys.readouterr()
    image = imread(path)[..., :3]
    assert image.shape == (H, W, 3)
    surface = catalogue.load("rastrigin")
    basins = compute_basins(surface, "sgd", {"lr": 0.002}, grid=40, steps=2000)
    k = len(basins.attractors)
    assert k > 10, (np.unique(basins.label, return_counts=True), basins.steps_to_converge.max())
    rgba = basin_rgba(basins)
    fraction = step_scale(basins).fraction(basins.steps_to_converge)
    xs, ys = basins.xs, basins.ys
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    bases = {}
    for j in range(len(ys)):
        for i in range(len(xs)):
            a = int(basins.label[j, i])
            if a < 0 or a in bases:
                continue
            near = min(np.hypot(*(np.array([xs[i], ys[j]]) - b.point[:2]))
                       for b in basins.attractors)  # fmt: skip
            if near < 2 * dx:  # the attractors' markers cover their own cells
                continue
            fx = AXES[0] + AXES[2] * (xs[i] - xs[0] + dx / 2) / (xs[-1] - xs[0] + dx)
            fy = AXES[1] + AXES[3] * (ys[j] - ys[0] + dy / 2) / (ys[-1] - ys[0] + dy)
            pixel = _pixel(image, fx, fy)
            assert np.abs(pixel - rgba[j, i, :3]).max() <= 3, (i, j)
            t = MAX_LIGHTEN * fraction[j, i]
            bases[a] = (pixel - 255 * t) / (1 - t)  # the attractor's colour before shading
    assert len(bases) > 10
    found = np.array(list(bases.values()))
    d = np.linalg.norm(found[:, None] - found[None], axis=2)
    d[np.diag_indices(len(found))] = np.inf
    assert d.min() > 15  # every attractor read back has its own colour
    # the lightness bar: the biggest basin's colour, full at the left, lightest at the right
    shares = [np.count_nonzero(basins.label == a) for a in range(k)]
    colour = attractor_colours(basins.attractors)[int(np.argmax(shares))].astype(float)
    y = BAR[1] + BAR[3] / 2
    assert np.abs(_pixel(image, BAR[0] + 0.01, y) - colour).max() <= 8  # 2 of 64 shades in
    lightest = shade(colour[None], np.ones(1))[0]
    assert np.abs(_pixel(image, BAR[0] + BAR[2] - 0.01, y) - lightest).max() <= 8
