"""Second-order widgets without OpenGL: analysis panel, step-size plot, critical points, escape.

Each test drives a widget the way the window does and asserts what a user would read on it
(Qt warnings and threads left running fail through tests/app/conftest.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from saddlelab.app.panels.analysis_panel import AnalysisPanel
from saddlelab.app.panels.critical_points import CriticalPointsPanel
from saddlelab.app.panels.escape_banner import EscapeAdvice
from saddlelab.app.panels.taylor_controls import TaylorControls
from saddlelab.app.plots.legend import SecondOrderLegend
from saddlelab.app.plots.step_size_plot import StepSizePlot
from saddlelab.core import catalogue
from saddlelab.core.advice import ADD_GRADIENT_NOISE, STEP_ALONG_NEGATIVE_CURVATURE
from saddlelab.core.analysis import analyze
from saddlelab.core.numbers import fmt
from saddlelab.models.critical_points import CriticalPointsModel
from saddlelab.models.surface_model import SurfaceModel

FINDER_TIMEOUT_MS = 60_000


@pytest.fixture
def lecture_origin():
    surface = catalogue.load("w1w2-mse")
    return surface, analyze(surface, (0.0, 0.0))


def regime(label) -> str:
    """The behaviour word of a regime label ("escaping", "monotone", ...)."""
    return plain(label).split("\u21b3")[-1].split("\u00d7")[0].strip()


def plain(label) -> str:
    """A label's text as a user reads it (rich text stripped)."""
    doc = QtGui.QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


# -- analysis panel -------------
def test_panel_shows_the_lecture_example_exactly(qtbot, lecture_origin):
    _, a = lecture_origin
    panel = AnalysisPanel()
    qtbot.addWidget(panel)
    panel.show_analysis(a, lr=0.1)
    assert panel.title.text() == "Saddle point"
    assert panel.sentence.text() == a.sentence()
    assert "(0.71, 0.71)" in panel.sentence.text()
    assert [plain(lbl) for lbl in panel.eigenvalue_labels[:2]] == ["\u22122", "2"]
    assert panel.eigenvector_labels[0].text() == "(0.707, 0.707)"
    assert panel.eigenvector_labels[1].text() == "(0.707, \u22120.707)"
    assert panel.minimum_ratio.text().startswith("0.5 ")
    assert panel.loss.text() == "1"
    assert panel.gradient.text() == "(0, 0)"
    hessian = plain(panel.hessian)
    assert hessian.count("\u22122") == 2 and hessian.count("0") >= 2
    assert panel.condition.text() == "1"
    assert panel.eta_opt.text() == "0.5 = 1/\u03bb_max"
    assert panel.eta_max.text() == "1 = 2/\u03bb_max"
    assert plain(panel.taylor) == "L \u2248 1 \u2212 2\u00b7w1\u00b7w2"
    # Per-direction behaviour at the run's eta: escaping along lambda = -2, monotone along 2.
    assert [regime(lbl) for lbl in panel.regime_labels[:2]] == ["escaping", "monotone"]
    assert not panel.eigenvalue_labels[2].isVisibleTo(panel)


def test_panel_numbers_are_the_cores_at_any_point(qtbot, lecture_origin):
    surface = catalogue.load("rosenbrock")
    a = analyze(surface, (-0.4, 1.3))
    panel = AnalysisPanel()
    qtbot.addWidget(panel)
    panel.show_analysis(a, lr=1e-3)
    for i, lam in enumerate(a.eigenvalues):
        assert plain(panel.eigenvalue_labels[i]) == fmt(lam)
    assert panel.loss.text() == fmt(a.loss, 6)
    assert panel.eta_opt.text() == f"{fmt(a.eta_opt, 4)} = 1/\u03bb_max"
    assert panel.title.text() == "Not a critical point"
    for text, expected in zip(
        [regime(lbl) for lbl in panel.regime_labels[:2]], a.regimes(1e-3), strict=True
    ):
        assert text == expected


def test_panel_relabels_regimes_when_the_learning_rate_changes(qtbot):
    surface = catalogue.load("elongated-bowl")
    a = analyze(surface, (0.5, 0.2))
    panel = AnalysisPanel()
    qtbot.addWidget(panel)
    panel.show_analysis(a, lr=0.01)
    assert regime(panel.regime_labels[1]) == "monotone"
    panel.set_learning_rate(0.03)
    assert regime(panel.regime_labels[1]) == "oscillating"
    panel.set_learning_rate(0.05)
    assert regime(panel.regime_labels[1]) == "divergent"
    assert "diverges" in panel.step_story.text()


def test_panel_shows_three_eigen_rows_for_three_parameters(qtbot):
    surface = catalogue.load("slice-trap")
    a = analyze(surface, (0.0, 0.0, 0.0))
    panel = AnalysisPanel()
    qtbot.addWidget(panel)
    panel.show_analysis(a, lr=0.1)
    assert panel.title.text() == "Saddle point"
    assert all(lbl.isVisibleTo(panel) for lbl in panel.eigenvalue_labels)
    assert panel.minimum_ratio.text().startswith("0.667")


def test_panel_clear_message(qtbot):
    panel = AnalysisPanel()
    qtbot.addWidget(panel)
    panel.clear("No probe point yet.")
    assert panel.sentence.text() == "No probe point yet."
    assert panel.loss.text() == ""


# -- step-size plot -------------
def test_step_size_plot_marks_eta_opt_twice_eta_opt_and_the_run(qtbot):
    plot = StepSizePlot()
    qtbot.addWidget(plot)
    plot.show_model([1.0, 50.0], lr=0.03)
    assert plot.markers["eta_opt"].value() == pytest.approx(0.02)
    assert plot.markers["eta_max"].value() == pytest.approx(0.04)
    assert plot.markers["lr"].value() == pytest.approx(0.03)
    bands = {name: band.getRegion() for name, band, _ in plot.bands if band.isVisible()}
    assert bands["oscillating"] == pytest.approx((0.02, 0.04))
    x, y = plot.curves[1].getData()
    k = np.argmin(np.abs(x - 0.03))
    assert y[k] == pytest.approx(abs(1 - x[k] * 50.0))


def test_step_size_plot_without_positive_curvature_hides_eta_markers(qtbot):
    plot = StepSizePlot()
    qtbot.addWidget(plot)
    plot.show_model([-2.0, 2.0], lr=0.1)
    assert plot.markers["eta_opt"].isVisible()
    plot.show_model([-2.0, -1.0], lr=0.1)
    assert not plot.markers["eta_opt"].isVisible()
    assert "No positive curvature" in plot.caption.text()


# -- critical points -------------
def _critical_panel(qtbot, surface) -> CriticalPointsPanel:
    """The panel on its own, showing a critical-points model of ``surface``."""
    panel = CriticalPointsPanel(CriticalPointsModel(SurfaceModel(surface)))
    qtbot.addWidget(panel)
    return panel


def test_finder_runs_off_the_gui_thread_and_lists_himmelblaus_nine_points(qtbot):
    surface = catalogue.load("himmelblau")
    panel = _critical_panel(qtbot, surface)
    with qtbot.waitSignal(panel.pointsChanged, timeout=FINDER_TIMEOUT_MS) as blocker:
        panel.find_button.click()
        assert panel.search.is_running()  # the click returned while the search runs
        assert panel.cancel_button.isEnabled() and not panel.find_button.isEnabled()
        assert not panel.progress.isHidden()  # progress shows while it runs
    points = blocker.args[0]
    classes = [p.classification for p in points]
    assert sorted(classes) == sorted(["local_min"] * 4 + ["local_max"] + ["saddle"] * 4)
    assert panel.table.rowCount() == 9
    assert panel.progress.value() == 100
    assert panel.progress.isHidden()
    assert "4 local minima, 1 local maximum, 4 saddle points" in panel.status.text()
    assert panel.table.item(0, 0).text() == "min"  # short: the table fits its dock
    assert "Local minimum" in panel.table.item(0, 0).toolTip()
    maximum = next(p for p in points if p.classification == "local_max")
    assert np.allclose(maximum.point, (-0.270845, -0.923039), atol=1e-5)
    panel.close_threads()
    assert not panel.search.is_running()


def test_choosing_a_row_probes_there_and_start_a_run_goes_downhill(qtbot):
    surface = catalogue.load("w1w2-mse")
    panel = _critical_panel(qtbot, surface)
    with qtbot.waitSignal(panel.pointsChanged, timeout=FINDER_TIMEOUT_MS):
        panel.find()
    saddle_row = next(i for i, p in enumerate(panel.points()) if p.classification == "saddle")
    with qtbot.waitSignal(panel.probeRequested) as probe:
        panel.table.selectRow(saddle_row)
    assert np.allclose(probe.args[0], (0.0, 0.0), atol=1e-9)
    assert panel.start_button.isEnabled()
    with qtbot.waitSignal(panel.startRunRequested) as start:
        panel.start_button.click()
    p = start.args[0]
    assert 0 < np.linalg.norm(p) < 0.2 and abs(p[0] - p[1]) < 1e-9  # along the escape (1, 1)
    assert surface.loss(p) < 1.0
    panel.close_threads()


def test_cancel_stops_the_search_and_drops_its_result(qtbot):
    panel = _critical_panel(qtbot, catalogue.load("rastrigin"))
    received = []
    panel.pointsChanged.connect(received.append)
    with qtbot.waitSignal(panel.search.cancelled):
        panel.find()
        panel.cancel_button.click()
    assert panel.status.text() == "Search cancelled."
    assert panel.find_button.isEnabled()
    panel.close_threads()  # joins the cancelled thread
    QtCore.QCoreApplication.processEvents()  # deliver anything it sent
    assert received == []


# -- saddle escape -------------
def test_escape_banner_shows_every_word_in_large_type_in_a_narrow_dock(qtbot):
    """Presentation mode's type in a 300 px dock: each label gets the lines its text needs and
    each button title wraps to the button's width instead of being cut off."""
    banner = EscapeAdvice()
    qtbot.addWidget(banner)
    font = banner.font()
    font.setPointSizeF(17)
    banner.setFont(font)
    banner.show_stall(7, "SGD lr=0.2", "The loss still falls along (0.71, 0.71), where λ = −2.")
    banner.resize(300, 1200)
    banner.show()
    qtbot.waitExposed(banner)
    QtCore.QCoreApplication.processEvents()
    for label in (banner.headline, banner.detail, banner.step_why, banner.noise_why):
        assert label.height() >= label.heightForWidth(label.width())
    for button in (banner.step_button, banner.noise_button):
        metrics = button.fontMetrics()
        lines = button.text().split("\n")
        assert " ".join(lines) == button.title()
        widest = max(metrics.horizontalAdvance(line) for line in lines)
        assert widest <= button.width() - button.PADDING or len(lines) == len(
            button.title().split()
        )
        assert button.height() >= len(lines) * metrics.lineSpacing()


def test_escape_banner_offers_the_two_remedies_with_their_reasons(qtbot, lecture_origin):
    _, a = lecture_origin
    banner = EscapeAdvice()
    qtbot.addWidget(banner)
    assert banner.isHidden()
    banner.show_stall(
        7, "GD lr=0.1", "The loss still falls along (0.71, 0.71), where \u03bb = \u22122."
    )
    assert not banner.isHidden()
    assert "stalled at a saddle point" in banner.headline.text()
    assert banner.step_button.text().replace("\n", " ") == STEP_ALONG_NEGATIVE_CURVATURE.title
    assert banner.noise_button.text().replace("\n", " ") == ADD_GRADIENT_NOISE.title
    assert banner.step_why.text() == STEP_ALONG_NEGATIVE_CURVATURE.why
    assert banner.noise_why.text() == ADD_GRADIENT_NOISE.why
    banner.step_length.setValue(0.25)
    with qtbot.waitSignal(banner.stepRequested) as step:
        banner.step_button.click()
    assert step.args == [7, 0.25]
    banner.noise.setValue(0.2)
    with qtbot.waitSignal(banner.noiseRequested) as noise:
        banner.noise_button.click()
    assert noise.args == [7, 0.2]
    banner.dismiss()
    assert banner.isHidden() and banner.run_id is None


# -- small pieces -------------
def test_taylor_controls_report_the_error_at_the_cursor(qtbot, lecture_origin):
    surface, a = lecture_origin
    controls = TaylorControls()
    qtbot.addWidget(controls)
    p = np.array([0.5, 0.5])
    controls.show_error(p, float(surface.loss(p)), float(a.taylor(p)))
    # True loss (1 - 0.25)^2 = 0.5625, model 1 - 2 * 0.25 = 0.5: error -0.0625.
    assert controls.readout.text() == "At (0.5, 0.5): loss 0.5625, model 0.5, error \u22120.0625"
    with qtbot.waitSignal(controls.radiusChanged):
        controls.radius.setValue(0.3)


def test_legend_lists_arrows_overlay_and_marker_classes(qtbot):
    legend = SecondOrderLegend()
    qtbot.addWidget(legend)
    legend.set_arrows([-2.0, 2.0], 1e-8)
    legend.set_markers(["saddle", "local_min", "local_min"])
    text = plain(legend)
    assert "\u03bb = \u22122 (loss falls: escape)" in text
    assert "\u03bb = 2 (loss rises)" in text
    assert "Local minimum" in text and "Saddle point" in text and "Local maximum" not in text
    legend.set_arrows()
    legend.set_markers([])
    assert legend.isHidden()
