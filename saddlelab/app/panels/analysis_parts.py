"""Building blocks of the analysis panel: labels, muted captions, rows, the Hessian matrix."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.style import MUTED
from saddlelab.core.numbers import fmt


def make_label(wrap: bool = False, rich: bool = False, selectable: bool = True) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel()
    label.setTextFormat(QtCore.Qt.TextFormat.RichText if rich else QtCore.Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


_BRACKETS = {
    1: ("[", "]"),
    2: ("\u23a1\u23a3", "\u23a4\u23a6"),
    3: ("\u23a1\u23a2\u23a3", "\u23a4\u23a5\u23a6"),
}


def hessian_html(h: np.ndarray) -> str:
    """The Hessian as a bracketed rich-text matrix with right-aligned entries."""
    h = np.atleast_2d(h)
    n = h.shape[0]
    left, right = _BRACKETS.get(n, ("[" * n, "]" * n))
    rows = []
    for i, row in enumerate(h):
        cells = "".join(f"<td align='right'>&nbsp;&nbsp;{fmt(x)}</td>" for x in row)
        rows.append(f"<tr><td>{left[i]}</td>{cells}<td>&nbsp;{right[i]}</td></tr>")
    return "<table cellspacing='0' cellpadding='0'>" + "".join(rows) + "</table>"


def muted(label: QtWidgets.QLabel) -> QtWidgets.QLabel:
    """Grey caption text via the palette (a style sheet would drop the inherited font size)."""
    palette = label.palette()
    palette.setColor(QtGui.QPalette.ColorRole.WindowText, QtGui.QColor(MUTED))
    label.setPalette(palette)
    return label


def sized(font: QtGui.QFont, points: float, bold: bool = False) -> QtGui.QFont:
    out = QtGui.QFont(font)
    out.setPointSizeF(round(points, 1))
    out.setBold(bold)
    return out


class Rows:
    """Adds "muted name | value" rows, one under the other, to a grid layout."""

    def __init__(self, grid: QtWidgets.QGridLayout) -> None:
        self.grid = grid
        self.next = 0

    def add(self, name: str, tip: str, widget: QtWidgets.QLabel) -> QtWidgets.QLabel:
        head = make_label(selectable=False)
        head.setText(name)
        head.setToolTip(tip)
        muted(head)
        self.grid.addWidget(head, self.next, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        widget.setWordWrap(True)
        self.grid.addWidget(widget, self.next, 1)
        self.next += 1
        return widget
