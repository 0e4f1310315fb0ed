"""The analysis panel: the whole second-order story of the probe point, in large type.

Loss, gradient, Hessian, eigenvalues with eigenvectors and what gradient descent does along
each at the run's learning rate, the classification in a plain sentence, minimum ratio,
condition number, η_opt and 2/λ_max, and the Taylor model written out with its numbers.

Updates follow a running optimizer at 60 Hz, so every label is built once and an update only
sets text (and only where the text changed).
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.panels.analysis_parts import Rows, hessian_html, make_label, muted, sized
from saddlelab.app.style import (
    BASE_POINT_SIZE,
    CLASS_COLOURS,
    CLASS_NAMES,
    MUTED,
    PANEL,
    REGIME_COLOURS,
    UNDEFINED,
    eigen_colour,
)
from saddlelab.core.advice import format_taylor, regime, step_size_sentence, taylor_terms
from saddlelab.core.numbers import fmt, fmt_vector
from saddlelab.models.probe import UNDEFINED_TITLE
from saddlelab.models.subscriptions import Subscriptions

MAX_DIM = 3


class AnalysisPanel(QtWidgets.QWidget):
    """Shows one PointAnalysis; :meth:`show_analysis` is cheap enough for every GUI frame."""

    def __init__(self, parent: QtWidgets.QWidget | None = None, point_size: int = BASE_POINT_SIZE):
        super().__init__(parent)
        self._subs = Subscriptions()
        """What :meth:`follow` connected (cleared by :meth:`close_view`)."""
        self.setObjectName("analysisPanel")
        # A dark "blackboard" of its own: the colours of eigenvalues and classes are chosen to
        # match the dark 3-D and contour views, and read best projected.
        self.setAutoFillBackground(True)
        palette = self.palette()
        for role, colour in (
            (QtGui.QPalette.ColorRole.Window, PANEL),
            (QtGui.QPalette.ColorRole.Base, PANEL),
            (QtGui.QPalette.ColorRole.WindowText, "#eef2f8"),
            (QtGui.QPalette.ColorRole.Text, "#eef2f8"),
        ):
            palette.setColor(role, QtGui.QColor(colour))
        self.setPalette(palette)
        self._point_size = point_size
        font = self.font()
        font.setPointSize(point_size)
        self.setFont(font)
        self._texts: dict[int, str] = {}
        self._analysis = None
        self._lr: float | None = None
        self._title_colour = ""

        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 6)
        outer.setSpacing(6)

        self.title = make_label(wrap=True, selectable=False)
        self.title.setFont(sized(font, point_size + 4, bold=True))
        self.source = make_label(wrap=True, selectable=False)
        muted(self.source)
        self.sentence = make_label(wrap=True)
        outer.addWidget(self.title)
        outer.addWidget(self.source)
        outer.addWidget(self.sentence)
        # Everything below is hidden when there is nothing to show (no probe point, or the
        # loss is undefined there): no headings over empty values.
        self.details = QtWidgets.QWidget()
        body = QtWidgets.QVBoxLayout(self.details)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(6)
        outer.addWidget(self.details)

        grid = QtWidgets.QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        rows = Rows(grid)
        add = rows.add
        self.point = add("\u03b8", "The probe point being analysed", make_label(wrap=True))
        self.loss = add("L(\u03b8)", "The loss at the probe point", make_label())
        self.gradient = add("\u2207L", "Exact (symbolic) gradient", make_label(wrap=True))
        self.gradient_norm = add(
            "\u2016\u2207L\u2016",
            "Gradient norm, and whether it is below the critical tolerance",
            make_label(wrap=True),
        )
        hessian_head = make_label(selectable=False)
        hessian_head.setToolTip(
            "Hessian: exact second derivatives H_ij = \u2202\u00b2L/\u2202\u03b8i\u2202\u03b8j"
        )
        muted(hessian_head)
        self.hessian = make_label(rich=True)
        hessian_head.setText("H (Hessian)")
        grid.addWidget(hessian_head, rows.next, 0, 1, 2)
        grid.addWidget(self.hessian, rows.next + 1, 0, 1, 2, QtCore.Qt.AlignmentFlag.AlignHCenter)
        body.addLayout(grid)

        eigen_box = QtWidgets.QGroupBox("Eigen-directions of H")
        eigen_box.setToolTip(
            "Each eigenvector u with eigenvalue \u03bb: the loss curves like \u00bd\u03bb s\u00b2 "
            "along u. The last column is what plain gradient descent does along u at the run's "
            "\u03b7, and the factor |1 \u2212 \u03b7\u03bb| by which it shrinks or grows "
            "the distance per step."
        )
        self._eigen_grid = QtWidgets.QGridLayout(eigen_box)
        self._eigen_grid.setHorizontalSpacing(8)
        # Two lines per direction (narrow docks): eigenvector u, then GD's behaviour along it.
        for col, text in enumerate(("\u03bb", "u \u00b7 GD at run's \u03b7")):
            head = make_label(wrap=True, selectable=False)
            head.setText(text)
            muted(head)
            self._eigen_grid.addWidget(head, 0, col)
        self.eigenvalue_labels = [make_label(rich=True) for _ in range(MAX_DIM)]
        self.eigenvector_labels = [make_label() for _ in range(MAX_DIM)]
        self.regime_labels = [make_label(rich=True) for _ in range(MAX_DIM)]
        for i in range(MAX_DIM):
            top = QtCore.Qt.AlignmentFlag.AlignTop
            self._eigen_grid.addWidget(self.eigenvalue_labels[i], 2 * i + 1, 0, top)
            self._eigen_grid.addWidget(self.eigenvector_labels[i], 2 * i + 1, 1)
            self._eigen_grid.addWidget(self.regime_labels[i], 2 * i + 2, 0, 1, 2)
        self._eigen_grid.setColumnStretch(1, 1)
        self.tolerance = make_label(wrap=True, selectable=False)
        muted(self.tolerance)
        self._eigen_grid.addWidget(self.tolerance, 2 * MAX_DIM + 1, 0, 1, 2)
        body.addWidget(eigen_box)

        grid2 = QtWidgets.QGridLayout()
        grid2.setHorizontalSpacing(12)
        add2 = Rows(grid2).add
        self.minimum_ratio = add2(
            "min. ratio",
            "Minimum ratio: positive eigenvalues / all eigenvalues (1 = a true minimum)",
            make_label(),
        )
        self.condition = add2(
            "cond(H)",
            "Condition number |\u03bb|_max / |\u03bb|_min: large means slow, zig-zagging descent",
            make_label(),
        )
        self.eta_opt = add2(
            "\u03b7_opt", "1/\u03bb_max: the best step along the steepest direction", make_label()
        )
        self.eta_max = add2(
            "2\u03b7_opt",
            "2/\u03bb_max: any larger step diverges along the steepest direction",
            make_label(),
        )
        self.lr = add2("run's \u03b7", "The selected run's current learning rate", make_label())
        body.addLayout(grid2)
        self._grids = (grid, grid2)
        for g in self._grids:
            g.setColumnStretch(1, 1)
        self.step_story = make_label(wrap=True)
        body.addWidget(self.step_story)

        taylor_head = make_label(selectable=False)
        taylor_head.setText("Taylor model (2nd order) around \u03b8")
        taylor_head.setWordWrap(True)
        muted(taylor_head)
        body.addWidget(taylor_head)
        self.taylor = make_label(wrap=True, rich=True)
        body.addWidget(self.taylor)
        outer.addStretch(1)
        self.set_type_scale(1.0)
        self.clear("No probe point yet: select a run or click in the contour view.")

    def set_type_scale(self, scale: float) -> None:
        """Every text size times ``scale`` (presentation mode)."""
        points = self._point_size * scale
        font = sized(self.font(), points)
        self.setFont(font)
        self.title.setFont(sized(font, points + 4 * scale, bold=True))
        self.taylor.setFont(sized(font, points + 2 * scale))
        width = QtGui.QFontMetrics(font).horizontalAdvance("min. ratio") + 12
        for g in self._grids:
            g.setColumnMinimumWidth(0, width)

    # -- updating ---------------------------------------------------------------------------------
    def _set(self, label: QtWidgets.QLabel, text: str) -> None:
        """Set text only when it changed: re-laying out rich text is the expensive part."""
        key = id(label)
        if self._texts.get(key) != text:
            self._texts[key] = text
            label.setText(text)

    def clear(self, message: str, title: str = "No analysis") -> None:
        """Show a message instead of numbers (no probe point, or the loss is undefined there):
        a title and a sentence, no empty headings."""
        self._analysis = None
        self._set(self.title, title)
        self._set_title_colour(UNDEFINED if title == UNDEFINED_TITLE else "#eef2f8")
        self._set(self.sentence, message)
        if not self.details.isHidden():
            self.details.hide()
        values = (self.point, self.loss, self.gradient, self.gradient_norm, self.hessian,
                  self.minimum_ratio, self.condition, self.eta_opt, self.eta_max, self.lr,
                  self.step_story, self.taylor, self.tolerance, self.source,
                  *self.eigenvalue_labels, *self.eigenvector_labels,
                  *self.regime_labels)  # fmt: skip
        for label in values:
            self._set(label, "")

    def _set_title_colour(self, colour: str) -> None:
        if self._title_colour != colour:
            self._title_colour = colour
            palette = self.title.palette()
            palette.setColor(QtGui.QPalette.ColorRole.WindowText, QtGui.QColor(colour))
            self.title.setPalette(palette)

    def set_source(self, text: str) -> None:
        """Where the probe point comes from, e.g. "Run 1 (GD, lr 0.1), step 120"."""
        self._set(self.source, text)

    def set_learning_rate(self, lr: float | None) -> None:
        """The selected run's current η: re-labels the per-direction behaviour."""
        self._lr = None if lr is None else float(lr)
        if self._analysis is not None:
            self._show_step_sizes(self._analysis)

    def analysis(self):
        return self._analysis

    def show_analysis(self, analysis, lr: float | None = ...) -> None:  # type: ignore[assignment]
        """Display ``analysis`` (a core PointAnalysis); ``lr`` updates the run's η if given."""
        if lr is not ...:
            self._lr = None if lr is None else float(lr)
        self._analysis = analysis
        cls = analysis.classification
        colour = CLASS_COLOURS.get(cls, "#ffffff")
        self._set(self.title, CLASS_NAMES.get(cls, cls))
        self._set_title_colour(colour)
        if self.details.isHidden():
            self.details.show()
        self._set(self.sentence, analysis.sentence())
        self._set(self.point, fmt_vector(analysis.point, 4))
        self._set(self.loss, fmt(analysis.loss, 6))
        self._set(self.gradient, fmt_vector(analysis.gradient, 4))
        verdict = "critical" if analysis.is_critical else "not critical"
        self._set(
            self.gradient_norm,
            f"{fmt(analysis.gradient_norm, 4)}  "
            f"({verdict}: tol. {fmt(analysis.grad_tolerance, 2)})",
        )
        self._set(self.hessian, hessian_html(analysis.hessian))

        tol = float(analysis.eigen_tolerance)
        lam = np.asarray(analysis.eigenvalues, dtype=float)
        vecs = np.asarray(analysis.eigenvectors, dtype=float)
        d = lam.size
        for i in range(MAX_DIM):
            visible = i < d
            for label in (
                self.eigenvalue_labels[i],
                self.eigenvector_labels[i],
                self.regime_labels[i],
            ):
                if label.isVisibleTo(self) != visible:
                    label.setVisible(visible)
            if visible:
                c = eigen_colour(lam[i], tol)
                self._set(self.eigenvalue_labels[i], f"<b style='color:{c}'>{fmt(lam[i])}</b>")
                self._set(self.eigenvector_labels[i], fmt_vector(vecs[i], 3))
        self._set(self.tolerance, f"\u03bb counts as 0 if |\u03bb| \u2264 {fmt(tol, 2)}")
        positives = int(np.count_nonzero(lam > tol))
        self._set(
            self.minimum_ratio,
            f"{fmt(analysis.minimum_ratio, 3)}  ({positives} of {d} \u03bb > 0)",
        )
        cond = analysis.condition_number
        self._set(
            self.condition, "undefined (an eigenvalue is zero)" if cond is None else fmt(cond, 4)
        )
        self._set(
            self.eta_opt,
            "none (no positive curvature)"
            if analysis.eta_opt is None
            else f"{fmt(analysis.eta_opt, 4)} = 1/\u03bb_max",
        )
        self._set(
            self.eta_max,
            "none"
            if analysis.eta_max_stable is None
            else f"{fmt(analysis.eta_max_stable, 4)} = 2/\u03bb_max",
        )
        self._show_step_sizes(analysis)
        taylor = analysis.taylor
        self._set(
            self.taylor,
            format_taylor(taylor_terms(taylor.for_display(), analysis.variables), html=True),
        )

    def _show_step_sizes(self, analysis) -> None:
        lr = self._lr
        lam = np.asarray(analysis.eigenvalues, dtype=float)
        tol = float(analysis.eigen_tolerance)
        self._set(self.lr, "no run selected" if lr is None else fmt(lr, 4))
        if lr is None:
            regimes = ["" for _ in lam]
        else:
            try:
                regimes = list(analysis.regimes(lr))
            except (AttributeError, TypeError, ValueError):
                regimes = [regime(lr, x, tol) for x in lam]
        for i in range(min(lam.size, MAX_DIM)):
            text = regimes[i]
            if text:
                factor = abs(1.0 - lr * lam[i])
                colour = REGIME_COLOURS.get(text, "#ffffff")
                text = (
                    f"&nbsp;&nbsp;\u21b3 <span style='color:{colour}'><b>{text}</b></span>"
                    f"<span style='color:{MUTED}'> \u00d7{fmt(factor, 3)}</span>"
                )
            self._set(self.regime_labels[i], text)
        self._set(self.step_story, step_size_sentence(lam, lr, tol))

    # -- following the state ----------------------------------------------------------------------
    def follow(self, state) -> None:
        """Show the state's probe: its analysis (computed once, by the state) and the selected
        run's step size; until :meth:`close_view`."""
        self._state = state
        self._subs.connect(state.probe.changed, self._on_probe)
        self._subs.connect(state.probe.lr_changed, self.set_learning_rate)
        self._subs.connect(
            state.view.events.look, lambda look: self.set_type_scale(look.type_scale)
        )
        self.set_type_scale(state.view.look.type_scale)
        self._on_probe(state.probe)

    def _on_probe(self, probe) -> None:
        if probe.analysis is None:
            self.clear(probe.message, UNDEFINED_TITLE if probe.undefined else "No analysis")
            return
        run = self._state.runs.selected
        if probe.source == "run" and run is not None:
            self.set_source(f"Following {run.title}, step {run.steps}")
        else:
            self.set_source("Picked point (Shift+click in the contour view to move it)")
        self.show_analysis(probe.analysis, probe.lr)

    def close_view(self) -> None:
        self._subs.clear()
