"""The key to the second-order overlays, painted inside the 3-D scene.

The 3-D view draws into a native OpenGL window, which covers ordinary child widgets, so this
legend is a GL item: ``paint()`` draws the same rich text as the 2-D view's label
(``widgets.legend_content.LegendContent``) with a QPainter, on a translucent panel in the
top-left corner, after everything else.
"""

from __future__ import annotations

from pyqtgraph.opengl import GLGraphicsItem
from PySide6 import QtCore, QtGui

from saddlelab.app.widgets.legend_content import ContentSetters, LegendContent

MARGIN = 10
PADDING = 8
POINT_SIZE = 12


class GLLegendItem(ContentSetters, GLGraphicsItem.GLGraphicsItem):
    """Screen-anchored legend: same setters as SecondOrderLegend (``set_arrows`` ...)."""

    def __init__(self, parentItem=None) -> None:
        super().__init__(parentItem=parentItem)
        self.setDepthValue(1000)  # painted last, over the scene
        self.content = LegendContent(self._changed)
        self._doc = QtGui.QTextDocument()
        font = QtGui.QFont()
        font.setPointSize(POINT_SIZE)
        self._doc.setDefaultFont(font)
        self._doc.setDefaultStyleSheet("body { color: #f0f4fa; }")
        self._html = ""

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
        width = max(120.0, view.width() - 2 * MARGIN - 2 * PADDING)
        self._doc.setTextWidth(-1)
        if self._doc.idealWidth() > width:
            self._doc.setTextWidth(width)
        size = self._doc.size()
        painter = QtGui.QPainter(view)
        painter.setRenderHints(
            QtGui.QPainter.RenderHint.Antialiasing | QtGui.QPainter.RenderHint.TextAntialiasing
        )
        box = QtCore.QRectF(MARGIN, MARGIN, size.width() + 2 * PADDING, size.height() + 2 * PADDING)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.setBrush(QtGui.QColor(12, 14, 20, 205))
        painter.drawRoundedRect(box, 6, 6)
        painter.translate(MARGIN + PADDING, MARGIN + PADDING)
        self._doc.drawContents(painter)
        painter.end()
