"""The runs panel: the list of runs with their status, playback controls and the run editor.

Play/Pause (Space), Step (N), Reset (R); speed from 1 step/s to as fast as the engine goes.
"""

from __future__ import annotations

import math
from html import escape

from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.panels.run_editor import RunEditor
from saddlelab.app.runtime.pacing import RedrawThrottle, RunDrawing
from saddlelab.app.style import HINT, UNDEFINED
from saddlelab.app.widgets.lines_label import LinesLabel
from saddlelab.core.numbers import count
from saddlelab.models.app_state import AppState
from saddlelab.models.runs import RunModel
from saddlelab.models.subscriptions import Subscriptions

SPEED_STEPS = 40
STATUS_LINES = 4
"""Lines the status of the selected run always takes (its status, then the detail)."""
"""Slider positions 0..SPEED_STEPS-1 give 10**(pos/10) steps/s (1 to ~8000); the last is max."""
STATUS_COLOURS = {
    "ready": HINT,
    "running": "#8ecae6",
    "converged": "#80ed99",
    "diverged": "#ff6b6b",
    "stalled": "#ffd166",
    "max_steps": "#ffd166",
    "error": "#ff6b6b",
    "undefined_start": UNDEFINED,
    "undefined": UNDEFINED,
}
STATUS_LABELS = {"undefined_start": "start undefined", "undefined": "L undefined"}
"""Short list labels of the statuses whose value reads badly (the detail line says more)."""


def speed_for_position(pos: int) -> float:
    return math.inf if pos >= SPEED_STEPS else 10 ** (pos / 10)


def speed_text(speed: float) -> str:
    """``1 step``, ``30 steps`` (a finite speed, in whole steps)."""
    return count(round(speed), "step")


def position_for_speed(speed: float) -> int:
    if math.isinf(speed):
        return SPEED_STEPS
    return max(0, min(SPEED_STEPS - 1, round(10 * math.log10(max(speed, 1.0)))))


def status_text(run: RunModel) -> str:
    status = STATUS_LABELS.get(run.status, run.status.replace("_", " "))
    if run.status in ("stalled", "converged") and run.stall_kind:
        status = f"{status} ({run.stall_kind})"  # the verdict on where it stopped
    return f"{status} · step {run.steps}"


class RunsPanel(RunDrawing, QtWidgets.QWidget):
    """Runs list, add/remove, playback and the editor of the selected run."""

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self._throttle = RedrawThrottle(self._redraw_run, 100, self)
        self.list = QtWidgets.QListWidget()
        self.list.setToolTip("Runs: tick to show or hide; select one to edit it")
        self.list.setMinimumHeight(70)
        self.list.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setWordWrap(True)  # whole titles and statuses, in presentation mode too
        self.list.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Maximum
        )
        self.list.currentRowChanged.connect(self._on_row_changed)
        self.list.itemChanged.connect(self._on_item_changed)
        self.add_button = self._button(
            "Add run",
            "Add a run (a copy of the selected run's settings with the next optimizer to compare)",
            self.add_run,
        )
        self.remove_button = self._button("Remove", "Remove the selected run", self.remove_run)
        self.play_button = self._button("Play", "Play / pause every run (Space)", self._on_play)
        self.play_button.setCheckable(True)
        self.step_button = self._button(
            "Step", "One optimizer step of every run (N)", lambda: state.playback.step(1)
        )
        self.reset_button = self._button(
            "Reset", "Put every run back at its start (R)", state.playback.reset
        )
        self.speed = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.speed.setRange(0, SPEED_STEPS)
        self.speed.setToolTip("Steps per second, from 1 to as fast as possible (far right)")
        self.speed.setValue(position_for_speed(state.playback.speed))
        self.speed.valueChanged.connect(lambda p: state.playback.set_speed(speed_for_position(p)))
        self.speed_label = QtWidgets.QLabel()
        self.speed_label.setMinimumWidth(90)
        self.speed_label.setToolTip("Current playback speed")
        self.status = LinesLabel(STATUS_LINES)
        self.status.setToolTip("What the selected run is doing")
        self.editor = RunEditor()
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(self.editor)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)

        row1 = QtWidgets.QHBoxLayout()
        for b in (self.play_button, self.step_button, self.reset_button):
            row1.addWidget(b)
        row2 = QtWidgets.QHBoxLayout()
        row2.addWidget(QtWidgets.QLabel("speed"))
        row2.addWidget(self.speed, 1)
        row2.addWidget(self.speed_label)
        row3 = QtWidgets.QHBoxLayout()
        row3.addWidget(self.add_button)
        row3.addWidget(self.remove_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(self.list)
        layout.addLayout(row3)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)

        pb = state.playback
        self._subs = Subscriptions()
        on = self._subs.connect
        on(pb.playing_changed, self._on_playing)
        on(pb.can_move_changed, self._on_playing)
        on(pb.speed_changed, self._on_speed)
        on(state.runs.added, self._on_run_added)
        on(state.runs.removed, self._on_run_removed)
        on(state.runs.selected_changed, self._on_selected)
        for run in state.runs:
            self._on_run_added(run)
        self._on_selected(state.runs.selected)
        self._on_speed(pb.speed)
        self._on_playing(pb.playing)

    def _button(self, text: str, tip: str, slot) -> QtWidgets.QPushButton:
        b = QtWidgets.QPushButton(text)
        b.setToolTip(tip)
        b.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        b.clicked.connect(slot)
        return b

    # -- actions --------
    def add_run(self) -> RunModel:
        """Add a run like the selected one but with the next optimizer, to compare."""
        names = ["sgd", "adam", "rmsprop", "adagrad", "saddle-free-newton", "newton", "gd-escape"]
        selected = self.state.runs.selected
        used = {r.optimizer for r in self.state.runs}
        name = next((n for n in names if n not in used), "sgd")
        overrides = {}
        if selected is not None and "lr" in selected.overrides:
            overrides["lr"] = selected.overrides["lr"]
        try:
            return self.state.add_run(name, overrides)
        except ValueError:
            return self.state.add_run(name)

    def remove_run(self) -> None:
        run = self.state.runs.selected
        if run is not None:
            self.state.runs.remove(run)

    def _on_play(self, checked: bool) -> None:
        self.state.playback.set_playing(checked)

    # -- model -> widgets -------------------------------------------------------------------------
    def _item(self, run: RunModel) -> QtWidgets.QListWidgetItem | None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(QtCore.Qt.ItemDataRole.UserRole) == run.id:
                return item
        return None

    def _on_run_added(self, run: RunModel) -> None:
        item = QtWidgets.QListWidgetItem()
        item.setData(QtCore.Qt.ItemDataRole.UserRole, run.id)
        item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
        self.list.blockSignals(True)
        self.list.addItem(item)
        self.list.blockSignals(False)
        self._subs.connect(run.appearance_changed, self._refresh, key=run)
        self._subs.connect(run.status_changed, self._refresh, key=run)
        self._subs.connect(run.data_changed, self._mark_run, key=run)
        self._refresh(run)
        self._fit_list()

    def _on_run_removed(self, run: RunModel) -> None:
        self._subs.clear(run)
        self._throttle.discard(run.id)
        item = self._item(run)
        if item is not None:
            self.list.blockSignals(True)
            self.list.takeItem(self.list.row(item))
            self.list.blockSignals(False)
        self._fit_list()

    def _fit_list(self) -> None:
        rows = max(self.list.count(), 2)
        line = self.list.fontMetrics().height()
        wrapped = max((self.list.sizeHintForRow(r) for r in range(self.list.count())), default=0)
        self.list.setMaximumHeight(min(rows, 5) * max(line + 8, wrapped + 4) + 8)

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt naming
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:  # presentation mode, zoom
            self._fit_list()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        self._fit_list()  # titles wrap to the new width

    def _refresh(self, run: RunModel) -> None:
        item = self._item(run)
        if item is None:
            return
        self.list.blockSignals(True)
        pix = QtGui.QPixmap(14, 14)
        pix.fill(QtGui.QColor(run.colour))
        item.setIcon(QtGui.QIcon(pix))
        item.setText(f"{run.title} — {status_text(run)}")
        item.setToolTip(run.status_detail)
        item.setCheckState(
            QtCore.Qt.CheckState.Checked if run.visible else QtCore.Qt.CheckState.Unchecked
        )
        item.setForeground(QtGui.QColor(STATUS_COLOURS.get(run.status, "#e0e0e0")))
        self.list.blockSignals(False)
        if run is self.state.runs.selected:
            self._show_status(run)

    _draw_run = _refresh  # RunDrawing: a run's new rows refresh its line (throttled)

    def _show_status(self, run: RunModel | None) -> None:
        if run is None:
            self.status.setText("No runs. Press 'Add run'.")
            return
        colour = STATUS_COLOURS.get(run.status, "#e0e0e0")
        self.status.setText(
            f"<span style='color:{colour}'><b>{escape(status_text(run))}</b></span><br>"
            f"{escape(run.status_detail)}"
        )

    def _on_item_changed(self, item: QtWidgets.QListWidgetItem) -> None:
        run = self.state.runs.by_id(item.data(QtCore.Qt.ItemDataRole.UserRole))
        if run is not None:
            run.set_visible(item.checkState() == QtCore.Qt.CheckState.Checked)

    def _on_row_changed(self, row: int) -> None:
        if 0 <= row < len(self.state.runs):
            self.state.runs.select(self.state.runs[row])

    def _on_selected(self, run: RunModel | None) -> None:
        if run is not None:
            item = self._item(run)
            if item is not None and self.list.currentItem() is not item:
                self.list.setCurrentItem(item)
        self.editor.set_run(run)
        self._show_status(run)
        self.remove_button.setEnabled(run is not None)

    def _on_playing(self, *_) -> None:
        """Play shows whether anything moves; with nothing to move, Play and Step say why."""
        pb = self.state.playback
        self.play_button.blockSignals(True)
        self.play_button.setChecked(pb.playing)
        self.play_button.blockSignals(False)
        self.play_button.setText("Pause" if pb.playing else "Play")
        self.play_button.setEnabled(pb.playing or pb.can_move)
        self.step_button.setEnabled(pb.can_move)
        why = self.state.nothing_to_move()
        self.play_button.setToolTip(why or "Play / pause every run (Space)")
        self.step_button.setToolTip(why or "One optimizer step of every unfinished run (N)")

    def _on_speed(self, speed: float) -> None:
        self.speed_label.setText("max steps/s" if math.isinf(speed) else speed_text(speed) + "/s")
        pos = position_for_speed(speed)
        if self.speed.value() != pos:
            self.speed.blockSignals(True)
            self.speed.setValue(pos)
            self.speed.blockSignals(False)

    def close_view(self) -> None:
        """Disconnect from the state and the edited run (the window calls this when it closes)."""
        self._subs.clear()
        for run in self.state.runs:
            self._throttle.discard(run.id)
        self.editor.set_run(None)
