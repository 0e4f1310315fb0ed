"""The Swarm panel: how the particles start, which optimizer moves them, and the buttons.

Every field is committed with Enter or by leaving it; a bad value shows one red line under the
field and the swarm keeps its last good settings. A committed change makes a new swarm (paused,
every particle at its start). Play / Pause, Step and Reset act on the swarm only (the Run
menu's Space / N / R act on the runs), so a heavy swarm never slows a lecture's runs and each
can be watched on its own.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtWidgets

from saddlelab.app.style import ERROR, HINT, tint
from saddlelab.app.widgets.wrapped_label import WrappedLabel
from saddlelab.core.optim import OPTIMIZERS
from saddlelab.core.swarm import DISTRIBUTIONS, SwarmError
from saddlelab.models.swarm import SwarmModel

SPEEDS = (("10 steps/s", 10.0), ("60 steps/s", 60.0), ("240 steps/s", 240.0),
          ("1000 steps/s", 1000.0), ("as fast as it goes", float("inf")))  # fmt: skip
DEFAULT_SPEED_INDEX = 1
STATUS_MS = 250


def parse_numbers(text: str, what: str) -> tuple[float, ...]:
    """Comma- or space-separated finite numbers (float() only: nothing is evaluated)."""
    parts = [p for p in text.replace(",", " ").split() if p]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise SwarmError(f"{what}: numbers separated by commas, e.g. 0.5, -1") from None
    if not values or not all(v == v and abs(v) != float("inf") for v in values):
        raise SwarmError(f"{what}: finite numbers separated by commas, e.g. 0.5, -1")
    return values


def parse_hyper(text: str) -> dict[str, str]:
    """'lr=0.01, momentum=0.9' -> {'lr': '0.01', ...} (values checked by the optimizer spec)."""
    out = {}
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        name, eq, value = part.partition("=")
        if not eq or not name.strip() or not value.strip():
            raise SwarmError("write hyper-parameters as name=value, e.g. lr=0.01, momentum=0.9")
        out[name.strip()] = value.strip()
    return out


class SwarmPanel(QtWidgets.QWidget):
    """Settings, buttons and status of the window's swarm (see the module docstring)."""

    speed_changed = QtCore.Signal(float)

    def __init__(self, model: SwarmModel, selected_run: Callable, probe: Callable) -> None:
        super().__init__()
        self.model = model
        self._selected_run = selected_run
        self._probe = probe
        self.errors: dict[str, WrappedLabel] = {}
        form = QtWidgets.QFormLayout()
        form.setRowWrapPolicy(QtWidgets.QFormLayout.RowWrapPolicy.WrapLongRows)
        s = model.settings
        self.distribution = QtWidgets.QComboBox()
        self.distribution.addItems(DISTRIBUTIONS)
        self.distribution.setCurrentText(s.distribution)
        self.distribution.currentTextChanged.connect(lambda t: self._commit("distribution", t))
        self.count = self._edit(f"{s.count}", "count", self._count)
        self.centre = self._edit("", "centre", self._centre, "the suggested start")
        self.sigma = self._edit("", "sigma", self._sigma, "5% of the domain")
        self.seed = self._edit(f"{s.seed}", "seed", self._seed)
        self.optimizer = QtWidgets.QComboBox()
        for name, spec in OPTIMIZERS.items():
            self.optimizer.addItem(spec.label, name)
        self.optimizer.setCurrentIndex(self.optimizer.findData(s.optimizer))
        self.optimizer.currentIndexChanged.connect(
            lambda i: self._commit("optimizer", self.optimizer.itemData(i), overrides={})
        )
        hyper = ", ".join(f"{k}={v}" for k, v in s.overrides.items())
        self.hyper = self._edit(hyper, "hyper", self._hyper, "torch's defaults, e.g. lr=0.01")
        for label, widget, key, tip in (
            ("Starts", self.distribution, "distribution", "Where the particles start: a grid "
             "over the domain, uniform random, or a Gaussian cloud around the centre"),
            ("Particles", self.count, "count", "How many particles, 100 to 100,000 (a grid "
             "takes the nearest square or cube)"),
            ("Centre", self.centre, "centre", "Centre of the Gaussian cloud, e.g. 0.5, -1 "
             "(empty: the surface's suggested start)"),
            ("Sigma", self.sigma, "sigma", "Spread of the Gaussian cloud (draws outside the "
             "domain are drawn again)"),
            ("Seed", self.seed, "seed", "Same seed, same starts"),
            ("Optimizer", self.optimizer, "optimizer", "The optimizer every particle uses"),
            ("Hyper-parameters", self.hyper, "hyper", "name=value pairs, e.g. lr=0.01, "
             "momentum=0.9 (the rest: torch's defaults)"),
        ):  # fmt: skip
            widget.setToolTip(tip)
            form.addRow(label, widget)
            form.addRow(self._error(key))
        self.use_probe = QtWidgets.QPushButton("Centre at the probe")
        self.use_probe.setToolTip("Put the Gaussian cloud's centre at the probe point")
        self.use_probe.clicked.connect(self._centre_at_probe)
        self.use_run = QtWidgets.QPushButton("Use the selected run's optimizer")
        self.use_run.setToolTip("Copy the optimizer and hyper-parameters of the selected run")
        self.use_run.clicked.connect(self._use_run)
        self.speed = QtWidgets.QComboBox()
        for text, value in SPEEDS:
            self.speed.addItem(text, value)
        self.speed.setCurrentIndex(DEFAULT_SPEED_INDEX)
        self.speed.setToolTip("How fast the swarm steps while it plays")
        self.speed.currentIndexChanged.connect(
            lambda i: self.speed_changed.emit(self.speed.itemData(i))
        )
        self.play = QtWidgets.QPushButton("Play swarm")
        self.play.setToolTip("Step every particle together (the swarm's own Play)")
        self.play.clicked.connect(self._on_play)
        self.step = QtWidgets.QPushButton("Step")
        self.step.setToolTip("One optimizer step of every particle")
        self.step.clicked.connect(self._on_step)
        self.reset = QtWidgets.QPushButton("Reset")
        self.reset.setToolTip("Every particle back at its start; the dwell map cleared")
        self.reset.clicked.connect(self._on_reset)
        self.dwell = QtWidgets.QCheckBox("Dwell map")
        self.dwell.setChecked(model.show_dwell)
        self.dwell.setToolTip(
            "Shade where the particles spent their steps (log scale): "
            "saddles and plateaus light up where particles crawl"
        )
        self.dwell.toggled.connect(self._on_dwell)
        buttons = QtWidgets.QHBoxLayout()
        for b in (self.play, self.step, self.reset):
            buttons.addWidget(b)
        self.status = WrappedLabel(model.message or self._ready_text())
        tint(self.status, HINT)
        self.status.setTextFormat(QtCore.Qt.TextFormat.RichText)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        for w in (self.use_probe, self.use_run, self.speed):
            layout.addWidget(w)
        layout.addLayout(buttons)
        layout.addWidget(self.dwell)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self._status_timer = QtCore.QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(STATUS_MS)
        self._status_timer.timeout.connect(self._show_status)
        model.snapshot_changed.connect(self._on_snapshot)
        model.message_changed.connect(self._on_message)
        model.playing_changed.connect(self._on_playing)
        model.settings_changed.connect(self._show_settings)

    # -- fields -----------------------------------------------------------------------------
    def _edit(self, text: str, key: str, commit, placeholder: str = "") -> QtWidgets.QLineEdit:
        edit = QtWidgets.QLineEdit(text)
        edit.setPlaceholderText(placeholder)
        edit.editingFinished.connect(lambda: self._guarded(key, lambda: commit(edit.text())))
        return edit

    def _error(self, key: str) -> WrappedLabel:
        label = self.errors[key] = WrappedLabel()
        tint(label, ERROR, bold=True)
        label.hide()
        return label

    def _guarded(self, key: str, action) -> None:
        try:
            action()
        except SwarmError as error:
            self.errors[key].setText(str(error))
            self.errors[key].show()
            return
        self.errors[key].hide()

    def _commit(self, key: str, value, **more) -> None:
        self._guarded(key, lambda: self._apply(**{key: value}, **more))

    def _apply(self, **changes) -> None:
        if any(getattr(self.model.settings, k) != v for k, v in changes.items()):
            self.model.apply(**changes)
            self.model.rebuild()

    def _count(self, text: str) -> None:
        try:
            n = int(text.replace(",", "").replace("_", "").strip())
        except ValueError:
            raise SwarmError("the particle count is a whole number, 100 to 100,000") from None
        self._apply(count=n)

    def _centre(self, text: str) -> None:
        self._apply(centre=parse_numbers(text, "the centre") if text.strip() else None)

    def _sigma(self, text: str) -> None:
        value = parse_numbers(text, "sigma") if text.strip() else None
        if value is not None and len(value) != 1:
            raise SwarmError("sigma is one number > 0")
        self._apply(sigma=None if value is None else value[0])

    def _seed(self, text: str) -> None:
        try:
            seed = int(text.strip())
        except ValueError:
            raise SwarmError("the seed is a whole number >= 0") from None
        self._apply(seed=seed)

    def _hyper(self, text: str) -> None:
        self._apply(overrides=parse_hyper(text))

    def _centre_at_probe(self) -> None:
        point = self._probe()
        if point is None:
            self.errors["centre"].setText("no probe point yet: Shift+click the contour view")
            self.errors["centre"].show()
            return
        self.centre.setText(", ".join(f"{v:.6g}" for v in point))
        self._guarded("centre", lambda: self._centre(self.centre.text()))

    def _use_run(self) -> None:
        run = self._selected_run()
        if run is None:
            self.errors["optimizer"].setText("no run is selected")
            self.errors["optimizer"].show()
            return
        self._guarded("optimizer", lambda: self._apply(optimizer=run.optimizer,
                                                       overrides=dict(run.overrides)))  # fmt: skip

    def _show_settings(self, s) -> None:
        for widget, value in ((self.distribution, s.distribution),):
            widget.blockSignals(True)
            widget.setCurrentText(value)
            widget.blockSignals(False)
        self.optimizer.blockSignals(True)
        self.optimizer.setCurrentIndex(self.optimizer.findData(s.optimizer))
        self.optimizer.blockSignals(False)
        self.hyper.setText(", ".join(f"{k}={v}" for k, v in s.overrides.items()))
        self.centre.setText("" if s.centre is None else ", ".join(f"{v:.6g}" for v in s.centre))

    # -- buttons and status -----------------------------------------------------------------
    def _on_play(self) -> None:
        if self.model.snapshot is None and self.model.generation == 0:
            self.model.rebuild()
        self.model.set_playing(not self.model.playing)

    def _on_step(self) -> None:
        if self.model.generation == 0:
            self.model.rebuild()
        self.model.set_playing(False)
        self.model.step(1)

    def _on_reset(self) -> None:
        if self.model.generation == 0:
            self.model.rebuild()
        else:
            self.model.reset()

    def _on_dwell(self, on: bool) -> None:
        self.model.show_dwell = bool(on)
        if self.model.snapshot is not None:
            self.model.snapshot_changed.emit(self.model.snapshot)

    def _on_playing(self, playing: bool) -> None:
        self.play.setText("Pause swarm" if playing else "Play swarm")

    def _on_snapshot(self, _snapshot) -> None:
        """The status line follows at most every STATUS_MS (each new text re-lays out the
        dock: at the worker's 60 Hz that cost the views frames)."""
        if not self._status_timer.isActive():
            self._status_timer.start()

    def _show_status(self) -> None:
        self.status.setText(self.model.status_text())

    def _on_message(self, text: str) -> None:
        self.status.setText(text)

    def _ready_text(self) -> str:
        return f"{self.model.describe()}: press Play swarm or Step to launch it."
