"""The key to the second-order overlays, floating in a corner of a view.

Lists what is drawn right now: the eigenvector arrows with their actual eigenvalues (red = the
loss falls, an escape direction), the Taylor patch or dashed contours, and the critical-point
markers by class. For 3-parameter surfaces it says that arrows show the displayed slice.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.core.advice import fmt

from .second_order_style import CLASS_COLOURS, CLASS_GLYPHS, CLASS_NAMES, eigen_colour

CLASS_ORDER = ("local_min", "local_max", "saddle", "degenerate")


class LegendContent:
    """The legend's rows as rich text; ``changed()`` is called after every setter that
    refreshes (a QLabel or a GL item renders the same text)."""

    def __init__(self, changed) -> None:
        self._changed = changed
        self._arrows = ""
        self._overlay = ""
        self._markers = ""
        self._marker_rows: list[str] = []

    def _refresh(self) -> None:
        self._changed()

    def html(self, compact: bool = False) -> str:
        """The rows; ``compact`` puts the marker classes on one line (a corner of a plot)."""
        markers = "&nbsp;&nbsp; ".join(self._marker_rows) if compact else self._markers
        return "<br>".join(p for p in (self._arrows, self._overlay, markers) if p)

    def set_arrows(
        self, eigenvalues=(), tolerance: float = 0.0, slice_note: str = "", refresh: bool = True
    ) -> None:
        """Arrow rows with the real λ values; empty hides them."""
        rows = []
        for lam in eigenvalues:
            colour = eigen_colour(lam, tolerance)
            if abs(lam) <= tolerance:
                meaning = "flat"
            elif lam < 0:
                meaning = "loss falls: escape"
            else:
                meaning = "loss rises"
            rows.append(
                f"<span style='color:{colour}; font-weight:bold'>\u2194</span> "
                f"\u03bb = {fmt(lam, 3)}  <span style='color:#aab4c4'>({meaning})</span>"
            )
        if rows:
            head = "Eigenvectors of H (length \u221d |\u03bb|)"
            if slice_note:
                rows.append(f"<span style='color:#aab4c4'>{slice_note}</span>")
            self._arrows = f"<b>{head}</b><br>" + "<br>".join(rows)
        else:
            self._arrows = ""
        if refresh:
            self._refresh()

    def set_overlay(self, text: str, refresh: bool = True) -> None:
        """e.g. "Taylor model within r = 0.4 (translucent patch)"; empty hides it."""
        self._overlay = (
            f"<span style='color:#7fe8ff; font-weight:bold'>\u25a0</span> {text}" if text else ""
        )
        if refresh:
            self._refresh()

    def set_markers(self, classes) -> None:
        """Marker rows for the classes present; empty hides them."""
        present = [c for c in CLASS_ORDER if c in set(classes)]
        self._marker_rows = [
            f"<span style='color:{CLASS_COLOURS[c]}; font-weight:bold'>{CLASS_GLYPHS[c]}</span>"
            f"&nbsp;{CLASS_NAMES[c]}"
            for c in present
        ]
        self._markers = "<br>".join(self._marker_rows)
        self._refresh()


class ContentSetters:
    """The legend setters, forwarded to ``self.content`` (a :class:`LegendContent`): shared by
    the 2-D label and the 3-D in-scene legend."""

    content: LegendContent

    def set_arrows(self, *args, **kwargs) -> None:
        self.content.set_arrows(*args, **kwargs)

    def set_overlay(self, *args, **kwargs) -> None:
        self.content.set_overlay(*args, **kwargs)

    def set_markers(self, *args, **kwargs) -> None:
        self.content.set_markers(*args, **kwargs)


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
