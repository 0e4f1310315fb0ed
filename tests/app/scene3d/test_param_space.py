"""The parameter-space view of a 3-parameter loss (OpenGL under Xvfb).

The slice trap's lesson must be drawn: the escape eigenvector (λ = −2, along z) as a red 3-D
arrow pointing along θ3 on screen; isosurfaces come from the background job and lie on their
levels; the θ3 plane is the slice the contour view shows.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtTest import QTest

from saddlelab.app.plots.contour_view import ContourView
from saddlelab.app.scene3d.param_space import ParameterSpaceView
from saddlelab.app.style import NEGATIVE
from saddlelab.core import catalogue
from saddlelab.models.app_state import AppState

JOB_MS = 30_000


class Space:
    def __init__(self, qtbot, surface_id: str = "slice-trap") -> None:
        self.state = AppState(catalogue.load(surface_id))
        self.view = ParameterSpaceView(self.state)
        self.contour = ContourView(self.state, resolution=40)
        self.window = QtWidgets.QWidget()
        layout = QtWidgets.QHBoxLayout(self.window)
        layout.addWidget(self.view, 2)
        layout.addWidget(self.contour, 1)
        self.window.resize(1100, 640)
        qtbot.addWidget(self.window)
        self.window.show()
        qtbot.waitExposed(self.window)
        qtbot.waitUntil(self.view.gl.isValid)

    def close(self) -> None:
        self.view.close_view()
        self.contour.close_view()


@pytest.fixture
def space(qtbot, gl_context):
    made = []

    def make(surface_id: str = "slice-trap") -> Space:
        made.append(Space(qtbot, surface_id))
        return made[-1]

    yield make
    for each in made:
        each.close()


def pixels(view) -> np.ndarray:
    image = view.gl.grabFramebuffer().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    arr = np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), image.bytesPerLine() // 4, 4
    )
    return arr[:, : image.width(), 2::-1].astype(int)  # RGB


def is_red(rgb: np.ndarray) -> np.ndarray:
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return (r > 170) & (g < 100) & (b < 100)


def test_slice_trap_escape_arrow_points_along_theta3_on_screen(space):
    s = space()
    s.state.pick_probe((0.0, 0.0, 0.0))
    arrows = s.view.overlay.arrows
    assert arrows.colours.count(NEGATIVE) == 1
    red = arrows.colours.index(NEGATIVE)
    assert arrows.eigenvalues[red] == pytest.approx(-2.0)
    for camera in (s.view.reset_camera, s.view.front_view):
        camera()
        tail, tip = arrows.screen_ends()[red]
        # the screen direction of the θ3 axis through the probe, with the same camera
        z_axis = s.view.world(np.array([[0.0, 0.0, -1.0], [0.0, 0.0, 1.0]]))
        a, b = arrows.project(z_axis[0]), arrows.project(z_axis[1])
        arrow, axis = tip - tail, b - a
        cosine = abs(arrow @ axis) / (np.linalg.norm(arrow) * np.linalg.norm(axis))
        assert cosine > 0.999
        assert np.linalg.norm(arrow) > 60  # long on screen, not foreshortened to a dot
    # front view: θ3 is the screen's vertical; the white arrows (λ = 2) are not along it
    for k, (t, h) in enumerate(arrows.screen_ends()):
        d = h - t
        if k == red:
            assert abs(d[0]) < 0.02 * abs(d[1])
        else:
            assert abs(d[1]) <= 0.05 * np.linalg.norm(d) + 1e-6


def test_escape_arrow_is_drawn_in_red_pixels_along_theta3(space):
    s = space()
    s.view.front_view()
    s.state.pick_probe((0.0, 0.0, 0.0))
    rgb = pixels(s.view)
    red = s.view.overlay.arrows.colours.index(NEGATIVE)
    tail, tip = s.view.overlay.arrows.screen_ends()[red]
    ratio = s.view.gl.devicePixelRatio()
    samples = [tail + t * (tip - tail) for t in np.linspace(0.1, 0.9, 17)]
    on_arrow = [is_red(rgb[round(p[1] * ratio), round(p[0] * ratio)]) for p in samples]
    assert sum(on_arrow) >= 15
    # the red pixels of the scene (the legend's red glyph aside) form a vertical bar
    mask = is_red(rgb)
    box = s.view.overlay.legend.box
    mask[: round(box.bottom() * ratio) + 1, : round(box.right() * ratio) + 1] = False
    ys, xs = np.nonzero(mask)
    assert np.ptp(ys) > 4 * np.ptp(xs)
    # no probe, or a probe at a minimum of the loss: no escape arrow, no red at all
    s.state.view.set_probe(None, "run")
    assert not is_red(pixels(s.view)).any()
    s.state.pick_probe((0.0, 0.0, 0.5**0.5))
    assert s.state.probe.analysis.classification == "local_min"
    assert not is_red(pixels(s.view)).any()


def test_isosurfaces_arrive_from_the_job_on_their_levels(space, qtbot):
    s = space()
    if s.view.result is None:
        with qtbot.waitSignal(s.view.isosurfaces_shown, timeout=JOB_MS):
            pass
    result = s.view.result
    surface = s.state.surface.surface
    step = (surface.domain[0][1] - surface.domain[0][0]) / 63
    assert len(result.meshes) == 4
    assert result.levels == sorted(result.levels)
    for level, vertices, faces, _ in result.meshes:
        assert len(faces) > 50
        grad = np.linalg.norm(surface.gradient(vertices), axis=1)
        assert np.abs(surface.loss(vertices) - level).max() < 0.05 * step * grad.max()
    shells = s.view.shells.meshes()
    assert len(shells) == 4
    assert np.allclose(shells[0][0], s.view.world(result.meshes[0].vertices))
    # inner shells are more opaque than outer ones
    alphas = [c[3] for c in s.view.shells.colours()]
    assert alphas == sorted(alphas, reverse=True)
    # the picker shows them; a typed list is meshed in the background, hostile text refused
    picker = s.view.level_picker
    assert len(picker.levels()) == 4
    picker.field.setText("0.5, 1.5")
    with qtbot.waitSignal(s.view.isosurfaces_shown, timeout=JOB_MS):
        QTest.keyClick(picker.field, QtCore.Qt.Key.Key_Return)
    assert s.view.levels() == [0.5, 1.5]
    picker.field.setText("__import__('os').system('x'), 1")
    QTest.keyClick(picker.field, QtCore.Qt.Key.Key_Return)
    assert not picker.message.isHidden()
    assert "not a number" in picker.message.text()
    assert s.view.levels() == [0.5, 1.5]
    with qtbot.waitSignal(s.view.isosurfaces_shown, timeout=JOB_MS):
        picker.defaults.click()
    assert s.view.levels() == result.levels


def test_a_newer_request_cancels_the_older(space, qtbot):
    s = space()
    arrived = []
    s.view.job.arrived.connect(lambda r: arrived.append(r.levels))
    s.view.set_levels([0.3])
    with qtbot.waitSignal(s.view.isosurfaces_shown, timeout=JOB_MS):
        s.view.set_levels([0.7])
    qtbot.wait(300)
    assert arrived[-1] == [0.7]
    assert [0.3] not in arrived


def test_theta3_plane_is_the_contour_views_slice(space, qtbot):
    s = space()
    s.view.set_plane(2, 0.5)
    assert s.state.surface.slice_value == pytest.approx(0.5)
    assert "z = 0.5" in s.contour.plot.titleLabel.text
    # and the other way: the slice set elsewhere moves the plane and its slider
    s.state.surface.set_slice(-0.75)
    assert s.view.planes.coords[2] == pytest.approx(s.view.world(np.array([[0, 0, -0.75]]))[0, 2])
    assert "-0.75" in s.view.sliders.values[2].text().replace("\u2212", "-")
    # dragging the plane's frame upward in the front view raises θ3
    s.view.front_view()
    s.view.set_plane(2, 0.0)
    gl = s.view.gl
    edge = s.view.world(np.array([[0.75, -1.5, 0.0]]))[0]  # on the front edge, off the x plane
    start = s.view.overlay.arrows.project(edge)
    p0 = QtCore.QPoint(round(start[0]), round(start[1]))
    QTest.mousePress(
        gl, QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.KeyboardModifier.NoModifier, p0
    )
    QTest.mouseMove(gl, p0 - QtCore.QPoint(0, 60))
    QTest.mouseRelease(
        gl, QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.KeyboardModifier.NoModifier,
        p0 - QtCore.QPoint(0, 60),
    )  # fmt: skip
    assert s.state.surface.slice_value > 0.2
    assert "z = " + s.view.sliders.values[2].text()[2:] in s.contour.plot.titleLabel.text


def test_trajectories_follow_the_runs_in_parameter_space(space):
    s = space()
    run = s.state.add_run("sgd", {"lr": 0.1}, start=(1.0, -0.8, 0.3))
    world = s.view.run_world(run)
    assert len(world) == len(run.trajectory)
    if len(world):
        assert np.allclose(world[0], s.view.world(np.array([run.start]))[0])
    assert run.id in s.view.trajectories.run_ids()
