"""The second-order overlays in the real 3-D and contour views (OpenGL under Xvfb).

A small window with the app's View3D and ContourView and the SecondOrder wiring: the probe
moves, and the arrows, patch, contours and markers must say what the core computed.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtWidgets

from saddlelab.app.plots.contour_view import ContourView
from saddlelab.app.scene3d.taylor_patch import patch_grid
from saddlelab.app.scene3d.view import View3D
from saddlelab.app.second_order import ARROW_FRACTION, ARROW_LIFT, PATCH_LIFT, SecondOrder
from saddlelab.core import catalogue
from saddlelab.models.app_state import AppState

FINDER_TIMEOUT_MS = 60_000


class Lab:
    """State + views + second-order wiring in one shown window."""

    def __init__(self, qtbot, surface_id: str) -> None:
        self.state = AppState(catalogue.load(surface_id))
        self.view3d = View3D(self.state, resolution=60)
        self.contour = ContourView(self.state, resolution=60)
        self.so = SecondOrder(self.state, self.view3d, self.contour)
        self.window = QtWidgets.QWidget()
        layout = QtWidgets.QHBoxLayout(self.window)
        layout.addWidget(self.view3d)
        layout.addWidget(self.contour)
        self.window.resize(1000, 520)
        qtbot.addWidget(self.window)
        self.window.show()
        qtbot.waitExposed(self.window)

    @property
    def surface(self):
        return self.state.surface.surface

    def plane(self, world: np.ndarray) -> np.ndarray:
        """World x, y back to parameter-plane coordinates."""
        sc = self.view3d.scale
        x = sc.x0 + (world[:, 0] + 1.0) / 2.0 * (sc.x1 - sc.x0)
        y = sc.y0 + (world[:, 1] + 1.0) / 2.0 * (sc.y1 - sc.y0)
        return np.stack([x, y], -1)

    def close(self) -> None:
        self.so.close()
        self.view3d.close_view()
        self.contour.close_view()


@pytest.fixture
def lab(qtbot, gl_context):
    labs = []

    def make(surface_id: str) -> Lab:
        labs.append(Lab(qtbot, surface_id))
        return labs[-1]

    yield make
    for each in labs:
        each.close()


def red_pixels(view3d) -> int:
    image = view3d.gl.grabFramebuffer().convertToFormat(
        view3d.gl.grabFramebuffer().format().Format_RGB32
    )
    ptr = image.constBits()
    arr = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    b, g, r = arr[..., 0].astype(int), arr[..., 1].astype(int), arr[..., 2].astype(int)
    return int(np.count_nonzero((r > 200) & (g < 90) & (b < 90)))


def test_arrows_point_along_the_eigenvectors_and_follow_the_surface(lab):
    lab = lab("w1w2-mse")
    lab.state.pick_probe((0.0, 0.0))
    a = lab.so.analysis
    assert a.classification == "saddle"
    item = lab.so.arrows
    pos = item.shaft_positions().astype(float)
    ranges = item.arrow_ranges()
    assert len(ranges) == 2
    widths = []
    for (first, count, width), u in zip(ranges, a.eigenvectors, strict=True):
        world = pos[first : first + count]
        xy = lab.plane(world)
        direction = xy[-1] - xy[0]
        direction /= np.linalg.norm(direction)
        assert abs(abs(direction @ u) - 1.0) < 1e-5  # parallel to the eigenvector
        assert np.allclose(xy.mean(axis=0), a.point, atol=1e-5)  # centred on the probe
        half = np.linalg.norm(xy[-1] - xy[0]) / 2
        assert half == pytest.approx(ARROW_FRACTION * 4.0, rel=1e-4)  # |lambda| equal: same
        heights = lab.view3d.scale.wz(lab.surface.loss(xy)) + ARROW_LIFT
        assert np.allclose(world[:, 2], heights, atol=1e-5)  # lifted onto the surface
        widths.append(width)
    assert widths[0] > widths[1]  # the escape direction (lambda = -2) is drawn bolder


def test_arrow_length_scales_with_the_eigenvalue(lab):
    lab = lab("elongated-bowl")
    lab.state.pick_probe((0.0, 0.0))
    pos = lab.so.arrows.shaft_positions().astype(float)
    lengths = []
    for first, count, _ in lab.so.arrows.arrow_ranges():
        xy = lab.plane(pos[first : first + count])
        lengths.append(np.linalg.norm(xy[-1] - xy[0]))
    # lambda = 1 and 50: clamped to 0.3 of the longest so the weak direction stays visible.
    assert lengths[1] > lengths[0]
    assert lengths[0] / lengths[1] == pytest.approx(0.3, rel=1e-6)


def test_escape_arrow_shows_in_red_pixels(lab, qtbot):
    lab = lab("w1w2-mse")
    lab.view3d.top_view()
    lab.state.view.set_probe(None, "run")
    qtbot.waitUntil(lambda: lab.view3d.gl.isValid())
    before = red_pixels(lab.view3d)
    lab.state.pick_probe((0.0, 0.0))
    after = red_pixels(lab.view3d)
    assert after > before + 100


def test_taylor_patch_heights_are_the_model(lab):
    lab = lab("rosenbrock")
    lab.state.pick_probe((-0.5, 0.6))
    a, sc = lab.so.analysis, lab.view3d.scale
    radius = lab.so.taylor_controls.radius.value()
    pos = lab.so.patch.positions().astype(float)
    xy, _, _ = patch_grid(a.point, radius)
    assert np.allclose(lab.plane(pos), xy, atol=1e-5)
    model = a.taylor(xy)
    inside = (model >= sc.fmin) & (model <= sc.fmax)
    assert inside.sum() > len(xy) // 2
    assert np.allclose(pos[inside, 2], sc.wz(model[inside]) + PATCH_LIFT, atol=1e-5)


def test_taylor_patch_follows_the_log_height_scale(lab):
    lab = lab("rosenbrock")
    lab.state.pick_probe((-0.5, 0.6))
    lab.state.view.set_log_height(True)
    a, sc = lab.so.analysis, lab.view3d.scale
    assert sc.log
    pos = lab.so.patch.positions().astype(float)
    xy, _, _ = patch_grid(a.point, lab.so.taylor_controls.radius.value())
    model = a.taylor(xy)
    inside = model > sc.fmin
    assert np.allclose(pos[inside, 2], sc.wz(model[inside]) + PATCH_LIFT, atol=1e-5)


def test_dashed_contours_lie_on_level_sets_of_the_model(lab):
    lab = lab("w1w2-mse")
    lab.state.pick_probe((0.4, -0.3))
    a = lab.so.analysis
    radius = lab.so.taylor_controls.radius.value()
    lines = lab.so.contours.lines()
    assert len(lines) >= 5
    levels = sorted({lv for _, lv in lines})
    spread = levels[-1] - levels[0]
    for points, level in lines:
        assert np.all(np.linalg.norm(points - a.point, axis=1) <= radius * 1.001)
        assert np.allclose(a.taylor(points), level, atol=1e-3 * spread)
    # One level passes through the probe point itself.
    assert any(abs(lv - a.loss) < 1e-9 for lv in levels)


def test_radius_control_resizes_both_overlays(lab):
    lab = lab("w1w2-mse")
    lab.state.pick_probe((0.0, 0.0))
    lab.so.taylor_controls.radius.setValue(0.3)
    pos = lab.so.patch.positions().astype(float)
    assert np.max(np.linalg.norm(lab.plane(pos), axis=1)) == pytest.approx(0.3, rel=1e-4)
    for points, _ in lab.so.contours.lines():
        assert np.all(np.linalg.norm(points, axis=1) <= 0.3 * 1.001)


def test_cursor_readout_compares_model_and_true_loss(lab):
    lab = lab("w1w2-mse")
    lab.state.pick_probe((0.0, 0.0))
    scene = lab.contour.data_to_scene(0.5, 0.5)
    lab.contour.plot_widget.scene().sigMouseMoved.emit(scene)
    text = lab.so.taylor_controls.readout.text()
    assert "loss 0.5625" in text and "model 0.5" in text and "error" in text


def test_three_parameter_surface_says_arrows_show_the_slice(lab):
    lab = lab("slice-trap")
    lab.state.pick_probe((0.0, 0.0, 0.0))
    assert lab.so.analysis.classification == "saddle"
    # Eigenvectors: x and y (in the slice) and z (out of it): two arrows are drawn.
    assert len(lab.so.arrows.arrow_ranges()) == 2
    legend = lab.so.legend3d.text()
    assert "arrows show the (x, y) parts in the slice z = 0" in legend
    # the one not drawn is named with its sign: the escape direction the slice hides
    assert "\u03bb = \u22122 points out of the slice (along z)" in legend
    assert "escape direction this slice hides" in legend


def test_finder_marks_himmelblaus_points_by_class_in_both_views(lab, qtbot):
    lab = lab("himmelblau")
    with qtbot.waitSignal(lab.so.critical.pointsChanged, timeout=FINDER_TIMEOUT_MS):
        lab.so.critical.find_button.click()
        assert lab.so.critical.search.is_running()
    expected = sorted(["local_min"] * 4 + ["local_max"] + ["saddle"] * 4)
    assert sorted(lab.so.markers2d.classes()) == expected
    assert sorted(lab.so.markers3d.classes()) == expected
    xy = lab.plane(lab.so.markers3d.positions())
    found = np.array([p.point for p in lab.so.critical.points()])
    assert np.allclose(np.sort(xy, axis=0), np.sort(found, axis=0), atol=1e-5)
    assert "Local maximum" in lab.so.legend2d.text()


def test_choosing_a_critical_point_moves_the_probe(lab, qtbot):
    lab = lab("himmelblau")
    with qtbot.waitSignal(lab.so.critical.pointsChanged, timeout=FINDER_TIMEOUT_MS):
        lab.so.critical.find()
    row = next(i for i, p in enumerate(lab.so.critical.points()) if p.classification == "local_max")
    lab.so.critical.table.selectRow(row)
    assert lab.state.view.probe_source == "picked"
    assert lab.so.analysis.classification == "local_max"
    assert lab.so.panel.title.text() == "Local maximum"


def test_start_a_run_here_adds_a_run_just_off_the_saddle(lab, qtbot):
    lab = lab("w1w2-mse")
    with qtbot.waitSignal(lab.so.critical.pointsChanged, timeout=FINDER_TIMEOUT_MS):
        lab.so.critical.find()
    row = next(i for i, p in enumerate(lab.so.critical.points()) if p.classification == "saddle")
    lab.so.critical.table.selectRow(row)
    count = len(lab.state.runs)
    lab.so.critical.start_button.click()
    assert len(lab.state.runs) == count + 1
    start = np.array(lab.state.runs.selected.start)
    assert 0 < np.linalg.norm(start) < 0.2 and abs(start[0] - start[1]) < 1e-9


def test_a_run_stalled_at_a_saddle_offers_the_remedies(lab):
    lab = lab("w1w2-mse")
    run = lab.state.add_run("sgd", {"lr": 0.1}, start=(0.0, 0.0))
    run.set_result_status("stalled", "stalled at a saddle", "saddle", True)
    banner = lab.so.escape
    assert not banner.isHidden() and banner.run_id == run.id
    assert "(0.71, 0.71)" in banner.detail.text()
    banner.step_length.setValue(0.4)
    generation = run.generation
    moves = []
    run.move_requested.connect(lambda r, point, reason: moves.append(point))
    banner.step_button.click()
    (target,) = moves
    assert np.linalg.norm(target) == pytest.approx(0.4)
    assert abs(target[0] - target[1]) < 1e-12  # along the escape eigenvector (1, 1)/sqrt 2
    assert run.generation == generation and run.start == (0.0, 0.0)  # continued, not restarted
    assert lab.state.playback.playing
    assert banner.isHidden()

    run.set_result_status("stalled", "stalled at a saddle", "saddle", True)
    banner.noise.setValue(0.3)
    banner.noise_button.click()
    assert run.grad_noise == pytest.approx(0.3)


def test_probe_follows_the_selected_run(lab, qtbot):
    lab = lab("w1w2-mse")
    run = lab.state.add_run("sgd", {"lr": 0.25}, start=(0.5, -0.5))
    assert np.allclose(lab.so.analysis.point, (0.5, -0.5))
    assert lab.so.panel.lr.text() == "0.25"
    assert "Following" in lab.so.panel.source.text()
    qtbot.waitUntil(lambda: lab.so.step_plot.markers["lr"].value() == pytest.approx(0.25))
    run.set_param("lr", "0.05")
    assert lab.so.panel.lr.text() == "0.05"
    qtbot.waitUntil(lambda: lab.so.step_plot.markers["lr"].value() == pytest.approx(0.05))
    assert lab.so.step_plot.markers["eta_opt"].value() == pytest.approx(lab.so.analysis.eta_opt)


def test_converging_onto_a_saddle_also_offers_the_remedies_but_a_minimum_does_not(lab):
    lab = lab("w1w2-mse")
    run = lab.state.add_run("sgd", {"lr": 0.1}, start=(0.0, 0.0))
    run.set_result_status("converged", "converged to a saddle point", None, True)
    assert not lab.so.escape.isHidden()
    assert "has converged to a saddle point" in lab.so.escape.headline.text()
    other = lab.state.add_run("sgd", {"lr": 0.1}, start=(1.0, 1.0))
    other.set_result_status("converged", "converged to a minimum", None, True)
    assert lab.so.escape.run_id == run.id  # the minimum does not take the banner over
    run.set_result_status("running", "running", None, False)
    assert lab.so.escape.isHidden()
