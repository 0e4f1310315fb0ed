"""The 2-D contour view: filled colour map, iso-lines, trajectories and draggable starts.

Click to move the selected run's start; drag any run's start marker; Shift+click to put the
probe point somewhere (the analysis panels follow it), on markers too; hover for coordinates
and loss. Extra
plot items (dashed Taylor contours, critical-point markers) go in with ``add_item``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from saddlelab.app.runtime.pacing import RedrawThrottle, RunDrawing
from saddlelab.app.style import CONTOUR_LEVELS, hatch_brush, height_rgba, scale_plot_axes
from saddlelab.core import isolines
from saddlelab.core.numbers import fmt
from saddlelab.models.app_state import AppState
from saddlelab.models.runs import RunModel
from saddlelab.models.scene_scale import SceneScale
from saddlelab.models.subscriptions import Subscriptions
from saddlelab.models.trajectory_buffer import thin_for_drawing

TRAJECTORY_WIDTH = 2.5
HEAD_SIZE = 13
START_SIZE = 16
START_WIDTH = 2.5
PROBE_SIZE = 22
ISO_WIDTH = 1.0
"""Line widths and marker sizes at the normal look (presentation mode multiplies them)."""
DRAW_POINTS = 800
"""Most points drawn per trajectory (the newest 500 exactly, the older ones evenly thinned):
wide lines cost Qt's raster engine per segment, and the view is only a few hundred pixels."""


REDRAW_MS = 100
"""Trajectories in 2-D are redrawn at most 10 times a second (the 3-D view shows the live head
at 30 Hz); each repaint of this view costs ~10-20 ms of raster painting under load."""


def _set_target_size(target: pg.TargetItem, size: float) -> None:
    """pyqtgraph's TargetItem keeps its size in ``scale`` and has no setter for it."""
    if target.scale != size:
        target.prepareGeometryChange()
        target.scale = size
        target.viewTransformChanged()  # drops the cached shape


class _RunGraphics:
    def __init__(self, plot: pg.PlotItem, run: RunModel, on_moved, scale: float = 1.0) -> None:
        self.line = pg.PlotDataItem(pen=pg.mkPen(run.colour, width=TRAJECTORY_WIDTH * scale))
        self.head = pg.ScatterPlotItem(
            size=HEAD_SIZE * scale, brush=pg.mkBrush(run.colour), pen=pg.mkPen("k")
        )
        self.start = pg.TargetItem(
            pos=run.start[:2],
            size=START_SIZE * scale,
            movable=True,
            pen=pg.mkPen(run.colour, width=START_WIDTH * scale),
            brush=pg.mkBrush(0, 0, 0, 0),
        )
        self.start.setToolTip("Start of this run: drag to move it")
        self.start.sigPositionChangeFinished.connect(lambda item: on_moved(run, item.pos()))
        self.line.setZValue(10)
        self.head.setZValue(12)
        self.start.setZValue(13)
        for item in (self.line, self.head, self.start):
            plot.addItem(item)

    def remove(self, plot: pg.PlotItem) -> None:
        for item in (self.line, self.head, self.start):
            plot.removeItem(item)


class ContourView(RunDrawing, QtWidgets.QWidget):
    """pyqtgraph plot of the loss over the first two variables (a slice for 3 variables)."""

    def __init__(self, state: AppState, resolution: int = 200, parent=None) -> None:
        super().__init__(parent)
        # A click anywhere in the view (its buttons and labels too) takes the keyboard focus
        # from the last edited field, so that the single-key shortcuts act.
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.ClickFocus)
        self.state = state
        self.resolution = resolution
        state.scene.set_resolution(resolution)
        self._graphics: dict[int, _RunGraphics] = {}
        self._hover_pos = None
        self.click_filters: list = []
        """Callables ``(x, y) -> bool`` (exact data coordinates) offered every plain left click
        first; one returning True takes it (the basins layer starts a run at a cell)."""
        self.line_scale = state.view.look.line_scale
        self._throttle = RedrawThrottle(self._redraw_run, REDRAW_MS, self)
        self._build()
        self._subs = Subscriptions()
        on = self._subs.connect
        on(state.scene.changed, self.rebuild_surface)
        on(state.view.events.probe, self._on_probe_changed)
        on(state.view.events.look, self._on_look)
        on(state.runs.added, self._on_run_added)
        on(state.runs.removed, self._on_run_removed)
        for run in state.runs:
            self._on_run_added(run)
        self.rebuild_surface()
        scale_plot_axes(self.plot, state.view.look.type_scale)

    def _build(self) -> None:
        self.plot_widget = pg.PlotWidget(background=(20, 20, 24))
        self.plot_widget.setMenuEnabled(False)
        self.plot_widget.setToolTip(
            "Contour view. Click: move the selected run's start · drag a ring: move that run's "
            "start · Shift+click: probe a point · drag empty space: pan · wheel: zoom"
        )
        self.plot: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot.hideButtons()
        self.plot.showGrid(x=False, y=False)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).enableAutoSIPrefix(False)
        self.image = pg.ImageItem(axisOrder="col-major")
        # Where the loss is undefined the image is transparent over this hatch: no colour.
        self.undefined = QtWidgets.QGraphicsRectItem()
        self.undefined.setPen(pg.mkPen(None))
        self.undefined.setBrush(hatch_brush())
        self.undefined.setZValue(-11)
        self.undefined.setToolTip("Hatched: the loss is undefined here (NaN or infinite)")
        self.iso = pg.PlotDataItem(connect="pairs")
        self.probe = pg.ScatterPlotItem(symbol="+", brush=pg.mkBrush("w"))
        self._style_fixed_items()
        self.image.setZValue(-10)
        self.iso.setZValue(-5)
        # The colour map and iso-lines change only with the surface or the view range: keep
        # them as pixmaps, so a trajectory update does not rescale the image and redraw
        # thousands of segments (half the cost of a repaint under load).
        for item in (self.image, self.iso):
            item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.probe.setZValue(20)
        for item in (self.undefined, self.image, self.iso, self.probe):
            self.plot.addItem(item)
        self.readout = QtWidgets.QLabel(" ")
        self.readout.setToolTip("Coordinates and loss under the mouse pointer")
        self.readout.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.readout)
        scene = self.plot_widget.scene()
        scene.sigMouseClicked.connect(self._on_click)
        scene.sigMouseMoved.connect(self._on_hover)

    def _style_fixed_items(self) -> None:
        s = self.line_scale
        self.iso.setPen(pg.mkPen(255, 255, 255, 120, width=ISO_WIDTH * s))
        self.probe.setSize(PROBE_SIZE * s)
        self.probe.setPen(pg.mkPen("w", width=START_WIDTH * s))

    def _on_look(self, look) -> None:
        """Presentation mode: thicker trajectories and iso-lines, larger markers."""
        self.line_scale = look.line_scale
        scale_plot_axes(self.plot, look.type_scale)
        self._style_fixed_items()
        for run in self.state.runs:
            self._on_appearance(run)

    # -- public API --------
    def add_item(self, item) -> None:
        """Add an extra plot item in data coordinates (the first two variables).

        Extra items change far less often than the trajectories streaming over them, so they
        are kept as pixmaps (redrawn when they change or the view range does).
        """
        item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.addItem(item)

    def remove_item(self, item) -> None:
        self.plot.removeItem(item)

    @property
    def scale(self) -> SceneScale:
        """The scene scale the view colours with (the state's, shared by every view)."""
        return self.state.scene.scale

    def data_to_scene(self, x: float, y: float) -> QtCore.QPointF:
        return self.plot.vb.mapViewToScene(QtCore.QPointF(x, y))

    # -- surface --------
    def rebuild_surface(self) -> None:
        model = self.state.surface
        surface = model.surface
        xs, ys, values = model.grid(self.resolution)
        rgba = height_rgba(self.scale.unit(values))  # undefined cells: alpha 0
        self.image.setImage(rgba, levels=(0, 255), autoLevels=False)
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        rect = QtCore.QRectF(
            xs[0] - dx / 2, ys[0] - dy / 2, xs[-1] - xs[0] + dx, ys[-1] - ys[0] + dy
        )
        self.image.setRect(rect)
        self.undefined.setRect(rect)
        self.undefined.setVisible(bool(np.isnan(values).any()))
        seg = isolines.segments(xs, ys, values, self.scale.levels(CONTOUR_LEVELS))
        self.iso.setData(seg[:, 0], seg[:, 1], connect="pairs")
        names = surface.variables
        self.plot.setLabel("bottom", names[0])
        self.plot.setLabel("left", names[1])
        if surface.ndim == 3:
            self.plot.setTitle(f"slice {names[2]} = {fmt(model.slice_value, 3)} (projected)")
        else:
            self.plot.setTitle(None)
        (x0, x1), (y0, y1) = surface.domain[0], surface.domain[1]
        self.plot.vb.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.02)
        for run in self.state.runs:
            self._draw_run(run)
        # The read-out follows the surface: what is under the pointer now, else nothing.
        self.readout.setText(" ")
        if self._hover_pos is not None and self.plot_widget.underMouse():
            self._on_hover(self._hover_pos)

    # -- runs --------
    def _on_run_added(self, run: RunModel) -> None:
        self._graphics[run.id] = _RunGraphics(
            self.plot, run, self._on_start_dragged, self.line_scale
        )
        self._subs.connect(run.data_changed, self._mark_run, key=run)
        self._subs.connect(run.appearance_changed, self._on_appearance, key=run)
        self._draw_run(run)

    def _on_run_removed(self, run: RunModel) -> None:
        self._subs.clear(run)
        self._throttle.discard(run.id)
        graphics = self._graphics.pop(run.id, None)
        if graphics is not None:
            graphics.remove(self.plot)

    def _on_appearance(self, run: RunModel) -> None:
        g = self._graphics.get(run.id)
        if g is None:
            return
        s = self.line_scale
        g.line.setPen(pg.mkPen(run.colour, width=TRAJECTORY_WIDTH * s))
        g.head.setBrush(pg.mkBrush(run.colour))
        g.head.setSize(HEAD_SIZE * s)
        g.start.setPen(pg.mkPen(run.colour, width=START_WIDTH * s))
        _set_target_size(g.start, START_SIZE * s)
        for item in (g.line, g.head, g.start):
            item.setVisible(run.visible)
        self._draw_run(run)

    def _mark_run(self, run: RunModel) -> None:
        # A restart (one row) shows at once: the start marker must follow a click or drag.
        if len(run.trajectory) <= 1:
            self._draw_run(run)
        else:
            super()._mark_run(run)

    def _draw_run(self, run: RunModel) -> None:
        g = self._graphics.get(run.id)
        if g is None:
            return
        pts = run.trajectory.points
        if len(pts):
            pts = thin_for_drawing(pts, DRAW_POINTS)
            pts = pts[np.isfinite(pts[:, :2]).all(axis=1)]
        g.line.setData(pts[:, 0], pts[:, 1]) if len(pts) else g.line.setData([], [])
        g.head.setData(pts[-1:, 0], pts[-1:, 1]) if len(pts) else g.head.setData([], [])
        start = QtCore.QPointF(run.start[0], run.start[1])
        if g.start.pos() != start:
            g.start.blockSignals(True)
            g.start.setPos(start)
            g.start.blockSignals(False)

    def _on_start_dragged(self, run: RunModel, pos) -> None:
        self.state.runs.select(run)
        xy = (self._round(pos.x(), 0), self._round(pos.y(), 1))
        error = run.set_start(self.state.surface.full_point(xy, run.start))
        if error:
            self.readout.setText(error)

    # -- mouse --------
    def _view_point(self, scene_pos) -> tuple[float, float] | None:
        """Data coordinates under a scene position, rounded to a thousandth of the domain."""
        vb = self.plot.vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        return (self._round(p.x(), 0), self._round(p.y(), 1))

    def _round(self, value: float, axis: int) -> float:
        lo, hi = self.state.surface.surface.domain[axis]
        step = 10.0 ** np.floor(np.log10((hi - lo) / 1000.0))
        return float(np.round(value / step) * step)

    def _on_click(self, event) -> None:
        # Every left click in the data area is the view's, also over a marker (critical point,
        # start ring, run head, probe): markers take a click for their own use (a scatter
        # item accepts it) but have none here, so it passes through to the view.
        if event.button() != QtCore.Qt.MouseButton.LeftButton:
            return
        point = self._view_point(event.scenePos())
        if point is None:
            return
        modifiers = event.modifiers()
        if modifiers & QtCore.Qt.KeyboardModifier.ShiftModifier:
            self.state.pick_probe(self.state.surface.full_point(point))
            return
        exact = self.plot.vb.mapSceneToView(event.scenePos())
        if any(take(exact.x(), exact.y()) for take in self.click_filters):
            return
        run = self.state.runs.selected
        if run is None:
            self.readout.setText("Add a run first (Runs panel), then click to place its start.")
            return
        run.set_start(self.state.surface.full_point(point, run.start))

    def _on_hover(self, scene_pos) -> None:
        self._hover_pos = scene_pos
        point = self._view_point(scene_pos)
        if point is None:
            return
        exact = self.plot.vb.mapSceneToView(scene_pos)
        self.state.view.set_hover(self.state.surface.full_point((exact.x(), exact.y())))
        surface = self.state.surface
        names = surface.surface.variables
        loss = float(surface.plane_loss(np.array(point)))
        text = f"{names[0]} = {fmt(point[0], 3)}   {names[1]} = {fmt(point[1], 3)}"
        if surface.ndim == 3:
            text += f"   ({names[2]} = {fmt(surface.slice_value, 3)})"
        text += f"   loss = {fmt(loss, 3)}" if np.isfinite(loss) else "   L is undefined here"
        self.readout.setText(text)

    def _on_probe_changed(self, probe) -> None:
        point, source = probe.point, probe.source
        if point is None or source != "picked":
            self.probe.setData([], [])
        else:
            self.probe.setData([point[0]], [point[1]])

    def close_view(self) -> None:
        """Disconnect from the state (the window calls this when it closes)."""
        self._subs.clear()
        self._throttle.flush()
