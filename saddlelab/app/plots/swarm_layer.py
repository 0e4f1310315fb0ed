"""The swarm in the contour view: a point cloud coloured by outcome, the dwell map under it,
and a legend (colour -> outcome, with counts) in the view's top-right corner.

Drawing 10,000-100,000 points every frame: one graphics item keeps, per outcome colour, one
``QPolygonF`` filled from numpy in place (no Python object per point) and paints each with
``QPainter.drawPoints`` and a cosmetic square pen of a few pixels. The dwell map is an RGBA
image (log-scaled counts as opacity) under the points and over the colour map. Redraws are
merged by a :class:`~saddlelab.app.runtime.pacing.RedrawThrottle` (the frame scheduler's
slots): only the latest snapshot is drawn.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pyqtgraph.functions as fn
from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.runtime.pacing import RedrawThrottle
from saddlelab.models.subscriptions import Subscriptions
from saddlelab.models.swarm import SwarmModel

POINTS_Z = 14
"""Above the runs' lines (10) and heads (12), under the probe (20)."""
DWELL_Z = -4
"""Over the colour map (-10) and iso-lines (-5), under everything else."""
REDRAW_MS = 8
"""Least time from a snapshot to its redraw. The worker sends one snapshot per frame at most
(and only after the last was taken), so this adds latency, not merging: 33 ms capped a
10,000-particle swarm at 18 frames/s on an idle machine, 8 ms gives 27-33
(benchmarks/bench_swarm.py)."""
DWELL_RGB = (255, 80, 48)
"""Coral: a colour the viridis map never shows, so the shading reads as its own layer."""
DWELL_HEX = "#" + "".join(f"{c:02x}" for c in DWELL_RGB)
DWELL_MAX_ALPHA = 190
MAX_WIDTH_SHARE = 0.6
TOP_OFFSET = 26
"""Pixels from the view's top: under the plot's title (the slice of a 3-parameter loss)."""


def point_size(n: int) -> float:
    """Pixels per particle: bigger for small swarms; 2 px from 3,000 on, so the dwell map
    still shows between the particles of a dense cloud."""
    return 4.0 if n <= 1_000 else 3.0 if n <= 3_000 else 2.0


def dwell_rgba(counts: np.ndarray) -> np.ndarray:
    """(bx, by, 4) uint8: DWELL_RGB with opacity growing with log(1 + count)."""
    out = np.zeros(counts.shape + (4,), dtype=np.uint8)
    top = counts.max() if counts.size else 0
    if top > 0:
        out[..., :3] = DWELL_RGB
        out[..., 3] = (DWELL_MAX_ALPHA * np.log1p(counts) / np.log1p(top)).astype(np.uint8)
    return out


class PointCloud(pg.GraphicsObject):
    """Points in data coordinates, one colour per group, painted with drawPoints."""

    def __init__(self) -> None:
        super().__init__()
        self._groups: list[tuple[QtGui.QPen, QtGui.QPolygonF]] = []
        self._rect = QtCore.QRectF()
        self.size = 3.0

    def set_groups(self, groups: list[tuple[str, np.ndarray]], rect: QtCore.QRectF) -> None:
        """``groups``: (colour, (m, 2) points) each."""
        self.prepareGeometryChange()
        self._rect = QtCore.QRectF(rect)
        out = []
        for colour, xy in groups:
            pen = QtGui.QPen(QtGui.QColor(colour))
            pen.setWidthF(self.size)
            pen.setCosmetic(True)
            pen.setCapStyle(QtCore.Qt.PenCapStyle.SquareCap)
            poly = fn.create_qpolygonf(len(xy))
            fn.ndarray_from_qpolygonf(poly)[:] = xy
            out.append((pen, poly))
        self._groups = out
        self.update()

    def count(self) -> int:
        return sum(p.size() for _, p in self._groups)

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 - Qt naming
        return self._rect

    def paint(self, painter: QtGui.QPainter, *_) -> None:
        for pen, poly in self._groups:
            painter.setPen(pen)
            painter.drawPoints(poly)


class SwarmLegend(QtWidgets.QLabel):
    """Colour -> outcome with counts, floating in the view's top-right corner (the
    second-order legend keeps the left side)."""

    def __init__(self, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setStyleSheet(
            "QLabel { background: rgba(20, 20, 24, 200); color: #ebebeb;"
            " border-radius: 6px; padding: 4px 7px; font-size: 9pt; }"
        )
        self.setWordWrap(True)
        parent.installEventFilter(self)
        self.hide()

    def set_rows(self, title: str, rows: list[tuple[str, str, int]], note: str) -> None:
        lines = [f"<b>{title}</b>"]
        for colour, text, n in rows:
            lines.append(f"<span style='color:{colour}'>&#9632;</span> {text}: {n:,}")
        if note:
            swatch = f"<span style='color:{DWELL_HEX}'>&#9632;</span>"
            lines.append(f"{swatch} <span style='color:#b8b8b8'>{note}</span>")
        self.setText("<br>".join(lines))
        self.place()
        self.show()

    def place(self) -> None:
        p = self.parentWidget()
        width = min(self.sizeHint().width(), max(160, int(p.width() * MAX_WIDTH_SHARE)))
        self.setMaximumWidth(width)
        self.resize(width, self.heightForWidth(width))  # every wrapped line, none clipped
        self.move(max(0, p.width() - self.width() - 8), TOP_OFFSET)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt naming
        if event.type() == QtCore.QEvent.Type.Resize:
            self.place()
        return False


class SwarmLayer(QtCore.QObject):
    """The swarm's items in a :class:`~saddlelab.app.plots.contour_view.ContourView`."""

    def __init__(self, view, model: SwarmModel, parent=None) -> None:
        super().__init__(parent)
        self.view = view
        self.model = model
        self.points = PointCloud()
        self.points.setZValue(POINTS_Z)
        self.dwell = pg.ImageItem(axisOrder="col-major")
        self.dwell.setZValue(DWELL_Z)
        for item in (self.dwell, self.points):
            view.add_item(item)
            item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.NoCache)  # new every frame
        self.legend = SwarmLegend(view.plot_widget)
        self._throttle = RedrawThrottle(lambda _: self.redraw(), REDRAW_MS, self)
        self._subs = Subscriptions()
        self._subs.connect(model.snapshot_changed, lambda *_: self._throttle.mark("swarm"))
        self._subs.connect(model.rebuild_requested, lambda *_: self.clear())
        self.draws = 0

    def flush(self) -> None:
        self._throttle.flush()

    def clear(self) -> None:
        self._throttle.discard("swarm")
        self.points.set_groups([], QtCore.QRectF())
        self.dwell.clear()
        self.dwell.hide()
        self.legend.hide()

    def redraw(self) -> None:
        model, snap = self.model, self.model.snapshot
        if snap is None:
            self.clear()
            return
        (x0, x1), (y0, y1) = model.surface.domain[0], model.surface.domain[1]
        rect = QtCore.QRectF(x0, y0, x1 - x0, y1 - y0)
        key = model.colour_key
        colours = model.colours()
        xy = snap.points[:, :2]
        self.points.size = point_size(len(xy))
        # keys ascending: stopped, moving, diverged, then the attractors on top
        groups = [(colours[int(k)], xy[key == k]) for k in np.unique(key)]
        self.points.set_groups(groups, rect)
        if model.show_dwell and snap.dwell.any():
            self.dwell.setImage(dwell_rgba(snap.dwell), autoLevels=False)
            self.dwell.setRect(rect)
            self.dwell.show()
        else:
            self.dwell.hide()
        rows = [(e.colour, e.text, e.count) for e in model.legend()]
        title = f"Swarm, step {snap.step:,}"
        self.legend.set_rows(title, rows, model.dwell_note() if model.show_dwell else "")
        self.draws += 1

    def close(self) -> None:
        self._subs.clear()
        self._throttle.discard("swarm")
        for item in (self.dwell, self.points):
            self.view.remove_item(item)
        self.legend.deleteLater()
