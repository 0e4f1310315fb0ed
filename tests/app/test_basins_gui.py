"""Basins in the window: computed off the GUI thread with progress and Cancel, drawn under the
iso-lines in the attractors' colours, a click on a cell starts that cell's run, and a surface
switch marks the layer stale while the view keeps working."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6 import QtCore

from saddlelab.app.runtime import basins_job
from saddlelab.app.window import MainWindow
from saddlelab.core import catalogue
from saddlelab.core.basins import status_label
from saddlelab.core.optim.config import RunStatus
from saddlelab.core.optim.run import Run
from saddlelab.models.basin_image import basin_rgba

Left = QtCore.Qt.MouseButton.LeftButton
TIMEOUT = 60_000


@pytest.fixture
def himmelblau(window) -> MainWindow:
    """The lecture window switched to Himmelblau, its SGD run at lr = 0.005."""
    window.state.choose_surface(catalogue.load("himmelblau"))
    assert window.state.runs.selected.set_param("lr", "0.005") is None
    return window


def _compute(qtbot, window, grid: int, steps: int, wait: bool = True) -> None:
    panel = window.basins.panel
    panel.grid_edit.setText(str(grid))
    panel.steps_edit.setText(str(steps))
    panel.compute.click()
    if wait:
        qtbot.waitUntil(lambda: not window.basins.job.is_running(), timeout=TIMEOUT)


def _viewport_pos(view, x: float, y: float) -> QtCore.QPoint:
    return view.plot_widget.mapFromScene(view.data_to_scene(x, y))


def test_basins_compute_off_the_gui_thread_with_progress_and_cancel_keeps_the_layer(
    qtbot, himmelblau, monkeypatch
):
    window = himmelblau
    threads = []
    real = basins_job.compute_basins

    gui_ran = threading.Event()  # set by a GUI-thread timer while the job waits for it

    def spy(*args, **kwargs):
        threads.append(threading.get_ident())
        # on the GUI thread this would wait in vain: the timer below could not fire
        threads.append(gui_ran.wait(30))
        return real(*args, **kwargs)

    monkeypatch.setattr(basins_job, "compute_basins", spy)
    progress = []
    timer = QtCore.QTimer()
    timer.timeout.connect(gui_ran.set)
    timer.start(1)
    window.basins.job.progressed.connect(lambda done, total: progress.append((done, total)))
    _compute(qtbot, window, 120, 3000)
    timer.stop()
    status = window.basins.panel.status.text()
    assert "x 120 starts" in status, status
    assert threads[0] != threading.get_ident()
    assert threads[1] is True  # the GUI thread kept running its event loop meanwhile
    assert progress and progress[-1][0] == progress[-1][1] and len(progress) >= 2
    layer = window.basins.layer
    first = layer.basins
    assert first is not None and layer.image.isVisible() and first.label.shape == (120, 120)
    # a second, larger computation cancelled at once: the first layer stays, shown
    _compute(qtbot, window, 400, 20000, wait=False)
    assert window.basins.job.is_running()
    window.basins.panel.cancel.click()
    assert not window.basins.job.is_running()
    assert layer.basins is first and layer.image.isVisible()
    assert "previous basins stay" in window.basins.panel.status.text()
    # a bad grid says so where typed and keeps the last good value
    window.basins.panel.grid_edit.setText("4000")
    window.basins.panel.grid_edit.editingFinished.emit()
    assert "at most 400" in window.basins.panel.grid_error.text()
    assert window.basins.panel.grid_edit.text() == "400" and window.basins.panel.grid == 400


def test_the_layer_shows_the_attractor_colours_and_a_click_runs_that_cell(qtbot, himmelblau):
    window = himmelblau
    state, view, dock = window.state, window.contour_view, window.basins
    _compute(qtbot, window, 30, 2000)
    basins = dock.layer.basins
    dock.panel.opacity.setValue(100)
    view.iso.setVisible(False)  # lines drawn over the cells would hide their colour here
    qapp_process()
    grab = view.plot_widget.grab().toImage()
    rgba = basin_rgba(basins)
    hits = 0
    cells = [(i, j) for j in range(2, 28, 5) for i in range(2, 28, 5)]
    for i, j in cells:
        pos = _viewport_pos(view, basins.xs[i], basins.ys[j])
        c = grab.pixelColor(pos)
        got = np.array([c.red(), c.green(), c.blue()])
        hits += np.abs(got - rgba[j, i, :3].astype(int)).max() <= 6
    assert hits >= 0.8 * len(cells)  # a few lie under the run's start ring and markers
    view.iso.setVisible(True)
    # clicks on cells of each attractor add runs from exactly those starts, ending there
    surface = state.surface.surface
    n = len(basins.xs)
    picks = {}
    for j in range(1, n - 1, 3):
        for i in range(1, n - 1, 3):
            picks.setdefault(int(basins.label[j, i]), (i, j))
    assert len([a for a in picks if a >= 0]) == 4
    for label, (i, j) in picks.items():
        before = len(state.runs)
        qtbot.mouseClick(view.plot_widget.viewport(), Left,
                         pos=_viewport_pos(view, basins.xs[i], basins.ys[j]))  # fmt: skip
        assert len(state.runs) == before + 1
        run = state.runs.selected
        assert run.start == (basins.xs[i], basins.ys[j])  # exactly the cell's start
        assert run.config() == basins.configs[j * n + i].with_changes(max_steps=2000)
        single = Run(surface, run.config(), keep_trajectory=False)
        single.advance(run.max_steps)
        if label >= 0:
            assert single.status is RunStatus.CONVERGED
            d = [np.linalg.norm(single.point - a.point) for a in basins.attractors]
            assert int(np.argmin(d)) == label and min(d) < 1e-2
            assert single.steps == basins.steps_to_converge[j, i]
        else:
            assert status_label(single.status) == label
    # Shift+click still probes, and adds no run
    before = len(state.runs)
    qtbot.mouseClick(view.plot_widget.viewport(), Left, QtCore.Qt.KeyboardModifier.ShiftModifier,
                     _viewport_pos(view, 1.0, 1.0))  # fmt: skip
    assert len(state.runs) == before and state.view.probe_source == "picked"


def qapp_process() -> None:
    from PySide6 import QtWidgets

    for _ in range(3):
        QtWidgets.QApplication.processEvents()


def test_a_surface_switch_marks_the_layer_stale_and_the_view_keeps_working(qtbot, himmelblau):
    window = himmelblau
    state, view, dock = window.state, window.contour_view, window.basins
    _compute(qtbot, window, 20, 500)
    assert dock.layer.image.isVisible() and dock.stale_reason() is None
    state.choose_surface(catalogue.load("rastrigin"))
    assert not dock.layer.image.isVisible()
    assert "surface changed" in dock.layer.hint.text()
    assert "Out of date" in dock.panel.status.text() and "out of date" in dock.panel.legend.text()
    # a click now moves the selected run's start, as without basins
    run, before = state.runs.selected, len(state.runs)
    qtbot.mouseClick(view.plot_widget.viewport(), Left, pos=_viewport_pos(view, 1.0, -2.0))
    assert len(state.runs) == before and run.start == pytest.approx((1.0, -2.0), abs=0.02)
    # computing again on the new surface shows a current layer again
    _compute(qtbot, window, 20, 500)
    assert dock.layer.image.isVisible() and len(dock.layer.basins.attractors) > 4
    # a change of the selected run's learning rate makes it stale too
    assert run.set_param("lr", "0.001") is None
    assert not dock.layer.image.isVisible() and "settings differ" in dock.layer.hint.text()


def test_three_parameters_use_the_displayed_slice_and_a_slice_move_makes_them_stale(qtbot, window):
    state, dock = window.state, window.basins
    state.choose_surface(catalogue.load("slice-trap"))
    state.surface.set_slice(0.5)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Analysis")
    action = next(a for a in menu.actions() if a.text() == "Basins of attraction\u2026")
    action.trigger()
    assert dock.dock.isVisible()
    _compute(qtbot, window, 12, 300)
    basins = dock.layer.basins
    assert dock.request.slice_values == (0.5,)
    assert all(c.start[2] == 0.5 for c in basins.configs)
    assert dock.layer.image.isVisible() and "z = 0.5" in dock.panel.status.text()
    state.surface.set_slice(0.0)
    assert not dock.layer.image.isVisible() and "slice moved" in dock.layer.hint.text()
    state.surface.set_slice(0.5)  # back on the slice they were computed for: current again
    assert dock.layer.image.isVisible()
