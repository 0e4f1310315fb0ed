"""The Swarm dock drives the swarm; both views draw it; surface switches and resets keep working."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtGui

from saddlelab.core import catalogue
from saddlelab.core.swarm import Swarm
from saddlelab.models.swarm import MOVING_COLOUR, PALETTE

COUNT = 400  # < 1024 rows: the generic loop, no compile child needed in tests


def _rgb(image: QtGui.QImage) -> np.ndarray:
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    w, h = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * h)
    return data.reshape(h, image.bytesPerLine())[:, : 3 * w].reshape(h, w, 3).copy()


def _pixels(image: np.ndarray, colour: str, tol: int = 0) -> int:
    c = QtGui.QColor(colour)
    target = np.array([c.red(), c.green(), c.blue()])
    return int((np.abs(image.astype(int) - target).max(axis=2) <= tol).sum())


def _setup(window, qtbot, optimizer="adam", hyper="lr=0.1"):
    sw = window.swarm
    sw.bring_forward()
    p = sw.panel
    p.distribution.setCurrentText("uniform")
    for edit, text in ((p.count, str(COUNT)), (p.seed, "3"), (p.hyper, hyper)):
        edit.setText(text)
        edit.editingFinished.emit()
    p.optimizer.setCurrentIndex(p.optimizer.findData(optimizer))
    p.hyper.setText(hyper)
    p.hyper.editingFinished.emit()
    assert not any(e.isVisible() for e in p.errors.values())
    return sw, p


def _wait_step(qtbot, sw, step):
    qtbot.waitUntil(lambda: sw.model.snapshot is not None and sw.model.snapshot.step >= step,
                    timeout=60_000)  # fmt: skip
    return sw.model.snapshot


def test_step_play_reset_drive_the_swarm_and_rows_equal_the_core(window, qtbot):
    sw, p = _setup(window, qtbot)
    p.step.click()
    snap = _wait_step(qtbot, sw, 1)
    s = window.state.surface.surface
    settings = sw.model.settings
    direct = Swarm(s, settings.config(s), settings.starts(s))
    direct.step(1)
    assert snap.step == 1 and np.array_equal(snap.points, direct.points)
    p.play.click()
    assert sw.model.playing and p.play.text() == "Pause swarm"
    snap = _wait_step(qtbot, sw, 40)
    p.play.click()
    qtbot.wait(200)
    snap = sw.model.snapshot
    direct.step(snap.step - 1)
    assert np.array_equal(snap.points, direct.points)
    assert np.array_equal(snap.dwell, direct.dwell) and snap.dwell.sum() > 0
    p.reset.click()
    qtbot.waitUntil(lambda: sw.model.snapshot.step == 0, timeout=10_000)
    assert np.array_equal(sw.model.snapshot.points, settings.starts(s))
    assert sw.model.snapshot.dwell.sum() == 0
    qtbot.waitUntil(lambda: "Step 0 of 400 particles" in p.status.text(), timeout=5_000)


def test_both_views_draw_the_swarm_in_its_outcome_colours(window, qtbot):
    sw, p = _setup(window, qtbot)
    view = window.contour_view.plot_widget
    sw.flush()
    before = _rgb(view.grab().toImage())
    p.step.click()
    _wait_step(qtbot, sw, 1)
    sw.flush()
    moving = _rgb(view.grab().toImage())
    assert _pixels(moving, MOVING_COLOUR) > _pixels(before, MOVING_COLOUR) + 200
    assert sw.layer.points.count() == COUNT
    assert sw.points3d.count == COUNT
    p.speed.setCurrentIndex(p.speed.count() - 1)  # as fast as it goes
    p.play.click()
    qtbot.waitUntil(lambda: sw.model.snapshot.label.max() >= 0, timeout=60_000)
    p.play.click() if sw.model.playing else None
    qtbot.wait(200)
    sw.flush()
    after = _rgb(view.grab().toImage())
    assert _pixels(after, PALETTE[0]) > 0 and _pixels(before, PALETTE[0]) == 0
    legend = sw.layer.legend
    assert legend.isVisible() and f"{PALETTE[0]}'>&#9632;</span> " in legend.text()
    assert " at (" in legend.text()
    # the 3-D view shows particles in an attractor's colour too
    gl = _rgb(window.view3d.gl.grabFramebuffer())
    colours = sw.model.colours()
    assert sum(_pixels(gl, colours[k], tol=40) for k in colours if k >= 0) > 0


def test_surface_switches_and_resets_keep_the_views_working(window, qtbot):
    sw, p = _setup(window, qtbot, "sgd", "lr=0.02")
    p.step.click()
    _wait_step(qtbot, sw, 1)
    window.state.choose_surface(catalogue.load("slice-trap"))
    assert sw.model.snapshot is None and sw.model.surface.ndim == 3
    sw.flush()
    assert sw.layer.points.count() == 0 and sw.points3d.count == 0
    p.step.click()
    snap = _wait_step(qtbot, sw, 1)
    assert snap.points.shape == (COUNT, 3)
    sw.flush()
    assert sw.layer.points.count() == COUNT and sw.points3d.count == COUNT
    assert "projected" in sw.layer.legend.text()
    space = window.space_switch.space  # 3 parameters: the parameter space shows true positions
    assert sw.points_space is not None and sw.points_space.count == COUNT
    assert np.allclose(sw.points_space.pos, space.world(snap.points), atol=1e-6)
    window.state.surface.set_slice(0.3)  # the 3-D points go onto the new slice
    sw.flush()
    assert sw.points3d.count == COUNT
    p.reset.click()
    qtbot.waitUntil(lambda: sw.model.snapshot.step == 0, timeout=10_000)
    window.state.choose_surface(catalogue.load("himmelblau"))
    p.step.click()
    snap = _wait_step(qtbot, sw, 1)
    assert snap.points.shape == (COUNT, 2)
    window.contour_view.plot_widget.grab()
    window.view3d.gl.grabFramebuffer()


def test_snapshots_are_batched_not_one_signal_per_step(window, qtbot):
    sw, p = _setup(window, qtbot, "sgd", "lr=0.001")
    seen = []
    sw.model.snapshot_changed.connect(seen.append)
    p.speed.setCurrentIndex(p.speed.count() - 1)
    p.play.click()
    qtbot.wait(1500)
    p.play.click()
    qtbot.wait(200)
    assert len(seen) >= 2 and sw.model.snapshot.step > 3 * len(seen)
    assert len({id(s.points) for s in seen}) == len(seen)  # each snapshot has its own arrays


@pytest.mark.parametrize(
    "field, text",
    [("count", "many"), ("count", "99"), ("count", "1e9"), ("centre", "1, 2, 3"),
     ("centre", "__import__('os')"), ("centre", "nan, 1"), ("centre", "99, 99"),
     ("sigma", "-1"), ("sigma", "1, 2"), ("seed", "x"), ("seed", "-4"),
     ("hyper", "lr=__import__('os').system('x')"), ("hyper", "lr"), ("hyper", "momentum=-3")],
)  # fmt: skip
def test_hostile_input_gets_one_line_where_it_was_typed(window, qtbot, field, text):
    sw, p = _setup(window, qtbot, "sgd", "lr=0.02")
    good = sw.model.settings
    generation = sw.model.generation
    edit = getattr(p, field)
    edit.setText(text)
    edit.editingFinished.emit()
    error = p.errors[field]
    assert error.isVisible() and error.text() and "\n" not in error.text()
    assert sw.model.settings == good and sw.model.generation == generation
    others = [e for k, e in p.errors.items() if k != field]
    assert not any(e.isVisible() for e in others)


def test_the_swarm_dock_opens_from_the_run_menu(window, qtbot):
    sw = window.swarm
    assert not sw.dock.isVisible()  # closed in the first minute; the basins' dock too
    assert not window.basins.dock.isVisible()
    assert sw.action in window.run_menu.actions()
    sw.action.trigger()
    qtbot.waitUntil(sw.dock.isVisible)
    assert not sw.dock.visibleRegion().isEmpty()  # its tab is the one in front
