"""The second-order displays placed in the real main window (docks, menu, live following)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtWidgets


@pytest.fixture
def lab(window):
    return window, window.second_order


def test_docks_and_menu_are_in_place(lab, qtbot):
    window, so = lab
    titles = {d.windowTitle() for d in window.findChildren(QtWidgets.QDockWidget)}
    assert {"Analysis", "Step size", "Critical points"} <= titles
    menus = [a.text() for a in window.menuBar().actions()]
    assert "&Analysis" in menus
    assert so.docks["step"] in window.tabifiedDockWidgets(so.docks["analysis"])
    # No stale tab bars: every visible tab bar of the window belongs to a live tab group.
    bars = [b for b in window.findChildren(QtWidgets.QTabBar) if b.isVisible()]
    texts = [tuple(b.tabText(i) for i in range(b.count())) for b in bars]
    assert len(texts) == len(set(texts))
    assert so.docks["analysis"] in window.tabifiedDockWidgets(window.runs_dock)
    # At 1280 x 800 the panel of the lecture example fits its dock: nothing is cut off.
    window.state.pick_probe((0.0, 0.0))
    scroll = so.docks["analysis"].widget().scroll
    qtbot.waitUntil(lambda: scroll.viewport().isVisible())
    assert so.panel.minimumSizeHint().width() <= scroll.viewport().width()


def test_the_panel_follows_the_running_lecture_run(lab, qtbot):
    window, so = lab
    run = window.state.runs.selected
    start = np.array(run.start)
    window.state.playback.set_playing(True)
    qtbot.waitUntil(lambda: run.steps >= 20, timeout=30_000)
    window.state.playback.set_playing(False)
    # Batches in flight when Play was released still arrive; the panel ends on the last one.
    qtbot.waitUntil(lambda: np.allclose(so.analysis.point, run.current_point), timeout=5_000)
    assert not np.allclose(so.analysis.point, start)
    assert so.panel.source.text().startswith("Following")
    assert len(so.arrows.arrow_ranges()) == 2


def test_picking_a_point_brings_the_analysis_forward(lab, qtbot):
    window, so = lab
    window.state.pick_probe((0.0, 0.0))
    assert so.panel.title.text() == "Saddle point"
    qtbot.waitUntil(lambda: so.docks["analysis"].widget().isVisible())
    window.state.follow_selected_run()
    assert np.allclose(so.analysis.point, window.state.runs.selected.current_point)
