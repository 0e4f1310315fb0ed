"""The Basins panel: grid size, steps K, the optimizer used (the selected run's), Compute with a
progress bar and Cancel, Show layer, opacity, a staleness line and the legend.

Widgets only: the dock (:mod:`saddlelab.app.basins_dock`) runs the job and feeds the legend.
A bad grid or step count gets one line under its field; the last good value stays.
"""

from __future__ import annotations

from html import escape

from PySide6 import QtCore, QtWidgets

from saddlelab.app.style import ERROR, HINT, WARNING, tint
from saddlelab.core.limits import whole_number

MIN_GRID, MAX_GRID, DEFAULT_GRID = 2, 400, 100
MIN_STEPS, MAX_STEPS, DEFAULT_STEPS = 1, 100_000, 1000


class BasinsPanel(QtWidgets.QWidget):
    computeRequested = QtCore.Signal(int, int)  # noqa: N815
    """(grid, steps)"""
    cancelRequested = QtCore.Signal()  # noqa: N815
    showToggled = QtCore.Signal(bool)  # noqa: N815
    opacityChanged = QtCore.Signal(float)  # noqa: N815

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid, self.steps = DEFAULT_GRID, DEFAULT_STEPS
        self.optimizer = QtWidgets.QLabel("Optimizer: add a run first")
        self.optimizer.setWordWrap(True)
        self.optimizer.setToolTip("The basins use the selected run's optimizer and settings")
        self.grid_edit = QtWidgets.QLineEdit(str(DEFAULT_GRID))
        self.grid_edit.setToolTip(f"Starts per side, {MIN_GRID} to {MAX_GRID}")
        self.steps_edit = QtWidgets.QLineEdit(str(DEFAULT_STEPS))
        self.steps_edit.setToolTip("Most updates per start; later: not converged")
        self.grid_error, self.steps_error = QtWidgets.QLabel(), QtWidgets.QLabel()
        for label in (self.grid_error, self.steps_error):
            tint(label, ERROR)
            label.setWordWrap(True)
            label.hide()
        self.compute = QtWidgets.QPushButton("Compute")
        self.compute.setToolTip("Run the optimizer from every cell of the grid (in the background)")
        self.cancel = QtWidgets.QPushButton("Cancel")
        self.cancel.setEnabled(False)
        self.cancel.setToolTip("Stop the computation; the basins shown stay")
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setFormat("%p% of the steps")
        self.progress.setToolTip("Steps K taken so far by every start of the grid")
        self.show_layer = QtWidgets.QCheckBox("Show layer")
        self.show_layer.setChecked(True)
        self.show_layer.setToolTip("Show the basins image under the contour view's iso-lines")
        self.opacity = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.opacity.setRange(10, 100)
        self.opacity.setValue(80)
        self.opacity.setToolTip("Opacity of the basins image over the colour map")
        self.status = QtWidgets.QLabel("Not computed yet.")
        self.status.setWordWrap(True)
        self.legend = QtWidgets.QLabel()
        self.legend.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.legend.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroll.setWidget(self.legend)
        self._layout(scroll)
        self.grid_edit.editingFinished.connect(self._read_grid)
        self.steps_edit.editingFinished.connect(self._read_steps)
        self.compute.clicked.connect(self._on_compute)
        self.cancel.clicked.connect(self.cancelRequested)
        self.show_layer.toggled.connect(self.showToggled)
        self.opacity.valueChanged.connect(lambda v: self.opacityChanged.emit(v / 100))

    def _layout(self, scroll) -> None:
        form = QtWidgets.QFormLayout()
        form.addRow(self.optimizer)
        form.addRow("Grid (N x N)", self.grid_edit)
        form.addRow(self.grid_error)
        form.addRow("Steps K", self.steps_edit)
        form.addRow(self.steps_error)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.compute)
        buttons.addWidget(self.cancel)
        form.addRow(buttons)
        form.addRow(self.progress)
        form.addRow(self.show_layer)
        form.addRow("Opacity", self.opacity)
        form.addRow(self.status)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(scroll, 1)

    # -- inputs ------
    def _read(self, edit, error, what, lo, hi, last) -> int:
        try:
            value = whole_number(edit.text().strip(), what, lo, hi)
        except ValueError as problem:
            error.setText(f"{problem} (keeping {last})")
            error.show()
            edit.setText(str(last))
            return last
        error.hide()
        edit.setText(str(value))
        return value

    def _read_grid(self) -> None:
        self.grid = self._read(self.grid_edit, self.grid_error, "grid", MIN_GRID, MAX_GRID,
                               self.grid)  # fmt: skip

    def _read_steps(self) -> None:
        self.steps = self._read(self.steps_edit, self.steps_error, "steps", MIN_STEPS,
                                MAX_STEPS, self.steps)  # fmt: skip

    def _on_compute(self) -> None:
        self._read_grid()
        self._read_steps()
        self.computeRequested.emit(self.grid, self.steps)

    # -- what the dock says ------
    def set_optimizer_text(self, text: str, usable: bool) -> None:
        self.optimizer.setText(text)
        self.compute.setEnabled(usable)

    def set_running(self, running: bool) -> None:
        self.cancel.setEnabled(running)
        if running:
            self.progress.setValue(0)

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setValue(round(1000 * done / max(total, 1)))

    def set_status(self, text: str, warn: bool = False) -> None:
        self.status.setText(text)
        tint(self.status, WARNING if warn else HINT)

    def set_legend(self, entries, scale_text: str, stale: bool = False) -> None:
        rows = [f'<span style="color: rgb{tuple(e.colour)}">\u25a0</span>&nbsp;'
                f"{escape(e.text)}" for e in entries]  # fmt: skip
        head = "<b>Ends at (share of starts)</b>" + (" \u2014 out of date" if stale else "")
        tail = f'<br><span style="color: {HINT}">Shade: {escape(scale_text)}</span>'
        self.legend.setText(head + "<br>" + "<br>".join(rows) + tail if entries else "")
