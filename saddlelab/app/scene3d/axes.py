"""Axes for the 3-D view: a floor frame, a height axis, tick values and the variable names.

All labels are drawn in one QPainter pass in ``paint`` (one GLTextItem per label would open a
painter each, which costs frames under software OpenGL). ``set_axes`` only stores data.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pyqtgraph.opengl as gl
from pyqtgraph.opengl.GLGraphicsItem import GLGraphicsItem
from PySide6 import QtCore, QtGui

from saddlelab.core.numbers import fmt, fmt_on_scale
from saddlelab.models.scene_scale import HEIGHT, SceneScale


def nice_ticks(lo: float, hi: float, count: int = 5) -> np.ndarray:
    """Round tick values covering [lo, hi] (about ``count`` of them)."""
    span = hi - lo
    raw = span / max(count - 1, 1)
    mag = 10 ** np.floor(np.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    first = np.ceil(lo / step - 1e-9) * step
    ticks = np.arange(first, hi + 1e-9 * span, step)
    return np.round(ticks, 12)


FONT_SIZE = 13
LABEL_COLOUR = "#ebebeb"
FRAME_COLOUR = "#d9d9d9"
FRAME_ALPHA = 0.7
TOP_DOWN_ELEVATION = 70.0
"""Above this camera elevation (degrees) the height axis points at the viewer: no labels."""
LABEL_GAP = 10
"""Pixels between the height axis and its labels (drawn beside it, never over the mesh)."""


def _pixel(x: float, y: float) -> QtCore.QPoint:
    """A label's position on whole pixels.

    Qt caches each glyph at a few sub-pixel offsets in a texture; labels that move with the
    camera kept adding new offsets, and under software OpenGL every such texture update
    waits for the frame being rasterized (measured: 8-11 ms stalls while orbiting).
    """
    return QtCore.QPoint(round(x), round(y))


class GLAxes(GLGraphicsItem):
    """Frame, ticks and axis names; they follow the camera.

    Tick values sit on the two floor edges nearest the camera. The height axis stands at the
    floor corner that is leftmost on screen, with its values and title to its left: whatever
    the camera, they are never drawn over the surface (the mesh lies to the right of that
    corner's vertical line), so eigenvector arrows and the probe in the middle stay readable.
    """

    def __init__(self, parentItem=None, font_size: int = FONT_SIZE) -> None:
        super().__init__(parentItem=parentItem)
        self.setGLOptions("translucent")
        self.frame = gl.GLLinePlotItem(
            parentItem=self,
            mode="lines",
            color=(*pg.mkColor(FRAME_COLOUR).getRgbF()[:3], FRAME_ALPHA),
            width=1.5,
            glOptions="translucent",
        )
        # Drawn after this item's paint(), which places the axes for this frame's camera and
        # size first (an export's differ from the window's): never a frame behind.
        self.frame.setDepthValue(1)
        self.font = QtGui.QFont()
        self.name_font = QtGui.QFont(self.font)
        self.name_font.setBold(True)
        self.set_font_size(font_size)
        self._scale: SceneScale | None = None
        self._names = ("x", "y")
        self._loss_name = "loss"
        self.placement = (-1, 1, (-1, 1), "left")
        """(y of the edge with x ticks, x of the edge with y ticks, height-axis corner, side of
        the axis its labels are drawn on)."""
        self._labels: list[tuple[np.ndarray, str, bool]] = []
        self._height_labels: list[tuple[np.ndarray, str, bool]] = []

    def set_font_size(self, points: float) -> None:
        """Tick values at ``points``, axis names 3 points larger (presentation mode)."""
        self.font.setPointSizeF(points)
        self.name_font.setPointSizeF(points + 3)
        self.update()

    def set_axes(self, scale: SceneScale, names: tuple[str, str], loss_name: str = "loss"):
        """Frame and labels for the domain and height range of ``scale``."""
        self._scale, self._names, self._loss_name = scale, tuple(names), loss_name
        self._build()

    def _build(self) -> None:
        scale, names = self._scale, self._names
        if scale is None:
            return
        edge_y, edge_x, (cx, cy), _ = self.placement
        lines = []
        corners = [(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)]
        for (ax, ay), (bx, by) in zip(corners[:-1], corners[1:], strict=True):
            lines += [(ax, ay, 0), (bx, by, 0)]
        lines += [(cx, cy, 0), (cx, cy, HEIGHT)]
        labels: list[tuple[np.ndarray, str, bool]] = []
        for x in nice_ticks(scale.x0, scale.x1):
            wx = float(scale.wx(x))
            lines += [(wx, edge_y, 0), (wx, 1.05 * edge_y, 0)]
            labels.append((np.array([wx, 1.14 * edge_y, 0.0]), fmt(x, 3), False))
        for y in nice_ticks(scale.y0, scale.y1):
            wy = float(scale.wy(y))
            lines += [(edge_x, wy, 0), (1.05 * edge_x, wy, 0)]
            labels.append((np.array([1.12 * edge_x, wy, 0.0]), fmt(y, 3), False))
        heights: list[tuple[np.ndarray, str, bool]] = []
        for u in np.linspace(0.0, 1.0, 4):
            f = float(scale.loss_at_unit(u))
            lines += [(cx, cy, u * HEIGHT), (1.04 * cx, 1.04 * cy, u * HEIGHT)]
            if u > 0:  # the floor value would collide with the floor's tick values
                label = fmt_on_scale(f, scale.fmin, scale.fmax)
                heights.append((np.array([cx, cy, u * HEIGHT]), label, False))
        heights.append((np.array([cx, cy, HEIGHT * 1.14]), self._loss_name, True))
        labels.append((np.array([0.0, 1.35 * edge_y, 0.0]), names[0], True))
        labels.append((np.array([1.35 * edge_x, 0.0, 0.0]), names[1], True))
        self.frame.setData(pos=np.array(lines, dtype=np.float32))
        self._labels = labels
        self._height_labels = heights
        self.update()

    def set_placement(self, placement: tuple) -> None:
        """Put ticks and height axis as ``placement`` says (an export gives the view's back)."""
        if placement != self.placement:
            self.placement = placement
            self._build()

    def _place(self, project: QtGui.QMatrix4x4) -> None:
        """Follow the camera: near edges for ticks, an outer corner for the height axis."""
        cam = self.view().cameraPosition()
        edge_y = -1 if cam.y() <= 0 else 1
        edge_x = 1 if cam.x() >= 0 else -1
        corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
        xs = np.array(
            [
                [project.map(QtGui.QVector3D(cx, cy, z)).x() for z in (0.0, HEIGHT)]
                for cx, cy in corners
            ]
        )
        # Leftmost corner, labels to its left; if they do not fit there (camera panned or
        # zoomed), the rightmost corner with labels to its right.
        room_left = xs.min()
        room_right = self.view().width() - xs.max()
        if room_left >= self._label_width() + LABEL_GAP or room_left >= room_right:
            placement = (edge_y, edge_x, corners[int(np.argmin(xs.min(axis=1)))], "left")
        else:
            placement = (edge_y, edge_x, corners[int(np.argmax(xs.max(axis=1)))], "right")
        if placement != self.placement:
            self.placement = placement
            self._build()  # asks for another frame with the frame lines moved

    def paint(self) -> None:
        if not self._labels:
            return
        self.setupGLState()
        view = self.view()
        rect = QtCore.QRectF(view.rect())
        to_screen = QtGui.QMatrix4x4()
        to_screen.viewport(rect.left(), rect.bottom(), rect.width(), -rect.height())
        project = to_screen * self.mvpMatrix()
        self._place(project)
        frame = pg.mkColor(view.colour("muted", FRAME_COLOUR))
        frame.setAlphaF(FRAME_ALPHA)
        if self.frame.color != frame.getRgbF():  # drawn after this paint (depth 1)
            self.frame.setData(color=frame.getRgbF())
        painter = view.overlay_painter()
        painter.setRenderHints(
            QtGui.QPainter.RenderHint.Antialiasing | QtGui.QPainter.RenderHint.TextAntialiasing
        )
        painter.setPen(QtGui.QColor(view.colour("text", LABEL_COLOUR)))
        for rect, text, bold in self._floor_rects(project):
            painter.setFont(self.name_font if bold else self.font)
            painter.drawText(_pixel(rect.left(), rect.bottom()), text)
        for rect, text, bold in self._height_rects(project):
            painter.setFont(self.name_font if bold else self.font)
            painter.drawText(_pixel(rect.left(), rect.bottom()), text)
        painter.end()

    def _label_width(self) -> float:
        widths = [
            QtGui.QFontMetrics(self.name_font if bold else self.font).horizontalAdvance(text)
            for _, text, bold in self._height_labels
        ]
        return max(widths, default=0)

    def _label_x(self, axis_x: float, width: float) -> float:
        """Left edge of a height label: beside the axis, on the side away from the mesh."""
        if self.placement[3] == "right":
            return min(axis_x + LABEL_GAP, self.view().width() - width - 2.0)
        return max(2.0, axis_x - LABEL_GAP - width)

    def _projection(self) -> QtGui.QMatrix4x4:
        view = self.view()
        rect = QtCore.QRectF(view.rect())
        to_screen = QtGui.QMatrix4x4()
        to_screen.viewport(rect.left(), rect.bottom(), rect.width(), -rect.height())
        vp = (0, 0, view.width(), view.height())
        return to_screen * view.projectionMatrix(vp, vp) * view.viewMatrix()

    def height_label_rects(self) -> list[QtCore.QRectF]:
        """Screen rectangles of the height axis' values and title (tests check placement)."""
        if self.view() is None:
            return []
        return [rect for rect, _, _ in self._height_rects(self._projection())]

    def _measure(self, project, pos, text: str, bold: bool):
        """Screen point of a label's anchor, its text width, ascent and font metrics."""
        metrics = QtGui.QFontMetrics(self.name_font if bold else self.font)
        p = project.map(QtGui.QVector3D(*pos)).toPointF()
        return p, metrics.horizontalAdvance(text), metrics.ascent(), metrics

    def _height_rects(self, project: QtGui.QMatrix4x4) -> list[tuple[QtCore.QRectF, str, bool]]:
        """Where the height axis' values and title go (none when looking straight down)."""
        if self.view().opts.get("elevation", 0.0) >= TOP_DOWN_ELEVATION:
            return []
        out = []
        for pos, text, bold in self._height_labels:
            p, w, h, _ = self._measure(project, pos, text, bold)
            out.append((QtCore.QRectF(self._label_x(p.x(), w), p.y() - h / 2, w, h), text, bold))
        return out

    def label_rects(self) -> list[QtCore.QRectF]:
        """Screen rectangles of every label: floor ticks, axis names, height values, "loss"
        (the in-scene legend keeps clear of them)."""
        if self.view() is None:
            return []
        rects = [rect for rect, _, _ in self._floor_rects(self._projection())]
        return rects + self.height_label_rects()

    def _floor_rects(self, project: QtGui.QMatrix4x4) -> list[tuple[QtCore.QRectF, str, bool]]:
        """Where the floor's tick values and axis names go: centred on their point, but moved
        inside the view when that would cut them (large type in presentation mode)."""
        view = self.view()
        out = []
        for pos, text, bold in self._labels:
            p, w, h, metrics = self._measure(project, pos, text, bold)
            x = min(max(2.0, p.x() - w / 2), view.width() - w - 2.0)
            y = min(max(2.0, p.y() - h / 2), view.height() - h - metrics.descent() - 1.0)
            out.append((QtCore.QRectF(x, y, w, h), text, bold))
        return out
