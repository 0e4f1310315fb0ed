"""The Taylor model's dashed contours stay lines when the disk is small on screen.

At 1280 x 800 a radius of 1.5 on Himmelblau's 10-wide domain is ~35 pixels: ten dashed
contours 3-4 pixels apart read as a speckle of dashes. The item draws every k-th level then,
always the one through the probe (at a saddle: the crossing lines).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

from saddlelab.app.plots.taylor_contours import (
    MIN_GAP_PX,
    TaylorContoursItem,
    taylor_contour_lines,
)


def _saddle_item(radius: float = 1.0) -> TaylorContoursItem:
    item = TaylorContoursItem()
    lines = taylor_contour_lines(lambda p: p[:, 0] ** 2 - p[:, 1] ** 2, np.zeros(2), radius)
    item.setData(lines, np.zeros(2), radius)
    return item


def test_a_small_disk_draws_fewer_levels_spaced_apart_and_keeps_the_probe_level(qapp):
    item = _saddle_item()
    every = np.unique([lv for _, lv in item.lines()])
    assert len(every) >= 9  # 0 and five on each side
    assert np.array_equal(item.drawn_levels(200.0), every)  # 400 px across: all of them
    few = item.drawn_levels(20.0)  # 40 px across
    assert 2 <= len(few) < len(every)
    assert 0.0 in few  # the saddle's crossing lines, through the probe
    rings = (len(every) - 1) // 2  # on each side of the saddle level
    assert 1.0 * 20.0 / rings * item.stride(20.0) >= MIN_GAP_PX


def _painted_pixels(item: TaylorContoursItem, width: int) -> int:
    """Pixels the item paints (dashes and rim) drawn into a width-pixel square."""
    image = QtGui.QImage(width, width, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor("white"))
    painter = QtGui.QPainter(image)
    painter.translate(width / 2, width / 2)
    painter.scale(width / 2.0, width / 2.0)
    item.paint(painter)
    painter.end()
    rgb = pg.imageToArray(image, copy=True)[..., :3].astype(int)
    return int(np.sum(rgb.sum(-1) < 700))


def test_painting_a_small_disk_uses_the_thinned_path(qapp):
    item = _saddle_item()
    small = _painted_pixels(item, 60)
    item.stride = lambda pixels_per_unit: 1  # every level, as before the thinning
    dense = _painted_pixels(item, 60)
    assert small < 0.8 * dense
