"""The key to the second-order overlays, painted inside the 3-D scene.

The 3-D view draws into a native OpenGL window, which covers ordinary child widgets, so this
legend is a GL item: ``paint()`` draws the same rich text as the 2-D view's label
(``widgets.legend_content.LegendContent``) with a QPainter, on a translucent panel in the
corner that keeps clear of the axes' labels (``avoid``: top-left, else top-right, ...), after
everything else, so it never covers the "loss" title or a tick value.
"""

from __future__ import annotations

from pyqtgraph.opengl import GLGraphicsItem
from PySide6 import QtCore, QtGui

from saddlelab.app.style import LEGEND_TEXT, OVERLAY, OVERLAY_ALPHA
from saddlelab.app.widgets.legend_content import ContentSetters, LegendContent

MARGIN = 10
PADDING = 8
POINT_SIZE = 12
MIN_POINTS = 10.0
WRAP_SHARES = (1.0, 0.75, 0.6, 0.5)
"""Wrap widths tried, as shares of the view's width, before the text gets smaller."""
"""The legend shrinks to no less than this when no corner has room (presentation mode)."""


class GLLegendItem(ContentSetters, GLGraphicsItem.GLGraphicsItem):
    """Screen-anchored legend: same setters as SecondOrderLegend (``set_arrows`` ...)."""

    def __init__(self, parentItem=None) -> None:
        super().__init__(parentItem=parentItem)
        self.setDepthValue(1000)  # painted last, over the scene
        self.content = LegendContent(self._changed)
        self._doc = QtGui.QTextDocument()
        self._layout_key = None
        self.set_point_size(POINT_SIZE)
        self._doc.setDefaultStyleSheet(f"body {{ color: {LEGEND_TEXT}; }}")
        self._html = ""
        self.avoid = lambda: []
        """Screen rectangles the legend must not cover (the axes' labels)."""
        self.box = QtCore.QRectF()
        """Where the legend was last painted (view pixels)."""

    def set_point_size(self, points: float) -> None:
        """Text size (presentation mode: larger; smaller when no corner has room for it)."""
        self._points = float(points)
        self._layout_key = None
        self.update()

    def point_size(self) -> float:
        """The size the legend was last painted at (at most the one asked for)."""
        return self._doc.defaultFont().pointSizeF()

    def refresh(self) -> None:
        self._changed()

    def text(self) -> str:
        """The legend as rich text (what is painted)."""
        return self._html

    def _changed(self) -> None:
        html = self.content.html()
        if html != self._html:
            self._html = html
            self._doc.setHtml(f"<body>{html}</body>")
            self.update()

    def paint(self) -> None:
        if not self._html:
            return
        view = self.view()
        box = self._layout(view)
        self.box = box
        painter = view.overlay_painter()
        painter.setRenderHints(
            QtGui.QPainter.RenderHint.Antialiasing | QtGui.QPainter.RenderHint.TextAntialiasing
        )
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        box_colour = QtGui.QColor(OVERLAY)
        box_colour.setAlpha(OVERLAY_ALPHA)
        painter.setBrush(box_colour)
        painter.drawRoundedRect(box, 6, 6)
        painter.translate(box.left() + PADDING, box.top() + PADDING)
        self._doc.drawContents(painter)
        painter.end()

    def _layout(self, view) -> QtCore.QRectF:
        """Size, wrap width and corner: the asked-for size in a free corner if it fits, else
        narrower (wrapping), then smaller text (down to MIN_POINTS); the least covering choice
        if none is free. Laid out again only when something it depends on moved."""
        labels = self.avoid()
        key = (
            self._html,
            self._points,
            view.width(),
            view.height(),
            tuple((round(r.x()), round(r.y()), round(r.width())) for r in labels),
        )
        if key == self._layout_key:
            return self.box
        self._layout_key = key
        full = max(120.0, view.width() - 2 * MARGIN - 2 * PADDING)
        points, best = self._points, None
        while True:
            for share in WRAP_SHARES:
                box, covered = self._fit(view, points, max(120.0, share * full), labels)
                if not covered:
                    return box
                if best is None or covered < best[0]:
                    best = (covered, points, share)
            if points <= MIN_POINTS:
                break
            points = max(MIN_POINTS, points - 1.0)
        _, points, share = best
        return self._fit(view, points, max(120.0, share * full), labels)[0]

    def _fit(self, view, points: float, width: float, labels) -> tuple[QtCore.QRectF, float]:
        font = QtGui.QFont()
        font.setPointSizeF(points)
        self._doc.setDefaultFont(font)
        self._doc.setTextWidth(-1)
        if self._doc.idealWidth() > width:
            self._doc.setTextWidth(width)
        size = self._doc.size()
        return self._place(view, size.width() + 2 * PADDING, size.height() + 2 * PADDING, labels)

    @staticmethod
    def _place(view, width: float, height: float, labels) -> tuple[QtCore.QRectF, float]:
        """The first corner whose box covers none of ``labels`` (else the least covered), and
        how much of them it covers (square pixels)."""
        right = max(MARGIN, view.width() - MARGIN - width)
        bottom = max(MARGIN, view.height() - MARGIN - height)
        corners = [(MARGIN, MARGIN), (right, MARGIN), (right, bottom), (MARGIN, bottom)]

        def covered(corner) -> float:
            box = QtCore.QRectF(corner[0], corner[1], width, height)
            parts = (box.intersected(r) for r in labels)
            return sum(p.width() * p.height() for p in parts if not p.isEmpty())

        x, y = min(corners, key=lambda c: (covered(c) > 0, covered(c)))
        return QtCore.QRectF(x, y, width, height), covered((x, y))
