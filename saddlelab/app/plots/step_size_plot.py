"""Step-size regimes of the probe point's quadratic model, against the learning rate η.

One curve per eigen-direction: |1 − ηλ_i|, the factor by which gradient descent shrinks (< 1)
or grows (> 1) the distance to the model's stationary point along that direction per step.
Shaded bands set by λ_max: monotone (η < η_opt), oscillating (η_opt < η < 2η_opt), divergent
(η > 2η_opt). Vertical markers at η_opt, 2η_opt and the run's current η. Items are created
once; an update only sets data.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.runtime.pacing import RedrawThrottle
from saddlelab.app.style import PLOT, REGIME_COLOURS, eigen_colour
from saddlelab.app.widgets.lines_label import LinesLabel
from saddlelab.core.advice import step_size_curves
from saddlelab.core.numbers import fmt
from saddlelab.models.subscriptions import Subscriptions

MAX_DIM = 3
CAPTION_LINES = 3
Y_TOP = 2.5
TICK_POINTS = 12
LABEL_POINTS = 13
LINE = 3.0
"""Width of the curves and markers at the normal look."""
AXIS_TEXT = "#d8dee9"


PLOT_INTERVAL_MS = 80
"""The step-size plot redraws at most this often."""


class StepSizePlot(QtWidgets.QWidget):
    """A small plot with a caption; :meth:`show_model` takes eigenvalues and the run's η."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        # A click anywhere in the view (its buttons and labels too) takes the keyboard focus
        # from the last edited field, so that the single-key shortcuts act.
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.ClickFocus)
        self._subs = Subscriptions()
        """What :meth:`follow` connected (cleared by :meth:`close_view`)."""
        self._throttle = RedrawThrottle(lambda _: self._draw(), PLOT_INTERVAL_MS, self)
        self.plot = pg.PlotWidget()
        self.plot.setBackground(PLOT)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        item = self.plot.getPlotItem()
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.enableAutoSIPrefix(False)  # "0.02", not "20 (x0.001)"
            axis.setTextPen(AXIS_TEXT)
        item.setYRange(0.0, Y_TOP, padding=0)
        # Ticks below the top edge: a value on the edge is cut in half.
        ticks = [(v, fmt(v)) for v in np.arange(0.0, Y_TOP, 0.5)]
        item.getAxis("left").setTicks([ticks])
        self.setMinimumHeight(180)
        self.setToolTip(
            "Per eigen-direction of the probe point's quadratic model: the factor |1 \u2212 "
            "\u03b7\u03bb| by which one gradient-descent step changes the distance along it. "
            "Shaded: monotone (\u03b7 < \u03b7_opt), oscillating (\u03b7_opt < \u03b7 < "
            "2\u03b7_opt), divergent (\u03b7 > 2\u03b7_opt); dashed curves: negative "
            "curvature (escaping)."
        )

        # The regimes' names sit in a key under the plot, not in their bands: a band can be
        # narrower than its name (then the name was cut off at the band's or the plot's edge).
        self.key = QtWidgets.QLabel()
        self.key.setWordWrap(True)  # a narrow dock or presentation mode: the key wraps
        self.key.setToolTip("The shaded bands of the plot")
        self.bands = []
        for name in ("monotone", "oscillating", "divergent"):
            colour = QtGui.QColor(REGIME_COLOURS[name])
            colour.setAlpha(55)
            band = pg.LinearRegionItem(movable=False, brush=colour, pen=pg.mkPen(None))
            band.setZValue(-10)
            item.addItem(band)
            label = f"<span style='color:{REGIME_COLOURS[name]}'>\u25a0</span>&nbsp;{name}"
            self.bands.append((name, band, label))
        self.unit_line = pg.InfiniteLine(
            pos=1.0, angle=0, pen=pg.mkPen("#8890a0", width=1.5, style=QtCore.Qt.PenStyle.DashLine)
        )
        item.addItem(self.unit_line)
        self.curves = [item.plot(pen=pg.mkPen("#ffffff", width=LINE)) for _ in range(MAX_DIM)]
        self.markers = {}
        for key, colour, style, height in (
            ("eta_opt", "#35c46a", QtCore.Qt.PenStyle.DashLine, 0.93),
            ("eta_max", "#ff4040", QtCore.Qt.PenStyle.DashLine, 0.66),
            ("lr", "#ffd60a", QtCore.Qt.PenStyle.SolidLine, 0.39),
        ):
            line = pg.InfiniteLine(
                angle=90,
                pen=pg.mkPen(colour, width=LINE, style=style),
                label="",
                labelOpts={"position": height, "color": colour, "fill": (21, 24, 31, 220)},
            )
            item.addItem(line)
            self.markers[key] = line
        self.caption = LinesLabel(CAPTION_LINES)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.key)
        layout.addWidget(self.caption)
        self._curves_data = None
        self._line_scale = 1.0
        self.set_look(1.0, 1.0)

    def set_look(self, type_scale: float, line_scale: float) -> None:
        """Text and lines times these factors (presentation mode)."""
        item = self.plot.getPlotItem()
        font = QtGui.QFont()
        font.setPointSizeF(TICK_POINTS * type_scale)
        for name in ("left", "bottom"):
            item.getAxis(name).setTickFont(font)
        size = {"font-size": f"{round(LABEL_POINTS * type_scale, 1)}pt", "color": AXIS_TEXT}
        item.setLabel("bottom", "learning rate \u03b7", **size)
        item.setLabel("left", "|1 \u2212 \u03b7\u03bb| per step", **size)
        self._line_scale = line_scale
        for line in self.markers.values():
            line.label.setFont(font)
            pen = QtGui.QPen(line.pen)
            pen.setWidthF(LINE * line_scale)
            line.setPen(pen)
        for curve in self.curves:
            pen = QtGui.QPen(curve.opts["pen"])
            pen.setWidthF(LINE * line_scale)
            curve.setPen(pen)

    def curves_data(self):
        """The last StepSizeCurves shown (for tests)."""
        return self._curves_data

    def show_model(self, eigenvalues, lr: float | None, tolerance: float = 0.0) -> None:
        """Redraw for a quadratic model with these Hessian eigenvalues and the run's η."""
        data = step_size_curves(eigenvalues, lr)
        self._curves_data = data
        top = float(data.etas[-1])
        for i, curve in enumerate(self.curves):
            if i < data.eigenvalues.size:
                lam = float(data.eigenvalues[i])
                colour = eigen_colour(lam, tolerance)
                style = QtCore.Qt.PenStyle.DashLine if lam < 0 else QtCore.Qt.PenStyle.SolidLine
                curve.setPen(pg.mkPen(colour, width=LINE * self._line_scale, style=style))
                curve.setData(data.etas, np.minimum(data.factors[:, i], Y_TOP * 1.1))
                curve.setVisible(True)
            else:
                curve.setVisible(False)
        shown = {name for _, _, name in data.bands}
        for name, band, _label in self.bands:
            match = [b for b in data.bands if b[2] == name]
            visible = name in shown and bool(match)
            band.setVisible(visible)
            if visible:
                lo, hi, _ = match[0]
                band.setRegion((lo, hi))
        for key, value, text in (
            ("eta_opt", data.eta_opt, "\u03b7_opt"),
            ("eta_max", data.eta_max_stable, "2\u03b7_opt"),
            ("lr", lr, "run's \u03b7"),
        ):
            line = self.markers[key]
            ok = value is not None and bool(np.isfinite(value))
            line.setVisible(ok)
            if ok:
                line.setValue(float(value))
                line.label.setFormat(f"{text} = {fmt(value, 3)}")
        key = [label for name, _, label in self.bands if name in shown]
        self.key.setText("&nbsp;&nbsp; ".join(key))
        self.plot.getPlotItem().setXRange(0.0, top, padding=0)
        if data.eta_opt is None:
            self.caption.setText(
                "No positive curvature here: every step moves away, whatever \u03b7 "
                "(dashed: escaping directions, |1 \u2212 \u03b7\u03bb| &gt; 1)."
            )
        else:
            lam = ", ".join(fmt(x, 3) for x in data.eigenvalues)
            self.caption.setText(
                f"\u03bb = {lam}: below 1, gradient descent closes in along that direction."
            )

    # -- following the state ----------------------------------------------------------------------
    def follow(self, state) -> None:
        """Plot the state's probe analysis against the selected run's step size, redrawn at
        most every PLOT_INTERVAL_MS (a summary, not a live trace); until :meth:`close_view`."""
        self._state = state
        self._subs.connect(state.probe.changed, self._mark)
        self._subs.connect(state.probe.lr_changed, self._mark)
        self._subs.connect(state.view.events.look, self._on_look)
        self._on_look(state.view.look)
        self._draw()

    def _on_look(self, look) -> None:
        self.set_look(look.type_scale, look.line_scale)

    def _mark(self, *_) -> None:
        self._throttle.mark(None)

    def _draw(self) -> None:
        probe = self._state.probe
        a = probe.analysis
        if a is not None:
            self.show_model(a.eigenvalues, probe.lr, a.eigen_tolerance)

    def flush(self) -> None:
        """Draw a pending change now (tests)."""
        self._throttle.flush()

    def close_view(self) -> None:
        self._subs.clear()
        self._throttle.discard(None)
