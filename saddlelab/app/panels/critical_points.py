"""The critical-points panel: find them off the GUI thread, list them, probe or start a run.

"Find critical points" runs the core finder on a :class:`CriticalSearch` thread with a
progress bar and a Cancel button; the search reports into the state's
:class:`~saddlelab.models.critical_points.CriticalPointsModel`, and the table shows that model
(the markers in both views read it too). The table lists class, point, loss, eigenvalues and
minimum ratio, lowest loss first. Choosing a row asks for the probe to move there; "Start a run
here" asks for a run starting just off the point (downhill along the escape direction of a
saddle). The panel emits requests; the window decides what they change.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.runtime.critical_search import CriticalSearch
from saddlelab.app.style import CLASS_COLOURS, CLASS_NAMES
from saddlelab.core.advice import start_near
from saddlelab.core.numbers import fmt, fmt_vector, zero_on_scale
from saddlelab.models.critical_points import CriticalPointsModel
from saddlelab.models.subscriptions import Subscriptions

_ICONS: dict[str, QtGui.QIcon] = {}


def class_icon(cls: str, size: int = 18) -> QtGui.QIcon:
    """The marker of a class (colour and shape as in the views) as a table icon."""
    if cls not in _ICONS:
        pixmap = QtGui.QPixmap(size, size)
        pixmap.fill(QtCore.Qt.GlobalColor.transparent)
        painter = QtGui.QPainter(pixmap)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setPen(QtGui.QPen(QtGui.QColor("#000000"), 1.5))
        painter.setBrush(QtGui.QColor(CLASS_COLOURS.get(cls, "#ffffff")))
        m, s = 2.0, size - 4.0
        if cls == "local_max":
            painter.drawPolygon(
                QtGui.QPolygonF(
                    [
                        QtCore.QPointF(size / 2, m),
                        QtCore.QPointF(m + s, m + s),
                        QtCore.QPointF(m, m + s),
                    ]
                )
            )
        elif cls == "saddle":
            painter.setPen(QtGui.QPen(QtGui.QColor(CLASS_COLOURS["saddle"]), 4.0))
            painter.drawLine(QtCore.QPointF(m + 1, m + 1), QtCore.QPointF(m + s - 1, m + s - 1))
            painter.drawLine(QtCore.QPointF(m + 1, m + s - 1), QtCore.QPointF(m + s - 1, m + 1))
        elif cls == "degenerate":
            c = size / 2
            painter.drawPolygon(
                QtGui.QPolygonF(
                    [
                        QtCore.QPointF(c, m),
                        QtCore.QPointF(m + s, c),
                        QtCore.QPointF(c, m + s),
                        QtCore.QPointF(m, c),
                    ]
                )
            )
        else:
            painter.drawEllipse(QtCore.QRectF(m, m, s, s))
        painter.end()
        _ICONS[cls] = QtGui.QIcon(pixmap)
    return _ICONS[cls]


COLUMNS = ("Class", "Point", "Loss", "Eigenvalues", "Min. ratio")
"""What each column holds (the start of every cell's tooltip)."""
HEADERS = ("Class", "Point", "Loss", "\u03bb of H", "Ratio")
"""Short headers: the table must fit its dock at 1280 x 800 (header tooltips explain)."""
HEADER_TIPS = (
    "What kind of critical point (the marker's shape and colour as in the views)",
    "Coordinates of the point",
    "Loss at the point",
    "Eigenvalues of the Hessian there (curvatures along its eigenvectors)",
    "Minimum ratio: the share of the Hessian's eigenvalues that are positive "
    "(1 at a minimum, 0 at a maximum, in between at a saddle)",
)
SHORT_NAMES = {
    "local_min": "min",
    "local_max": "max",
    "saddle": "saddle",
    "degenerate": "degen.",
}
"""Class names in the table, short enough to fit a 400-px dock (the full name is the tooltip)."""
DIGITS = 3
ROUND_OFF = 1e-12
"""A value within this fraction of its scale of zero is the finder's round-off: shown as 0
(the tooltip keeps the full value)."""
MIN_POINTS = 9.0
"""Smallest table text: columns are fitted to the dock by shrinking the text to this."""
"""Significant figures shown in the table; tooltips give full precision."""


def _full(x: float) -> str:
    return f"{float(x):.10g}".replace("-", "\u2212")


class CriticalPointsPanel(QtWidgets.QWidget):
    """Table of critical points with a search action; emits probe and start requests."""

    probeRequested = QtCore.Signal(object)  # noqa: N815
    """A point (numpy array) to analyse."""
    startRunRequested = QtCore.Signal(object)  # noqa: N815
    """A start point for a new run, just off the chosen critical point."""
    pointsChanged = QtCore.Signal(object)  # noqa: N815
    """The new list of CriticalPoint (empty when cleared): markers follow it."""

    def __init__(self, model: CriticalPointsModel, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self._shown: list | None = None
        self._searched = None
        """The surface the running search is for (its result is reported with it)."""
        self.search = CriticalSearch(self)

        self.find_button = QtWidgets.QPushButton("Find all")
        self.find_button.setToolTip(
            "Solve \u2207L = 0 from many starts (exact Hessian as Jacobian), classify every "
            "point and mark it in both views"
        )
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the search")
        self.cancel_button.setEnabled(False)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.status = QtWidgets.QLabel("Not searched yet.")
        self.status.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        for col, tip in enumerate(HEADER_TIPS):
            self.table.horizontalHeaderItem(col).setToolTip(tip)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        rows = self.table.verticalHeader()
        self._fit_table_font()
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setToolTip("Choose a row to move the probe point there")
        self.start_button = QtWidgets.QPushButton("Start a run here")
        self.start_button.setObjectName("startRunHere")
        self.start_button.setToolTip(
            "Add a run starting just off the chosen point (downhill along the escape direction "
            "for a saddle)"
        )
        self.start_button.setEnabled(False)

        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.find_button)
        top.addWidget(self.start_button)
        running = QtWidgets.QHBoxLayout()
        running.addWidget(self.progress, 1)
        running.addWidget(self.cancel_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(running)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self.table.setMinimumHeight(
            self.table.horizontalHeader().sizeHint().height() + 3 * (rows.defaultSectionSize())
        )
        # Progress and Cancel show while a search runs: the table keeps the room otherwise.
        self.progress.hide()
        self.cancel_button.hide()

        self.find_button.clicked.connect(self.find)
        self.cancel_button.clicked.connect(lambda: self.search.cancel())
        self.search.progressed.connect(model.progressed)
        self.search.finished.connect(lambda result: model.found(self._searched, result))
        self.search.failed.connect(model.failed)
        self.search.cancelled.connect(model.cancelled)
        self.search.runningChanged.connect(self._on_running)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.start_button.clicked.connect(self._on_start)
        self._subs = Subscriptions()
        self._subs.connect(model.changed, self._show)
        self._subs.connect(model.progress_changed, lambda f: self.progress.setValue(round(100 * f)))
        self._show(model)

    def _fit_table_font(self) -> None:
        """A point smaller than the panel's text, and smaller still (down to MIN_POINTS) until
        the five columns fit the table's width: no column is ever scrolled out of sight."""
        table = self.table
        points = max(MIN_POINTS, self.font().pointSizeF() - 1)
        # Room beside a vertical scroll bar, whether or not it shows yet (rows come later).
        frame = 2 * table.frameWidth() + table.verticalScrollBar().sizeHint().width()
        room = table.width() - frame if table.isVisible() else None
        while True:
            font = QtGui.QFont(self.font())
            font.setPointSizeF(points)
            if table.font() != font:
                table.setFont(font)
                self.status.setFont(font)
                table.verticalHeader().setDefaultSectionSize(QtGui.QFontMetrics(font).height() + 6)
            table.resizeColumnsToContents()
            header = table.horizontalHeader()
            needed = sum(
                max(header.sectionSizeHint(c), table.sizeHintForColumn(c))
                for c in range(table.columnCount())
            )
            if room is None or needed <= room or points <= MIN_POINTS:
                return
            points = max(MIN_POINTS, points - 1)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        self._fit_table_font()

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt naming
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:  # presentation mode, zoom
            self._fit_table_font()

    # -- public -----------------------------------------------------------------------------------
    def find(self) -> None:
        """Search the state's surface (a search still running is cancelled first)."""
        self._searched = self.model.surface
        self.model.searching()
        self.progress.setValue(0)
        self.search.start(self._searched)

    def points(self) -> list:
        return list(self.model.points)

    def close_threads(self) -> None:
        """Cancel and join the search thread, disconnect from the model (the window closes)."""
        self._subs.clear()
        self.search.stop()

    # -- the model --------------------------------------------------------------------------------
    def _show(self, model: CriticalPointsModel) -> None:
        if not model.searching_now and self.search.is_running():
            self.search.cancel(emit=False)  # a new surface: the running search is stale
        self.status.setText(model.message)
        self.progress.setValue(round(100 * model.progress))
        if model.points is not self._shown:
            self._set_points(model.points)

    def _on_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.find_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def _set_points(self, points: list) -> None:
        self._shown = points
        table = self.table
        table.setSortingEnabled(False)
        table.clearSelection()
        table.setRowCount(len(points))
        widths = [hi - lo for lo, hi in self.model.surface.domain]
        loss_span = max([1.0] + [abs(p.loss) for p in points if np.isfinite(p.loss)])
        for row, cp in enumerate(points):
            cls = cp.classification
            # round-off of the finder (a saddle at 3e-17, a minimum's loss of 1e-28) is 0 on
            # the scale of the domain, of the losses listed, of the point's largest eigenvalue
            point = [zero_on_scale(x, w, ROUND_OFF) for x, w in zip(cp.point, widths, strict=False)]
            loss = zero_on_scale(cp.loss, loss_span, ROUND_OFF)
            top = max([0.0] + [abs(v) for v in cp.eigenvalues if np.isfinite(v)])
            eigen = [zero_on_scale(v, top, ROUND_OFF) for v in cp.eigenvalues]
            name, full_name = SHORT_NAMES.get(cls, cls), CLASS_NAMES.get(cls, cls)
            if not getattr(cp, "isolated", True):
                name = "on curve"  # the icon keeps the class, the tooltip says all
                full_name += " (on a curve of critical points)"
            cells = (
                (name, full_name),
                (fmt_vector(point, DIGITS), "(" + ", ".join(_full(x) for x in cp.point) + ")"),
                (fmt(loss, DIGITS), _full(cp.loss)),
                (
                    ", ".join(fmt(x, DIGITS) for x in eigen),
                    "\u03bb = " + ", ".join(_full(x) for x in cp.eigenvalues),
                ),
                (fmt(cp.minimum_ratio, 2), _full(cp.minimum_ratio)),
            )
            for col, (text, tip) in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                item.setToolTip(f"{COLUMNS[col]}: {tip}")
                if col == 0:
                    item.setIcon(class_icon(cls))
                table.setItem(row, col, item)
        self._fit_table_font()
        self.start_button.setEnabled(False)
        self.pointsChanged.emit(list(points))

    def selected_point(self):
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self._shown[rows[0].row()]

    def _on_selection(self) -> None:
        cp = self.selected_point()
        self.start_button.setEnabled(cp is not None)
        if cp is not None:
            self.probeRequested.emit(np.array(cp.point, dtype=float))

    def _on_start(self) -> None:
        cp = self.selected_point()
        if cp is None:
            return
        self.startRunRequested.emit(start_near(self.model.surface, cp.analysis))
