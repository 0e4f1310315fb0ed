"""The basins of attraction as an image layer of the contour view.

Under the iso-lines (z between the colour map and the lines, so contours, runs and markers stay
on top), each cell placed exactly: cell (i, j) is centred at (xs[i], ys[j]). A hint at the top
of the view says what a click does while the layer is shown, and says which cell is under the
pointer (its start, where it ends, in how many steps). A plain left click on a cell is offered
to ``on_cell_clicked(i, j)`` (the dock starts a run there); Shift+click still probes.
A stale layer (surface, slice or optimizer changed) is hidden and the hint says so.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from saddlelab.app.style import CLASS_SYMBOLS
from saddlelab.models.basin_image import attractor_colours, basin_rgba, cell_text

Z = -7
"""Above the filled colour map (-10), under the iso-lines (-5) and everything else."""
MARKER_Z = -4
"""The attractors' markers: over the iso-lines, under runs and the critical-point markers."""
MARKER_SIZE = 11
DEFAULT_OPACITY = 0.8
HINT = "Click a cell: run from it \u00b7 Shift+click: probe"
HINT_FONT_SCALE = 0.85
HINT_MARGIN = 6
HINT_STYLE = ("QLabel { background: rgba(20, 20, 24, 200); color: #ebebeb; padding: 2px 6px;"
              " border-radius: 3px; }")  # fmt: skip


class BasinLayer(QtCore.QObject):
    def __init__(self, view, on_cell_clicked=None, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.on_cell_clicked = on_cell_clicked
        self.basins = None
        self.stale_reason: str | None = None
        self.wanted = True
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(Z)
        self.image.setOpacity(DEFAULT_OPACITY)
        self.image.setVisible(False)
        view.add_item(self.image)
        self.markers = pg.ScatterPlotItem(size=MARKER_SIZE, pen=pg.mkPen("w", width=1.5))
        self.markers.setZValue(MARKER_Z)
        self.markers.setVisible(False)
        view.add_item(self.markers)
        self.hint = QtWidgets.QLabel(view.plot_widget)
        self.hint.setStyleSheet(HINT_STYLE)
        self.hint.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hint.setWordWrap(True)
        font = self.hint.font()
        font.setPointSizeF(font.pointSizeF() * HINT_FONT_SCALE)
        self.hint.setFont(font)
        self.hint.hide()
        view.click_filters.append(self._take_click)
        view.plot_widget.scene().sigMouseMoved.connect(self._on_hover)

    # -- state ------
    @property
    def shown(self) -> bool:
        """The image is on screen (computed, current, and the user wants it)."""
        return self.basins is not None and self.stale_reason is None and self.wanted

    def set_basins(self, basins, colours=None) -> None:
        self.basins = basins
        self.stale_reason = None
        xs, ys = basins.xs, basins.ys
        self.image.setImage(basin_rgba(basins, colours), levels=(0, 255), autoLevels=False)
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
        dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
        rect = QtCore.QRectF(xs[0] - dx / 2, ys[0] - dy / 2, xs[-1] - xs[0] + dx,
                             ys[-1] - ys[0] + dy)  # fmt: skip
        self.image.setRect(rect)
        if colours is None:
            colours = attractor_colours(basins.attractors)
        spots = [{"pos": (float(a.point[0]), float(a.point[1])), "brush": pg.mkBrush(*colours[k]),
                  "symbol": CLASS_SYMBOLS.get(a.classification, "d")}
                 for k, a in enumerate(basins.attractors)]  # fmt: skip
        self.markers.setData(spots)
        self._refresh()

    def set_stale(self, reason: str | None) -> None:
        self.stale_reason = reason
        self._refresh()

    def set_wanted(self, wanted: bool) -> None:
        self.wanted = bool(wanted)
        self._refresh()

    def set_opacity(self, opacity: float) -> None:
        self.image.setOpacity(float(opacity))

    def _refresh(self) -> None:
        self.image.setVisible(self.shown)
        self.markers.setVisible(self.shown)
        if self.basins is not None and self.wanted and self.stale_reason is not None:
            self._say(f"Basins hidden: {self.stale_reason}. Compute them again (Basins panel).")
        elif self.shown:
            self._say(HINT)
        else:
            self.hint.hide()

    def _say(self, text: str) -> None:
        """One or two lines at the top left of the plot area, wrapped to its width."""
        area = self.view.plot_widget.mapFromScene(self.view.plot.vb.sceneBoundingRect())
        box = area.boundingRect()
        metrics = self.hint.fontMetrics()
        wide = max(metrics.horizontalAdvance(line) for line in text.split("\n")) + 16
        self.hint.setFixedWidth(max(min(wide, box.width() - 2 * HINT_MARGIN), 80))
        self.hint.setText(text)
        self.hint.adjustSize()
        self.hint.move(box.left() + HINT_MARGIN, box.top() + HINT_MARGIN)
        self.hint.show()
        self.hint.raise_()

    # -- cells ------
    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(i, j) of the cell containing the data point (x, y), or None outside the grid."""
        b = self.basins
        if b is None:
            return None
        n = len(b.xs)
        dx = (b.xs[-1] - b.xs[0]) / max(n - 1, 1)
        dy = (b.ys[-1] - b.ys[0]) / max(len(b.ys) - 1, 1)
        i = int(np.floor((x - b.xs[0]) / dx + 0.5))
        j = int(np.floor((y - b.ys[0]) / dy + 0.5))
        return (i, j) if 0 <= i < n and 0 <= j < len(b.ys) else None

    def _take_click(self, x: float, y: float) -> bool:
        if not self.shown or self.on_cell_clicked is None:
            return False
        cell = self.cell_at(x, y)
        if cell is None:
            return False
        self.on_cell_clicked(*cell)
        return True

    def _on_hover(self, scene_pos) -> None:
        if not self.shown:
            return
        vb = self.view.plot.vb
        cell = None
        if vb.sceneBoundingRect().contains(scene_pos):
            p = vb.mapSceneToView(scene_pos)
            cell = self.cell_at(p.x(), p.y())
        text = HINT if cell is None else f"{HINT}\n{cell_text(self.basins, *cell)}"
        if text != self.hint.text():
            self._say(text)

    def close(self) -> None:
        if self._take_click in self.view.click_filters:
            self.view.click_filters.remove(self._take_click)
        self.view.remove_item(self.image)
        self.hint.hide()
