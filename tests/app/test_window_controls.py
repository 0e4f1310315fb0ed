"""Keyboard, editing mid-run, bad input next to its field, 3-variable slices, the launcher."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets
from window_actions import COMPILE_TIMEOUT, choose_surface

from saddlelab.app.panels.runs_panel import SPEED_STEPS, speed_for_position

Key = QtCore.Qt.Key


def test_space_plays_and_pauses_n_steps_r_resets(qtbot, window):
    run = window.state.runs[0]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.view3d.gl.setFocus()
    with qtbot.waitSignal(window.controller.batch_applied, timeout=COMPILE_TIMEOUT):
        qtbot.keyClick(window, Key.Key_N)
    assert run.steps == 1 and len(run.trajectory) == 2
    qtbot.keyClick(window, Key.Key_Space)
    assert window.state.playback.playing
    assert window.runs_panel.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: run.steps > 5 or run.done, timeout=COMPILE_TIMEOUT)
    qtbot.keyClick(window, Key.Key_Space)
    assert not window.state.playback.playing
    qtbot.keyClick(window, Key.Key_R)
    assert run.steps == 0 and len(run.trajectory) == 1
    assert run.status == "ready"


def test_the_lecture_run_slows_at_the_saddle_and_leaves_along_1_1(qtbot, window):
    run = window.state.runs[0]
    assert window.state.surface.surface.id == "w1w2-mse"
    window.state.playback.set_speed(math.inf)
    with qtbot.waitSignal(window.controller.batch_applied, timeout=COMPILE_TIMEOUT):
        window.state.playback.set_playing(True)
    qtbot.waitUntil(lambda: run.done, timeout=COMPILE_TIMEOUT)
    t = run.trajectory
    dist = np.linalg.norm(t.points, axis=1)
    near = dist < 0.15
    assert dist.min() < 0.05  # it reaches the saddle ...
    assert near.sum() >= 20  # ... and lingers there (small gradient: slow steps)
    assert t.grad_norm[near].max() < 0.4
    leave = np.nonzero(near)[0][-1]
    direction = t.points[leave + 5] - t.points[leave]
    direction /= np.linalg.norm(direction)
    assert abs(direction @ np.array([1, 1]) / math.sqrt(2)) > 0.97  # the escape direction
    assert run.status == "converged" and t.points[-1].prod() == pytest.approx(1.0, abs=1e-3)


def test_changing_lr_mid_run_takes_effect_without_reset(qtbot, window):
    run = window.state.runs[0]
    run.set_grad_noise("0.05")  # never converges, so it keeps stepping
    window.state.playback.set_speed(200.0)
    with qtbot.waitSignal(window.controller.batch_applied, timeout=COMPILE_TIMEOUT):
        window.state.playback.set_playing(True)
    generation = run.generation
    field = window.runs_panel.editor.fields["lr"]
    field.widget.setText("0.01")
    field.widget.editingFinished.emit()
    assert run.params["lr"] == 0.01 and run.generation == generation
    rows = len(run.trajectory)
    qtbot.waitUntil(lambda: len(run.trajectory) > rows + 10, timeout=COMPILE_TIMEOUT)
    window.state.playback.set_playing(False)
    assert run.generation == generation and run.trajectory.step[0] == 0
    assert run.trajectory.lr[-1] == pytest.approx(0.01)
    assert run.trajectory.lr[1] == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("lr", "-1", "negative"),
        ("lr", "fast", "number"),
        ("momentum", "abc", "number"),
        ("schedule", "cosine:T_max=abc", "T_max"),
        ("schedule", "wobbly", "unknown schedule"),
        ("start", "1, nope", "numbers"),
        ("start", "1, 2, 3", "2 coordinates"),
        ("clip norm", "-2", "clip"),
        ("grad noise", "-0.1", "noise"),
        ("seed", "1.5", "seed"),
        # hostile input (issue 10): integers beyond 64 bits, non-finite numbers
        ("seed", "1" + "0" * 30, "at most"),
        ("seed", "1e300", "at most"),
        ("seed", "-1", "at least 0"),
        ("seed", "nan", "whole number"),
        ("seed", "1\n2", "whole number"),
        ("schedule", "cosine:T_max=1" + "0" * 30, "T_max"),
        ("schedule", "warmup=1" + "0" * 30 + "+constant", "warmup"),
        ("schedule", "step:step_size=1e300,gamma=0.5", "step_size"),
        ("lr", "1e400", "finite"),
        ("grad noise", "1e400", "finite"),
        ("clip norm", "-1e400", "finite"),
        ("start", "1e400, 0", "finite"),
    ],
)
def test_bad_run_settings_show_a_message_under_the_field(window, field, text, message):
    run = window.state.runs[0]
    before = (dict(run.params), run.schedule_text, run.start, run.clip_norm, run.grad_noise)
    f = window.runs_panel.editor.fields[field]
    f.widget.setText(text)
    f.widget.editingFinished.emit()
    assert not f.error.isHidden()
    assert message.lower() in f.error.text().lower()
    assert (dict(run.params), run.schedule_text, run.start, run.clip_norm, run.grad_noise) == before
    # A good value clears the message.
    good = {
        "lr": "0.02",
        "momentum": "0.9",
        "schedule": "constant",
        "start": "-1, 1",
        "clip norm": "",
        "grad noise": "0",
        "seed": "3",
    }[field]
    f.widget.setText(good)
    f.widget.editingFinished.emit()
    assert f.error.isHidden()


@pytest.mark.parametrize(
    ("expr", "variables", "domain"),
    [
        ("x^^2", "x, y", ""),
        ("__import__('os')", "x, y", ""),
        ("x + q", "x, y", ""),
        ("x*y", "x", ""),
        ("x*y", "x, y", "x=3:1"),
    ],
)
def test_bad_typed_surface_keeps_the_last_good_one(window, expr, variables, domain):
    picker = window.surface_picker
    before = window.state.surface.surface
    picker.expr_edit.setText(expr)
    picker.vars_edit.setText(variables)
    picker.domain_edit.setText(domain)
    picker.apply_button.click()
    assert window.state.surface.surface is before
    assert not picker.error_label.isHidden()
    assert "last good surface" in picker.error_label.text()


def test_typed_surface_is_shown_and_runs_restart_at_its_start(window):
    picker = window.surface_picker
    picker.expr_edit.setText("sin(x)*cos(y) + 0.1*(x^2 + y^2)")
    picker.vars_edit.setText("x, y")
    picker.domain_edit.setText("x=-3:3, y=-3:3")
    picker.expr_edit.returnPressed.emit()
    surface = window.state.surface.surface
    assert surface.id == "typed" and surface.domain == ((-3.0, 3.0), (-3.0, 3.0))
    assert picker.error_label.isHidden()
    assert window.state.runs[0].start == surface.suggested_start()
    assert "Typed" in window.surface_bar.combo.currentText()


def test_three_variable_surface_shows_a_slice_with_a_slider(qtbot, window):
    choose_surface(window, "slice-trap")
    state = window.state
    assert state.surface.ndim == 3 and state.runs[0].ndim == 3
    picker = window.surface_picker
    assert picker.slice_slider.isVisible()
    assert "slice z = 0" in picker.slice_label.text() and "projected" in picker.slice_label.text()
    window.space_switch.show_space(False)  # 3 parameters open in the parameter space
    assert window.view3d.slice_note.isVisible()
    surface_before = window.view3d.scale.fmax
    picker.slice_slider.setValue(picker.slice_slider.maximum())
    assert state.surface.slice_value == pytest.approx(1.5)
    assert window.view3d.scale.fmax != surface_before  # the mesh shows the new slice
    assert "z = 1.5" in window.contour_view.plot.titleLabel.text


def test_speed_slider_runs_from_one_step_per_second_to_unlimited(window):
    slider = window.runs_panel.speed
    slider.setValue(0)
    assert window.state.playback.speed == 1.0
    slider.setValue(SPEED_STEPS)
    assert math.isinf(window.state.playback.speed)
    assert window.runs_panel.speed_label.text().startswith("max")
    assert speed_for_position(20) == pytest.approx(100.0)


def test_every_control_has_a_tooltip(window):
    kinds = (
        QtWidgets.QAbstractButton,
        QtWidgets.QLineEdit,
        QtWidgets.QComboBox,
        QtWidgets.QSlider,
        QtWidgets.QListWidget,
    )
    missing = [
        f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
        for w in window.findChildren(QtWidgets.QWidget)
        if isinstance(w, kinds)
        and w.isVisibleTo(window)
        and not w.toolTip()
        and not isinstance(w.parent(), (QtWidgets.QTabBar, QtWidgets.QDockWidget))
        and type(w).__name__ not in ("QToolButton",)
    ]
    assert not missing, missing


def test_layout_fits_1280_by_800(window):
    assert window.width() <= 1280 and window.height() <= 800
    for widget in (window.view3d.gl, window.contour_view.plot_widget):
        assert widget.width() >= 300 and widget.height() >= 300
    assert window.loss_plot.height() >= 120
    assert window.runs_panel.isVisible()
