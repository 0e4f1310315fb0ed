"""The analysis column: the dock the second-order story is read in.

A row of actions, then (scrolling together, so a tall banner never squeezes the panel to
nothing) the saddle-escape banner and the analysis panel, then the Taylor controls. At
1280 x 800 it is a tab beside Surface and Runs; it follows the dock's width (everything wraps).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets


class AnalysisColumn(QtWidgets.QWidget):
    """A row of actions, then (scrolling) the saddle-escape banner and the analysis panel,
    then the Taylor controls."""

    def __init__(self, escape, panel, taylor_controls, actions: list[QtGui.QAction]) -> None:
        super().__init__()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(4, 0, 4, 0)
        for action in actions:
            button = QtWidgets.QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextOnly)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        # Banner and panel scroll together: a tall banner never squeezes the panel to nothing.
        content = QtWidgets.QWidget()
        inner = QtWidgets.QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(4)
        inner.addWidget(escape)
        inner.addWidget(panel, 1)
        self.scroll = QtWidgets.QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        # The column follows the dock's width (everything wraps); only vertical scrolling.
        self.scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
        )
        self.scroll.setWidget(content)
        layout.addWidget(self.scroll, 1)
        taylor_controls.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Maximum
        )
        layout.addWidget(taylor_controls)
        escape.shown.connect(lambda: self.scroll.verticalScrollBar().setValue(0))
