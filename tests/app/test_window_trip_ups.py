"""Issue 10 point 5, driven as a user would in the real window: Play means something moves,
keys act unless typing, clicks reach the view through markers, the surface list and read-out
follow the surface, messages show whole, the 3-D markers have the legend's shapes, the slice
slider is labelled, every menu entry acts or says why, run titles tell runs apart."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtTest import QTest
from window_actions import COMPILE_TIMEOUT, choose_surface

from saddlelab.app.style import CLASS_COLOURS, CLASS_SYMBOLS
from saddlelab.core.numbers import fmt

Key = QtCore.Qt.Key
Left = QtCore.Qt.MouseButton.LeftButton
Shift = QtCore.Qt.KeyboardModifier.ShiftModifier


def _activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)


def _press(key) -> None:
    """A key pressed as a user does: to whatever has the keyboard focus now."""
    target = QtWidgets.QApplication.focusWidget() or QtGui.QGuiApplication.focusWindow()
    QTest.keyClick(target, key)


def _type_in(qtbot, edit: QtWidgets.QLineEdit, text: str) -> None:
    qtbot.mouseClick(edit, Left)
    edit.selectAll()
    QTest.keyClicks(QtWidgets.QApplication.focusWidget(), text)


def _viewport_pos(view, x: float, y: float) -> QtCore.QPoint:
    """Where the data point (x, y) is on the contour view's viewport."""
    return view.plot_widget.mapFromScene(view.data_to_scene(x, y))


def _find_critical_points(qtbot, window) -> None:
    window.second_order.critical.find()
    qtbot.waitUntil(lambda: bool(window.state.critical.points), timeout=COMPILE_TIMEOUT)


# -- Play means something moves ----------------------------------------------------------------
def test_after_convergence_play_is_off_and_says_why_then_one_space_plays_the_new_surface(
    qtbot, window
):
    _activate(qtbot, window)
    state, run = window.state, window.state.runs[0]
    play = window.actions_by_name["Play / pause"]
    state.playback.set_speed(float("inf"))
    qtbot.mouseClick(window.contour_view.plot_widget.viewport(), Left, Shift, QtCore.QPoint(5, 5))
    _press(Key.Key_Space)
    assert play.isChecked() and window.runs_panel.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: run.done, timeout=COMPILE_TIMEOUT)
    assert run.status == "converged"
    qtbot.waitUntil(lambda: not state.playback.playing, timeout=5000)
    # Nothing can move: Play and Step are off and say why; Space does not pretend to play.
    assert not play.isChecked() and not play.isEnabled()
    assert "finished" in play.statusTip()
    assert not window.runs_panel.play_button.isEnabled()
    assert window.runs_panel.play_button.text() == "Play"
    assert "finished" in window.runs_panel.play_button.toolTip()
    assert not window.actions_by_name["Step"].isEnabled()
    _press(Key.Key_Space)
    assert not state.playback.playing
    # A new surface: runs restart, Play is on again, and one Space moves the run.
    choose_surface(window, "himmelblau")
    run = state.runs[0]
    assert play.isEnabled() and window.runs_panel.play_button.isEnabled()
    qtbot.mouseClick(window.contour_view.plot_widget.viewport(), Left, Shift, QtCore.QPoint(5, 5))
    _press(Key.Key_Space)
    assert state.playback.playing and play.isChecked()
    qtbot.waitUntil(lambda: run.steps > 0, timeout=COMPILE_TIMEOUT)
    window.state.playback.set_playing(False)


def test_removing_the_moving_run_while_playing_shows_play(qtbot, window):
    state = window.state
    state.playback.set_playing(True)
    assert window.runs_panel.play_button.text() == "Pause"
    qtbot.mouseClick(window.runs_panel.remove_button, Left)
    assert not state.playback.playing
    assert window.runs_panel.play_button.text() == "Play"
    assert not window.actions_by_name["Play / pause"].isEnabled()
    assert "No runs" in window.actions_by_name["Play / pause"].statusTip()


# -- keys act unless typing ----------------------------------------------------------------------
def _view_parts(window):
    """Parts of the views a user clicks that take no focus themselves (a click on a plot's
    data area already took the focus)."""
    return {
        "3-D view buttons": window.view3d.top_button,
        "3-D view colour bar": window.view3d.legend,
        "loss plot box": window.loss_plot.log_box,
    }


@pytest.mark.parametrize("part", ["3-D view buttons", "3-D view colour bar", "loss plot box"])
def test_after_typing_a_click_on_a_view_gives_the_keys_back_to_the_shortcuts(qtbot, window, part):
    _activate(qtbot, window)
    window.runs_dock.raise_()
    state, run = window.state, window.state.runs[0]
    resets = []
    state.playback.reset_requested.connect(lambda: resets.append(1))
    noise = window.runs_panel.editor.fields["grad noise"].widget
    _type_in(qtbot, noise, "0.1")
    _press(Key.Key_R)  # typing: the key is text
    assert noise.text() == "0.1r" and not resets
    noise.setText("0.1")
    widget = _view_parts(window)[part]
    qtbot.mouseClick(widget, Left, pos=QtCore.QPoint(3, 3))
    assert not isinstance(QtWidgets.QApplication.focusWidget(), QtWidgets.QLineEdit)
    _press(Key.Key_R)
    assert resets == [1]
    _press(Key.Key_Space)
    assert state.playback.playing
    _press(Key.Key_Space)
    assert not state.playback.playing
    assert noise.text() == "0.1"  # not "0.1r "
    assert run.grad_noise == 0.1  # committed when the field lost the focus


def test_camera_and_critical_point_keys_act_after_clicking_a_view(qtbot, window):
    _activate(qtbot, window)
    _type_in(qtbot, window.surface_picker.vars_edit, "a, b")
    qtbot.mouseClick(window.view3d.reset_button, Left)
    _press(Key.Key_T)
    assert window.view3d.gl.opts["elevation"] == 90
    _press(Key.Key_C)
    qtbot.waitUntil(lambda: bool(window.state.critical.points), timeout=COMPILE_TIMEOUT)
    assert window.surface_picker.vars_edit.text() == "a, b"


# -- clicks pass through markers -----------------------------------------------------------------
def test_clicks_on_critical_point_and_start_markers_reach_the_contour_view(qtbot, window):
    state, view = window.state, window.contour_view
    _find_critical_points(qtbot, window)
    saddle = next(p for p in state.critical.points if p.classification == "saddle")
    sx, sy = (float(v) for v in saddle.point[:2])
    view.flush()
    # A click on the saddle's marker moves the selected run's start there.
    run = state.runs[0]
    qtbot.mouseClick(view.plot_widget.viewport(), Left, pos=_viewport_pos(view, sx, sy))
    assert run.start == pytest.approx((sx, sy), abs=0.01)
    # Shift+click on it probes it.
    qtbot.mouseClick(view.plot_widget.viewport(), Left, Shift, _viewport_pos(view, sx, sy))
    assert state.view.probe_source == "picked"
    assert state.view.probe_point == pytest.approx((sx, sy), abs=0.01)
    # A click on another run's start ring moves the selected run's start there.
    other = state.add_run("adam", start=(1.5, -1.5))
    state.runs.select(run)
    qtbot.mouseClick(view.plot_widget.viewport(), Left, pos=_viewport_pos(view, 1.5, -1.5))
    assert run.start == pytest.approx((1.5, -1.5), abs=0.01)
    assert other.start == (1.5, -1.5)


# -- the surface list and read-out follow the surface ---------------------------------------------
def test_the_surface_list_drops_a_typed_loss_once_another_surface_is_shown(window):
    picker, combo = window.surface_picker, window.surface_bar.combo
    picker.expr_edit.setText("x^2 - y^2 + a")
    picker.vars_edit.setText("x, y, a")
    assert picker.apply_typed()
    assert combo.currentText().startswith("Typed:")
    choose_surface(window, "w1w2-mse")
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert not any(t.startswith("Typed:") for t in texts), texts


def test_the_hover_read_out_follows_a_surface_switch(qtbot, window):
    viewport = window.contour_view.plot_widget.viewport()
    QTest.mouseMove(viewport, _viewport_pos(window.contour_view, 1.0, 1.0))
    qtbot.waitUntil(lambda: "w1 = " in window.contour_view.readout.text(), timeout=5000)
    choose_surface(window, "himmelblau")
    text = window.contour_view.readout.text()
    assert "w1" not in text and "undefined" not in text
    assert "x = " in text or not text.strip()


# -- messages show whole; the editor follows the run ----------------------------------------------
def test_the_message_for_a_negative_lr_shows_whole_at_1280_by_800(qtbot, window):
    window.runs_dock.raise_()
    field = window.runs_panel.editor.fields["lr"]
    field.widget.setText("-1")
    field.widget.editingFinished.emit()
    qtbot.waitUntil(field.error.isVisible, timeout=5000)
    assert "negative" in field.error.text()
    error = field.error
    qtbot.waitUntil(lambda: error.height() >= error.heightForWidth(error.width()), timeout=5000)
    description = window.runs_panel.editor.description
    assert description.height() >= description.heightForWidth(description.width())


def test_the_run_editor_follows_parameters_set_from_code(window):
    run, editor = window.state.runs[0], window.runs_panel.editor
    assert run.set_param("lr", "0.2") is None
    assert editor.fields["lr"].widget.text() == "0.2"
    assert run.set_param("momentum", "0.9") is None
    assert editor.fields["momentum"].widget.text() == "0.9"
    assert run.set_grad_noise("0.3") is None
    assert editor.fields["grad noise"].widget.text() == "0.3"
    assert run.set_seed("7") is None
    assert editor.fields["seed"].widget.text() == "7"


# -- the 3-D markers have the legend's shapes ------------------------------------------------------
def _screen_point(gl, world) -> tuple[int, int]:
    w, h = gl.deviceWidth(), gl.deviceHeight()
    mvp = gl.projectionMatrix((0, 0, w, h), (0, 0, w, h)) * gl.viewMatrix()
    q = mvp.map(QtGui.QVector3D(*map(float, world)))
    return round((q.x() + 1) / 2 * w), round((1 - q.y()) / 2 * h)


def _near(image: QtGui.QImage, x: int, y: int, colour: str, tolerance: int = 24) -> bool:
    pixel, want = image.pixelColor(x, y), QtGui.QColor(colour)
    return all(
        abs(a - b) <= tolerance for a, b in zip(pixel.getRgb()[:3], want.getRgb()[:3], strict=True)
    )


def test_3d_maxima_and_saddles_have_the_legends_shapes(qtbot, window):
    choose_surface(window, "himmelblau")
    window.state.runs[0].set_visible(False)
    window.state.view.show_eigen_arrows = False
    window.state.view.show_taylor_patch = False
    _find_critical_points(qtbot, window)
    view = window.view3d
    view.top_view()
    markers = window.second_order.overlay3d.markers
    qtbot.waitUntil(lambda: view.gl.isValid(), timeout=5000)
    size = 16
    image = view.gl.grabFramebuffer()
    for world, cls in zip(markers.positions(), markers.classes(), strict=True):
        x, y = _screen_point(view.gl, world)
        colour = CLASS_COLOURS[cls]
        if cls == "saddle":  # a diagonal cross: filled at its centre, empty beside it
            assert _near(image, x, y, colour)
            assert not _near(image, x + round(0.38 * size), y, colour)
        if cls == "local_max":  # a triangle: wide at its base, narrow at its tip
            assert _near(image, x - round(0.3 * size), y + round(0.35 * size), colour)
            assert not _near(image, x - round(0.3 * size), y - round(0.3 * size), colour)
    assert {"saddle", "local_max"} <= set(markers.classes())
    assert markers.symbols() == [CLASS_SYMBOLS[c] for c in markers.classes()]
    assert markers.symbols() == [
        CLASS_SYMBOLS[c] for c in window.second_order.overlay2d.markers.classes()
    ]


# -- the slice slider is labelled ------------------------------------------------------------------
def test_the_slice_slider_names_its_variable_and_shows_its_value(qtbot, window):
    choose_surface(window, "slice-trap")
    picker = window.surface_picker
    window.surface_dock.raise_()
    qtbot.waitUntil(picker.slice_slider.isVisible, timeout=5000)
    assert picker.slice_name.isVisible() and picker.slice_name.text() == "z ="
    assert picker.slice_value.isVisible() and picker.slice_value.text() == "0"
    picker.slice_slider.setValue(picker.slice_slider.maximum())
    lo, hi = window.state.surface.slice_range
    assert picker.slice_value.text() == fmt(hi, 3)
    choose_surface(window, "w1w2-mse")
    assert not picker.slice_name.isVisibleTo(window) and not picker.slice_value.isVisibleTo(window)


# -- every menu entry acts or says why -------------------------------------------------------------
def test_every_menu_entry_can_act_or_says_why(qtbot, window):
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    assert [m.title() for m in menus] == ["&File", "&Edit", "&Run", "&View", "&Analysis"]
    for menu in menus:
        assert menu.toolTipsVisible()
        for action in menu.actions():
            if action.isSeparator() or not action.isVisible():
                continue
            assert action.isEnabled() or action.statusTip(), (menu.title(), action.text())
    # The panel toggles act: hide the loss curves, show them again.
    toggle = window.loss_dock.toggleViewAction()
    assert toggle.isEnabled() and toggle.isChecked()
    toggle.trigger()
    assert not window.loss_dock.isVisible()
    toggle.trigger()
    assert window.loss_dock.isVisible()
    # "Follow run" acts only on a picked point, and says so.
    follow = window.analysis_actions[0]
    assert not follow.isEnabled() and "already follows" in follow.statusTip()
    window.state.pick_probe((0.5, 0.5))
    assert follow.isEnabled()
    follow.trigger()
    assert window.state.view.probe_source == "run" and not follow.isEnabled()
    # A closed analysis panel comes back when there is something to read.
    window.second_order.docks["analysis"].close()
    window.state.pick_probe((0.4, 0.4))
    assert window.second_order.docks["analysis"].isVisible()


def test_two_sgd_runs_with_different_momentum_have_different_titles_in_the_runs_list(window):
    first = window.state.runs[0]
    second = window.state.add_run("sgd", {"lr": 0.05, "momentum": 0.9})
    texts = [window.runs_panel.list.item(i).text() for i in range(2)]
    assert texts[0].startswith("SGD lr=0.05 —")
    assert texts[1].startswith("SGD lr=0.05 momentum=0.9 —")
    assert first.set_param("momentum", "0.5") is None
    assert window.runs_panel.list.item(0).text().startswith("SGD lr=0.05 momentum=0.5 —")
    assert second.title != first.title
