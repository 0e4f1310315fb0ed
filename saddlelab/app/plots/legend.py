"""The key to the second-order overlays, floating in a corner of a 2-D view (its rows come
from :class:`~saddlelab.app.widgets.legend_content.LegendContent`)."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.widgets.legend_content import ContentSetters, LegendContent


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
        self.setStyleSheet(
            "QLabel { background: rgba(12, 14, 20, 200); color: #f0f4fa; border-radius: 6px;"
            f" padding: 5px 8px; font-size: {10 if self._compact else 12}pt; }}"
        )
        if parent is not None:
            parent.installEventFilter(self)
            plot_item = getattr(parent, "getPlotItem", None)
            if plot_item is not None:  # the data area moves when the axes re-lay out
                plot_item().getViewBox().sigResized.connect(lambda *_: self.place())
        self._refresh()

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

    def _fit(self, limit: int) -> None:
        """Size to the text's natural width (wrapping only beyond ``limit``)."""
        doc = QtGui.QTextDocument()
        doc.setDefaultFont(self.font())
        doc.setHtml(self.text())
        margins = self.contentsMargins()
        pad = margins.left() + margins.right() + 2 * self.margin() + 20  # style sheet padding
        width = min(limit, int(doc.idealWidth()) + pad)
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
        self._fit(max(120, area.width() - 10))
        vertical, _, horizontal = self._corner.partition("-")
        x = area.left() + 6 if horizontal == "left" else area.right() - self.width() - 5
        y = area.top() + 6 if vertical == "top" else area.bottom() - self.height() - 5
        self.move(max(0, x), max(0, y))
        self.raise_()  # the 3-D scene is a native window that may have been stacked above
