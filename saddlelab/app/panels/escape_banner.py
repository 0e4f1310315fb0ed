"""The saddle-escape banner: shown when a run stalls at a saddle, with the lectures' remedies.

It says where the run is stuck (the analysis sentence: along which direction the loss still
falls), and offers two buttons, each with the one sentence of why it works:
"Step along the negative-curvature direction" (jump a set length along the escape eigenvector
and resume) and "Add gradient noise" (set the run's gradient noise and resume). The banner only
emits requests; the window applies them to the run through its models.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.style import BANNER, BANNER_EDGE, BANNER_TEXT, TEXT, tint
from saddlelab.app.widgets.wrapped_label import WrappedLabel
from saddlelab.app.widgets.wrapping_button import WrappingButton
from saddlelab.core.advice import ADD_GRADIENT_NOISE, STEP_ALONG_NEGATIVE_CURVATURE
from saddlelab.models.subscriptions import Subscriptions


class EscapeAdvice(QtWidgets.QFrame):
    """Hidden until :meth:`show_stall`; emits ``stepRequested`` or ``noiseRequested``."""

    stepRequested = QtCore.Signal(object, float)  # noqa: N815
    """(run id, step length)."""
    noiseRequested = QtCore.Signal(object, float)  # noqa: N815
    """(run id, gradient-noise standard deviation)."""
    shown = QtCore.Signal()
    """The banner appeared (a run stalled at a saddle): its dock may want to come forward."""

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 - Qt naming
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setPen(QtGui.QPen(QtGui.QColor(BANNER_EDGE), 2.0))
        painter.setBrush(QtGui.QColor(BANNER))
        painter.drawRoundedRect(QtCore.QRectF(self.rect()).adjusted(1, 1, -1, -1), 6, 6)
        painter.end()

    def _fit_headline(self) -> None:
        """The headline 3 points above the banner's text, whatever its size."""
        font = QtGui.QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() + 3)
        self.headline.setFont(font)

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt naming
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange and hasattr(self, "headline"):
            self._fit_headline()  # presentation mode, zoom

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._subs = Subscriptions()
        """What :meth:`follow` connected (cleared by :meth:`close_view`)."""
        self.setObjectName("escapeAdvice")
        # Painted, not styled: a style sheet would freeze the font of every label inside.
        tint(self, BANNER_TEXT)  # the labels take it from the banner's palette
        self._run_id = None
        # Wrapped labels that always get the lines their text needs (presentation mode's larger
        # type in a narrow dock included), and buttons whose titles wrap to their width.
        self.headline = WrappedLabel()
        self._fit_headline()
        self.detail = WrappedLabel()

        self.step_button = WrappingButton(STEP_ALONG_NEGATIVE_CURVATURE.title)
        tint(self.step_button, TEXT, bold=True)
        self.step_button.setToolTip(STEP_ALONG_NEGATIVE_CURVATURE.why)
        self.step_length = QtWidgets.QDoubleSpinBox()
        self.step_length.setDecimals(3)
        self.step_length.setRange(0.001, 100.0)
        self.step_length.setValue(0.1)
        self.step_length.setMaximumWidth(110)
        self.step_length.setToolTip("How far to jump along the escape eigenvector")
        self.step_length.lineEdit().setToolTip(self.step_length.toolTip())
        self.step_why = WrappedLabel(STEP_ALONG_NEGATIVE_CURVATURE.why)

        self.noise_button = WrappingButton(ADD_GRADIENT_NOISE.title)
        tint(self.noise_button, TEXT, bold=True)
        self.noise_button.setToolTip(ADD_GRADIENT_NOISE.why)
        self.noise = QtWidgets.QDoubleSpinBox()
        self.noise.setDecimals(3)
        self.noise.setRange(0.001, 100.0)
        self.noise.setValue(0.05)
        self.noise.setPrefix("\u03c3 = ")
        self.noise.setMaximumWidth(120)
        self.noise.setToolTip("Standard deviation of the Gaussian noise added to every gradient")
        self.noise.lineEdit().setToolTip(self.noise.toolTip())
        self.noise_why = WrappedLabel(ADD_GRADIENT_NOISE.why)

        # One column, so the banner fits a narrow dock: each remedy is its button, then the
        # sentence of why (full width), then its setting.
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        for widget in (self.headline, self.detail):
            layout.addWidget(widget)
        for button, why, setting, name in (
            (self.step_button, self.step_why, self.step_length, "step length"),
            (self.noise_button, self.noise_why, self.noise, "noise"),
        ):
            layout.addSpacing(4)
            layout.addWidget(button)
            layout.addWidget(why)
            row = QtWidgets.QHBoxLayout()
            caption = QtWidgets.QLabel(name)
            caption.setToolTip(setting.toolTip())
            row.addWidget(caption)
            row.addWidget(setting)
            row.addStretch(1)
            layout.addLayout(row)

        self.step_button.clicked.connect(
            lambda: self.stepRequested.emit(self._run_id, self.step_length.value())
        )
        self.noise_button.clicked.connect(
            lambda: self.noiseRequested.emit(self._run_id, self.noise.value())
        )
        self.hide()

    @property
    def run_id(self):
        return self._run_id

    def set_defaults(self, step_length: float, noise: float) -> None:
        """Sensible sizes for the current surface (a few percent of the domain)."""
        self.step_length.setValue(step_length)
        self.noise.setValue(noise)

    def show_stall(
        self,
        run_id,
        run_title: str,
        sentence: str,
        has_escape: bool = True,
        how: str = "is stalled at",
    ) -> None:
        """Show the banner for ``run_id``; ``sentence`` is the analysis of the stall point."""
        self._run_id = run_id
        self.headline.setText(f"{run_title} {how} a saddle point")
        self.detail.setText(
            sentence + " The gradient is almost zero, so plain steps barely move the point."
        )
        self.step_button.setEnabled(has_escape)
        was_hidden = self.isHidden()
        self.show()
        if was_hidden:
            self.shown.emit()

    def dismiss(self) -> None:
        self._run_id = None
        self.hide()

    # -- following the state ----------------------------------------------------------------------
    def follow(self, state) -> None:
        """Show the state's escape offer and carry its remedies out; until :meth:`close_view`."""
        escape = state.escape
        self._subs.connect(escape.changed, self._on_offer)
        self._subs.connect(escape.defaults_changed, self.set_defaults)
        self.stepRequested.connect(escape.step)
        self.noiseRequested.connect(escape.add_noise)
        self.set_defaults(escape.step_length, escape.noise_sigma)
        self._on_offer(escape.offer)

    def _on_offer(self, offer) -> None:
        if offer is None:
            self.dismiss()
        else:
            self.show_stall(offer.run_id, offer.title, offer.sentence, offer.has_escape, offer.how)

    def close_view(self) -> None:
        self._subs.clear()
