"""What a user sees at 1280 x 800 after the performance pass: formula as typed, slices at the
start, negative losses in log scale, markers on steep surfaces, the run editor's look, the
analysis following a streaming run, the 3-D view as a native GL window."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtTest
from window_actions import COMPILE_TIMEOUT, choose_surface

from saddlelab.app.scene3d.gl_window import GLSceneWindow


def play_until(qtbot, window, steps: int) -> None:
    runs = list(window.state.runs)
    window.state.playback.set_playing(True)
    qtbot.waitUntil(lambda: all(r.steps >= steps or r.done for r in runs), timeout=COMPILE_TIMEOUT)
    window.state.playback.set_playing(False)


def _rgb(image: QtGui.QImage) -> np.ndarray:
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    w, h = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * h)
    return data.reshape(h, image.bytesPerLine())[:, : 3 * w].reshape(h, w, 3).astype(int)


def test_formula_is_shown_as_typed_not_reordered(window):
    picker = window.surface_picker
    picker.expr_edit.setText("(1 - w1*w2)^2")
    picker.vars_edit.setText("w1, w2")
    picker.domain_edit.setText("")
    assert picker.apply_typed()
    text = window.surface_bar.formula.text()
    assert "(1 − w1·w2)<sup>2</sup>" in text
    assert "−w1·w2 + 1" not in text and "-w1*w2" not in text


@pytest.mark.parametrize("surface_id", ["slice-trap", "w1w2w3-mse"])
def test_three_variable_slice_starts_at_the_start_points_third_coordinate(window, surface_id):
    picker = window.surface_picker
    picker.slice_slider.setValue(picker.slice_slider.maximum())  # a slice moved before
    choose_surface(window, surface_id)
    surface = window.state.surface.surface
    z = surface.start[2]
    assert window.state.surface.slice_value == pytest.approx(z)
    assert f"{surface.variables[2]} = {z:.3g}" in picker.slice_label.text()
    lo, hi = surface.domain[2]
    assert picker.slice_slider.value() == round(
        (z - lo) / (hi - lo) * picker.slice_slider.maximum()
    )


def test_log_scale_shows_negative_losses_shifted_and_says_so(qtbot, window):
    choose_surface(window, "monkey-saddle")  # x^3 - 3xy^2: runs go below zero
    run = window.state.runs[0]
    play_until(qtbot, window, 30)
    plot = window.loss_plot
    plot.set_log(True)
    plot.flush()
    assert np.nanmin(run.trajectory.loss) < 0
    curve, _ = plot.curves(run)
    y = curve.yData  # log10 of what is drawn
    assert np.all(np.isfinite(y))  # nothing hidden
    assert plot.shift > -np.nanmin(run.trajectory.loss)
    assert 10 ** y[-1] == pytest.approx(run.trajectory.loss[-1] + plot.shift)
    assert f"loss + {plot.shift:g}" in plot.loss_plot.getPlotItem().getAxis("left").labelText
    assert plot.shift_note.isVisible() and "≤ 0" in plot.shift_note.text()
    assert plot.loss_plot.width() > plot.shift_note.width()  # the note does not squeeze them
    plot.set_log(False)
    assert plot.shift == 0 and plot.shift_note.isHidden()
    assert plot.curves(run)[0].yData[-1] == pytest.approx(run.trajectory.loss[-1])


def test_a_runs_markers_stay_visible_behind_a_wall(qtbot, window):
    """Markers say where a run is: a steep wall (Rosenbrock's valley in log height, here a
    typed ridge in front of the run) must not swallow them."""
    picker = window.surface_picker
    picker.expr_edit.setText("10*exp(-8*(y + 1)^2) + 0.01*(x^2 + y^2)")
    picker.vars_edit.setText("x, y")
    assert picker.apply_typed()
    run = window.state.runs[0]
    run.set_start_text("0, 1")
    window.state.pick_probe((1.8, -1.8))  # analysis overlays away from the run
    view = window.view3d
    view.front_view()  # looking over the ridge at y = -1 towards the run at y = 1
    view.flush()
    gl = view.gl
    qtbot.waitUntil(gl.isValid, timeout=5000)
    head = view._caches[run.id].world[-1]
    w, h = gl.deviceWidth(), gl.deviceHeight()
    mvp = gl.projectionMatrix((0, 0, w, h), (0, 0, w, h)) * gl.viewMatrix()
    q = mvp.map(QtGui.QVector3D(*map(float, head)))
    x, y = int(round((q.x() + 1) / 2 * w)), int(round((1 - q.y()) / 2 * h))
    image = _rgb(gl.grabFramebuffer())
    patch = image[y - 3 : y + 4, x - 3 : x + 4]
    colour = QtGui.QColor(run.colour)
    target = np.array([colour.red(), colour.green(), colour.blue()])
    assert np.abs(patch - target).sum(axis=-1).min() < 60


def test_run_editor_keeps_its_background_and_optimizer_box_after_colour_changes(qtbot, window):
    state = window.state
    run = state.add_run("rmsprop", {"lr": 0.01})
    state.runs.select(run)
    editor = window.runs_panel.editor
    run.set_colour("#ff4fd8")  # pink
    editor._rebuild()
    editor.optimizer.setCurrentIndex(editor.optimizer.findData("adam"))
    editor.optimizer.activated.emit(editor.optimizer.currentIndex())
    qtbot.waitUntil(lambda: editor.optimizer is not None and editor.optimizer.isVisible())
    assert editor.optimizer.currentData() == "adam"
    image = _rgb(editor.grab().toImage())
    pink = np.array([0xFF, 0x4F, 0xD8])
    # Only the colour button is pink: far less than a tenth of the editor.
    share = (np.abs(image - pink).sum(axis=-1) < 40).mean()
    assert share < 0.1, share


def test_analysis_follows_a_streaming_run_and_settles_on_its_last_point(qtbot, window):
    run = window.state.runs[0]
    play_until(qtbot, window, 20)
    qtbot.waitUntil(lambda: window.state.view.probe_point == tuple(run.current_point), timeout=5000)
    assert window.state.view.probe_source == "run"


def test_3d_view_is_a_native_gl_window_filling_its_place_in_the_layout(window):
    view = window.view3d
    assert isinstance(view.gl, GLSceneWindow)
    container = view.gl_widget
    assert container.isVisible() and container.toolTip()
    assert view.gl.isExposed()
    assert view.gl.width() == container.width() and view.gl.height() == container.height()


def test_keys_work_after_clicking_into_the_3d_view(qtbot, window):
    """The scene is a native window of its own: window shortcuts must still reach the app."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    gl = window.view3d.gl
    centre = QtCore.QPoint(gl.width() // 2, gl.height() // 2)
    QtTest.QTest.mouseClick(gl, QtCore.Qt.MouseButton.LeftButton, pos=centre)
    assert window.view3d.gl_widget.hasFocus()
    QtTest.QTest.keyClick(gl, QtCore.Qt.Key.Key_Space)
    assert window.state.playback.playing
    QtTest.QTest.keyClick(gl, QtCore.Qt.Key.Key_Space)
    assert not window.state.playback.playing
