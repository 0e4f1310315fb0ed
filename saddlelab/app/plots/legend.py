"""The key to the second-order overlays, floating in a corner of a 2-D view (its rows come
from :class:`~saddlelab.app.widgets.legend_content.LegendContent`)."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.style import LEGEND_TEXT, OVERLAY, OVERLAY_ALPHA
from saddlelab.app.widgets.legend_content import ContentSetters, LegendContent

MIN_POINTS = 9.0
MAX_COVER = 0.35
"""The legend shrinks its text (to MIN_POINTS) rather than cover more of the plot's height."""


class SecondOrderLegend(ContentSetters, QtWidgets.QLabel):
    """A translucent rich-text label in a corner of a (non-GL) view."""

    def __init__(self, parent: QtWidgets.QWidget | None = None, corner: str = "top-left") -> None:
        super().__init__(parent)
        self._corner = corner
        self.content = LegendContent(self._refresh)
        self.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.setWordWrap(True)  # long notes (3-parameter slices) wrap inside the view
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self._compact = parent is not None and hasattr(parent, "getPlotItem")
        """In a plot the legend covers data: marker classes share a line, smaller type."""
        r, g, b = (int(OVERLAY[i : i + 2], 16) for i in (1, 3, 5))
        self.setStyleSheet(
            f"QLabel {{ background: rgba({r}, {g}, {b}, {OVERLAY_ALPHA}); color: {LEGEND_TEXT};"
            " border-radius: 6px; padding: 5px 8px; }"
        )
        self.set_type_scale(1.0)
        if parent is not None:
            parent.installEventFilter(self)
            plot_item = getattr(parent, "getPlotItem", None)
            if plot_item is not None:  # the data area moves when the axes re-lay out
                plot_item().getViewBox().sigResized.connect(lambda *_: self.place())
        self._refresh()

    def set_type_scale(self, scale: float) -> None:
        """Text size times ``scale`` (presentation mode; smaller where the view is too small
        for it, see ``place``)."""
        self._points = round((10 if self._compact else 12) * scale, 1)
        self.place()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if watched is self.parentWidget() and event.type() == QtCore.QEvent.Type.Resize:
            self.place()
        return False

    def refresh(self) -> None:
        """Show what the setters stored (they refresh themselves unless ``refresh=False``)."""
        self._refresh()

    def _refresh(self) -> None:
        text = self.content.html(self._compact)
        parts = bool(text)
        if text != self.text():
            self.setText(text)
            self.place()
        if self.isHidden() == bool(parts):
            self.setVisible(bool(parts))
            if parts:
                self.raise_()  # over the 3-D scene (a native window) when it (re)appears

    def _fit(self, area: QtCore.QRect) -> None:
        """Size to the text's natural width (wrapping only beyond the area's width), at the
        asked-for size or smaller (down to MIN_POINTS) while it would cover more than
        MAX_COVER of the area's height."""
        limit = max(120, area.width() - 10)
        margins = self.contentsMargins()
        pad = margins.left() + margins.right() + 2 * self.margin() + 20  # style sheet padding
        doc = QtGui.QTextDocument()
        doc.setHtml(self.text())
        points = self._points
        while True:
            font = QtGui.QFont(self.font())
            font.setPointSizeF(points)
            doc.setDefaultFont(font)
            doc.setTextWidth(-1)
            width = min(limit, int(doc.idealWidth()) + pad)
            doc.setTextWidth(width - pad)
            if doc.size().height() + 12 <= MAX_COVER * area.height() or points <= MIN_POINTS:
                break
            points = max(MIN_POINTS, points - 1.0)
        if self.font().pointSizeF() != points:
            self.setFont(font)
        self.resize(width, self.heightForWidth(width))

    def _area(self, parent: QtWidgets.QWidget) -> QtCore.QRect:
        """Where the legend may go: inside a plot's data area (never over its axes), else
        the whole parent."""
        plot_item = getattr(parent, "getPlotItem", None)
        if plot_item is not None:
            vb = plot_item().getViewBox()
            rect = vb.mapRectToScene(vb.boundingRect())
            area = parent.mapFromScene(rect).boundingRect()
            if area.width() > 60 and area.height() > 40:
                return area & parent.rect()
        return parent.rect()

    def place(self) -> None:
        """Keep the legend in its corner of the parent ("top-left", "bottom-right", ...).

        In a plot the corner is the data area's, so axis values and names stay readable.
        """
        parent = self.parentWidget()
        if parent is None:
            return
        area = self._area(parent)
        self._fit(area)
        vertical, _, horizontal = self._corner.partition("-")
        x = area.left() + 6 if horizontal == "left" else area.right() - self.width() - 5
        y = area.top() + 6 if vertical == "top" else area.bottom() - self.height() - 5
        self.move(max(0, x), max(0, y))
        self.raise_()  # the 3-D scene is a native window that may have been stacked above
