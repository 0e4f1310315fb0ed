"""The 3-D surface item's level of detail: coarse mesh and coarse contour lines together."""

from __future__ import annotations

import numpy as np

from saddlelab.app.scene3d.surface import GLLossSurface
from saddlelab.models.scene_scale import SceneScale


def _surface(n: int = 81) -> GLLossSurface:
    xs = ys = np.linspace(-2.0, 2.0, n)
    x, y = np.meshgrid(xs, ys, indexing="ij")
    values = (x**2 - 1) ** 2 + y**2 + 0.3 * np.sin(3 * x) * np.cos(2 * y)
    item = GLLossSurface()
    item.set_grid(xs, ys, values, SceneScale(((-2, 2), (-2, 2)), values))
    return item


def _segments(lines) -> int:
    return len(lines.pos) // 2


def test_coarse_contours_trace_the_same_levels_with_fewer_segments() -> None:
    item = _surface()
    full, coarse = item.contours.pos, item.coarse_contours.pos
    assert 0 < _segments(item.coarse_contours) < 0.7 * _segments(item.contours)
    # Same levels (heights) in both sets.
    assert np.array_equal(np.unique(full[:, 2]), np.unique(coarse[:, 2]))


def test_coarse_mode_swaps_mesh_and_contours_and_respects_the_contour_toggle() -> None:
    item = _surface()
    assert item.mesh.visible() and item.contours.visible()
    assert not item.coarse_mesh.visible() and not item.coarse_contours.visible()
    item.set_coarse(True)
    assert item.coarse_mesh.visible() and item.coarse_contours.visible()
    assert not item.mesh.visible() and not item.contours.visible()
    item.set_show_contours(False)
    assert not item.coarse_contours.visible() and not item.contours.visible()
    item.set_coarse(False)
    assert not item.contours.visible() and item.mesh.visible()
    item.set_show_contours(True)
    assert item.contours.visible() and not item.coarse_contours.visible()
