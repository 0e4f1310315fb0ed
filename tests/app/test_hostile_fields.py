"""Hostile text in the window's fields (issue 10, point 3): a clear message where it was typed,
the last good state kept, no traceback, no warning, and nothing heavy on the GUI thread (a
derivative too large to build is refused by the size budget before sympy starts)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from PySide6 import QtCore
from window_actions import COMPILE_TIMEOUT, type_surface

from saddlelab.app.panels.critical_points import CriticalPointsPanel
from saddlelab.core.surface import Surface
from saddlelab.models.critical_points import CriticalPointsModel
from saddlelab.models.surface_model import SurfaceModel

BIG = "1" + "0" * 30
PRODUCT_60 = "*".join(f"(x+{i % 7 + 1}*y-{i % 5})" for i in range(60))


@pytest.fixture
def strict():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        yield


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("expr", "variables", "domain", "message"),
    [
        (PRODUCT_60, "x, y", "", "too complex to differentiate"),
        ("exp(" * 30 + "x*y" + ")" * 30, "x, y", "", "too complex"),
        ("x^(10^9) + y", "x, y", "", "too large"),
        ("x^2 + y^2", "x, y", "x=-1e308:1e308", "too large"),
        ("x^2 + y^2", "x, y", "x=0:1e-300", "too narrow"),
        ("x^2 + y^2", "x, y", f"x=-{BIG}e300:1", "finite"),
        ("lambda + y", "lambda, y", "", "keyword"),
        ("x + y", "x" * 200 + ", y", "", "too long"),
        ("x + y", "\u00e9, y", "", "not a valid name"),
        ("x + y", "__class__, y", "", "not a valid name"),
    ],
)
def test_hostile_typed_surface_is_refused_under_the_field(window, strict, expr, variables, domain,
                                                          message):  # fmt: skip
    before = window.state.surface.surface
    text = type_surface(window, expr, variables, domain)
    assert window.state.surface.surface is before
    assert text is not None
    assert message.lower() in text.lower() and "last good surface" in text


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("expr", "variables", "domain"),
    [
        ("sin(numpy) + exp(numpy*y) + sqrt(numpy^2 + 1)", "numpy, y", ""),
        ("-x^2 - y^2", "x, y", "x=-3:-1"),
        ("x^2 + y^2", "x, y", "x=-1e12:1e12, y=-1e12:1e12"),
    ],
)
def test_surfaces_that_crashed_before_are_shown(qtbot, window, strict, expr, variables, domain):
    assert type_surface(window, expr, variables, domain) is None
    surface = window.state.surface.surface
    assert surface.id == "typed"
    run = window.state.runs[0]
    with qtbot.waitSignal(window.controller.batch_applied, timeout=COMPILE_TIMEOUT):
        window.state.playback.set_playing(True)
    window.state.playback.set_playing(False)
    assert len(run.trajectory) > 1


def test_the_largest_seed_runs(qtbot, window, strict):
    run = window.state.runs[0]
    f = window.runs_panel.editor.fields["seed"]
    f.widget.setText(str(2**53 - 1))
    f.widget.editingFinished.emit()
    assert f.error.isHidden() and run.seed == 2**53 - 1
    run.set_grad_noise("0.1")
    with qtbot.waitSignal(window.controller.batch_applied, timeout=COMPILE_TIMEOUT):
        window.state.playback.set_playing(True)
    window.state.playback.set_playing(False)
    assert len(run.trajectory) > 1


def test_taylor_radius_takes_no_hostile_text(qtbot, window, strict):
    radius = window.second_order.taylor_controls.radius
    for text in ("1e999", "-5", "nan", BIG):
        radius.clear()
        qtbot.keyClicks(radius, text)
        qtbot.keyClick(radius, QtCore.Qt.Key.Key_Return)
        assert radius.minimum() <= radius.value() <= radius.maximum()


@pytest.mark.timeout(180)
def test_critical_points_search_with_thousands_of_points_is_capped_and_says_so(qtbot, strict):
    surface = Surface.from_expression("sin(5*x)*sin(5*y)", ["x", "y"], "x=-20:20,y=-20:20")
    panel = CriticalPointsPanel(CriticalPointsModel(SurfaceModel(surface)))
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.pointsChanged, timeout=120_000):
        panel.find()
    assert "truncated" in panel.status.text() and "at least" in panel.status.text()
    assert panel.table.rowCount() == len(panel.points()) <= 1000
    panel.close_threads()
