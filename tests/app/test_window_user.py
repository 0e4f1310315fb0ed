"""The window driven as a user would: pick a surface, add runs, play, click, close."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui
from window_actions import COMPILE_TIMEOUT, choose_surface

from saddlelab.app.plots.contour_view import DRAW_POINTS

Left = QtCore.Qt.MouseButton.LeftButton


def play_until(qtbot, window, steps: int) -> None:
    """Press Play and wait (on worker signals, no sleeps) until every run made ``steps``."""
    runs = list(window.state.runs)
    with qtbot.waitSignal(window.controller.batch_applied, timeout=COMPILE_TIMEOUT):
        qtbot.mouseClick(window.runs_panel.play_button, Left)
    qtbot.waitUntil(lambda: all(r.steps >= steps or r.done for r in runs), timeout=COMPILE_TIMEOUT)


def test_pick_surface_add_two_runs_play_trajectories_advance_and_loss_falls(qtbot, window):
    choose_surface(window, "himmelblau")
    assert window.state.surface.surface.id == "himmelblau"
    first = window.state.runs[0]
    assert first.start == window.state.surface.surface.suggested_start()
    qtbot.mouseClick(window.runs_panel.add_button, Left)
    qtbot.mouseClick(window.runs_panel.add_button, Left)
    runs = list(window.state.runs)
    assert len(runs) == 3
    assert {r.optimizer for r in runs} == {"sgd", "adam", "rmsprop"}
    assert window.runs_panel.list.count() == 3
    for run in runs:  # a step size that suits Himmelblau's gradients (~100 at the start)
        assert run.set_param("lr", "0.005") is None

    play_until(qtbot, window, 40)
    qtbot.mouseClick(window.runs_panel.play_button, Left)  # pause
    assert not window.state.playback.playing
    for view in (window.contour_view, window.loss_plot, window.view3d):
        view.flush()  # redraws are merged on a timer; draw what is pending now
    for run in runs:
        t = run.trajectory
        assert len(t) > 20, (run.optimizer, run.status, run.status_detail)
        assert t.step[0] == 0 and np.all(np.diff(t.step) > 0)
        assert t.loss[-1] < t.loss[0] - 1.0  # Himmelblau's loss at its start is ~170
        # The contour view and loss curves show the same rows.
        line = window.contour_view._graphics[run.id].line
        assert len(line.xData) == min(len(t), DRAW_POINTS)
        assert line.xData[-1] == t.points[-1, 0]
        loss_curve, _ = window.loss_plot.curves(run)
        assert len(loss_curve.yData) == len(t)
    assert "step" in window.runs_panel.list.item(0).text()


def _screen_points(view, world: np.ndarray) -> np.ndarray:
    """Pixel positions (x, y) in the framebuffer of world points, with the view's camera."""
    gl = view.gl
    w, h = gl.deviceWidth(), gl.deviceHeight()
    mvp = gl.projectionMatrix((0, 0, w, h), (0, 0, w, h)) * gl.viewMatrix()
    out = []
    for p in world:
        q = mvp.map(QtGui.QVector3D(*map(float, p)))
        out.append(((q.x() + 1) / 2 * w, (1 - q.y()) / 2 * h))
    return np.array(out)


def test_pixels_along_a_trajectory_change_in_the_3d_view(qtbot, window):
    view = window.view3d
    view.top_view()
    qtbot.waitUntil(lambda: view.gl.isValid(), timeout=5000)
    before = view.gl.grabFramebuffer()
    play_until(qtbot, window, 60)
    window.state.playback.set_playing(False)
    # Analysis overlays (arrows, Taylor patch) follow the run's head; keep them off its path.
    window.state.pick_probe((1.8, -1.8))
    view.flush()
    run = window.state.runs[0]
    world = view._caches[run.id].world
    assert len(world) > 30
    after = view.gl.grabFramebuffer()
    assert after.size() == before.size()
    pixels = _screen_points(view, world[5::5])
    image_before = _rgb(before)
    image_after = _rgb(after)
    colour = QtGui.QColor(run.colour)
    target = np.array([colour.red(), colour.green(), colour.blue()])
    changed = drawn = inside = 0
    for x, y in pixels:
        xi, yi = int(round(x)), int(round(y))
        if not (3 <= xi < image_after.shape[1] - 3 and 3 <= yi < image_after.shape[0] - 3):
            continue
        inside += 1
        a = image_after[yi - 3 : yi + 4, xi - 3 : xi + 4]
        b = image_before[yi - 3 : yi + 4, xi - 3 : xi + 4]
        changed += np.abs(a - b).sum(axis=-1).max() > 60
        drawn += np.abs(a - target).sum(axis=-1).min() < 90  # the run's colour is there
    assert inside >= 5
    assert changed >= 0.8 * inside, (changed, inside)
    assert drawn >= 0.8 * inside, (drawn, inside)


def _rgb(image: QtGui.QImage) -> np.ndarray:
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    w, h = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * h)
    return data.reshape(h, image.bytesPerLine())[:, : 3 * w].reshape(h, w, 3).astype(int)


def test_click_in_contour_view_moves_the_selected_runs_start(qtbot, window):
    view = window.contour_view
    run = window.state.runs.selected
    widget = view.plot_widget
    scene = view.data_to_scene(0.5, -1.0)
    pos = widget.mapFromScene(scene)
    qtbot.mouseClick(widget.viewport(), Left, pos=pos)
    assert run.start == pytest_approx((0.5, -1.0))
    assert np.allclose(run.trajectory.points[0], run.start)
    assert len(run.trajectory) == 1  # restarted at the new start
    shown = window.runs_panel.editor.fields["start"].widget.text()
    assert [float(v) for v in shown.split(",")] == pytest_approx(run.start, 1e-9)


def pytest_approx(point, tol=0.03):
    import pytest

    return pytest.approx(point, abs=tol)


def test_dragging_the_start_marker_moves_the_start(qtbot, window):
    view = window.contour_view
    run = window.state.runs.selected
    target = view._graphics[run.id].start
    target.setPos(QtCore.QPointF(1.5, 0.25))
    target.sigPositionChangeFinished.emit(target)  # the end of a drag
    assert run.start == pytest_approx((1.5, 0.25), 1e-9)


def test_shift_click_picks_the_probe_point(qtbot, window):
    view = window.contour_view
    widget = view.plot_widget
    pos = widget.mapFromScene(view.data_to_scene(-0.5, 0.75))
    with qtbot.waitSignal(window.state.view.events.probe, timeout=2000):
        qtbot.mouseClick(widget.viewport(), Left, QtCore.Qt.KeyboardModifier.ShiftModifier, pos=pos)
    assert window.state.view.probe_source == "picked"
    assert window.state.view.probe_point == pytest_approx((-0.5, 0.75))


def test_hover_reads_out_coordinates_and_loss(qtbot, window):
    view = window.contour_view
    scene = view.data_to_scene(0.0, 0.0)
    view._on_hover(scene)
    text = view.readout.text()
    assert "w1 = " in text and "w2 = " in text
    loss = float(text.split("loss = ")[1].replace("\u2212", "-"))
    assert abs(loss - 1.0) < 0.05  # (1 - w1*w2)^2 near the saddle


def test_closing_while_runs_step_exits_cleanly(qtbot, window, qt_warnings_fail):
    window.state.playback.set_speed(float("inf"))
    qtbot.mouseClick(window.runs_panel.add_button, Left)
    window.state.runs[0].set_grad_noise("0.5")  # keeps runs moving instead of converging
    window.state.runs[1].set_grad_noise("0.5")
    with qtbot.waitSignal(window.controller.batch_applied, timeout=COMPILE_TIMEOUT):
        window.state.playback.set_playing(True)
    assert window.controller.worker.isRunning()
    window.close()
    assert not window.controller.worker.isRunning()
    assert qt_warnings_fail == []


def test_escape_step_continues_a_run_stuck_on_the_saddle(qtbot, window):
    # Plain GD started exactly on the lecture saddle converges there (the gradient is zero).
    run = window.state.runs[0]
    assert run.set_start((0.0, 0.0)) is None
    play_until(qtbot, window, 1)
    qtbot.waitUntil(lambda: run.done, timeout=COMPILE_TIMEOUT)
    assert run.status == "converged" and "saddle" in run.status_detail
    banner = window.second_order.escape
    assert not banner.isHidden()
    steps_before = run.steps
    # "Step along the negative-curvature direction": the run jumps and carries on.
    banner.step_button.click()
    qtbot.waitUntil(lambda: run.done and run.steps > steps_before + 5, timeout=COMPILE_TIMEOUT)
    t = run.trajectory
    assert tuple(t.points[0]) == (0.0, 0.0)  # the history before the jump is kept
    w1, w2 = t.points[-1]
    assert run.status == "converged" and abs(w1 * w2 - 1.0) < 1e-3
    assert w1 > 0 and w2 > 0  # it left along +(1, 1)
