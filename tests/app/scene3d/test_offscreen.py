"""The 3-D view rendered off-screen (OpenGL under Xvfb): PNG stills at 1x-4x read back, the
runs' colours along their projected trajectories, the legend, transparency, animation frames,
the camera, and the on-screen view left as it was."""

from __future__ import annotations

import os
import subprocess
import sys

import imageio.v2 as iio2
import imageio.v3 as iio
import numpy as np
import pytest
from PySide6 import QtGui
from PySide6.QtOpenGL import QOpenGLWindow

from saddlelab.app.scene3d import offscreen
from saddlelab.app.scene3d.offscreen import (
    camera_state,
    render_view,
    set_camera_state,
    surface_frames,
    view_size,
    write_surface_png,
)
from saddlelab.app.scene3d.trajectories import MARKER_SIZE
from saddlelab.core import catalogue
from saddlelab.core.optim.run import Run
from saddlelab.export.options import Cancelled, ExportOptions
from saddlelab.models.app_state import AppState

SECOND_RUN = "#f032e6"


def surface_options(**changes) -> ExportOptions:
    """3-D export options, in the window's (dark) look unless asked."""
    return ExportOptions(**{"view": "surface", "theme": "dark", **changes})


def fill(state, steps: int = 150) -> None:
    """Record ``steps`` updates of every run (as the worker would), synchronously."""
    for run in state.runs:
        chunk = Run(state.surface.surface, run.config(), pure=True).step(steps)
        assert run.append_chunk(chunk, run.generation)
        run.data_changed.emit(run)


@pytest.fixture
def view(window):
    """The lecture window's 3-D view with two runs recorded (SGD, and Adam from another
    corner), the probe's arrows and patch hidden so only the runs are in their colours."""
    state = window.state
    state.view.show_eigen_arrows = False
    state.view.show_taylor_patch = False
    run = state.add_run("adam", {"lr": 0.05}, start=(-1.4, -1.2))
    run.set_colour(SECOND_RUN)
    fill(state)
    window.view3d.flush()
    return window.view3d


def pixels(image: QtGui.QImage) -> np.ndarray:
    """H x W x 4 RGBA bytes (not premultiplied) of a QImage."""
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGBA8888)
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    return raw[:, : 4 * w].reshape(h, w, 4).copy()


def read_png(path) -> np.ndarray:
    image = QtGui.QImage(str(path))
    assert not image.isNull(), "the PNG does not decode"
    return pixels(image)


def project(view, world: np.ndarray, scale: float, turn: float = 0.0) -> np.ndarray:
    """Pixel positions (k, 2) in an export at ``scale`` of world points, with the view's own
    projection (the camera turned by ``turn`` degrees of azimuth)."""
    gl = view.gl
    w, h = QOpenGLWindow.width(gl), QOpenGLWindow.height(gl)
    azimuth = gl.opts["azimuth"]
    gl.opts["azimuth"] = azimuth + turn
    try:
        m = gl.projectionMatrix((0, 0, w, h), (0, 0, w, h)) * gl.viewMatrix()
    finally:
        gl.opts["azimuth"] = azimuth
    out = []
    for x, y, z in world:
        c = m.map(QtGui.QVector4D(float(x), float(y), float(z), 1.0))
        out.append(((c.x() / c.w() + 1) / 2 * w * scale, (1 - c.y() / c.w()) / 2 * h * scale))
    return np.array(out)


def rgb_of(colour: str) -> np.ndarray:
    c = QtGui.QColor(colour)
    return np.array([c.red(), c.green(), c.blue()])


def share_on_track(image: np.ndarray, points: np.ndarray, colour: str, reach: int) -> float:
    """Share of ``points`` with a pixel of ``colour`` within ``reach`` pixels."""
    target = rgb_of(colour)
    h, w = image.shape[:2]
    hits = 0
    for x, y in points:
        i, j = round(y), round(x)
        patch = image[max(0, i - reach) : i + reach + 1, max(0, j - reach) : j + reach + 1, :3]
        if patch.size and (np.abs(patch.astype(int) - target).max(axis=2) < 40).any():
            hits += 1
    return hits / len(points)


def track(view, run, k: int = 25) -> np.ndarray:
    """``k`` points evenly spaced along the run's drawn path (by length, not by rows: a
    converged run has most of its rows at its end)."""
    world = view.run_world(run)
    length = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(world, axis=0), axis=1))]
    rows = np.searchsorted(length, np.linspace(0.0, length[-1], k)).clip(0, len(world) - 1)
    return world[rows]


def uncovered(view, run, points: np.ndarray, scale: float) -> np.ndarray:
    """``points`` not under another run's current-point marker (runs ending together)."""
    keep = np.ones(len(points), bool)
    for other in view.state.runs:
        if other is not run:
            head = project(view, view.run_world(other)[-1:], scale)[0]
            keep &= np.hypot(*(points - head).T) > (MARKER_SIZE / 2 + 3) * scale
    return points[keep]


@pytest.mark.parametrize("scale", [1, 2, 4])
def test_png_is_scale_times_the_view_size_and_shows_each_run_along_its_path(
    view, tmp_path, scale
) -> None:
    path = tmp_path / f"surface-{scale}x.png"
    write_surface_png(view, path, surface_options(scale=scale))
    image = read_png(path)
    w, h = view_size(view)
    assert image.shape[:2] == (h * scale, w * scale)
    assert (image[..., 3] == 255).all()  # opaque unless asked
    for run in view.state.runs:
        points = uncovered(view, run, project(view, track(view, run), scale), scale)
        assert len(points) > 15
        share = share_on_track(image, points, run.colour, reach=2 * scale)
        assert share > 0.8, f"{run.title}: {share:.0%} of its path shows its colour"


def legend_box(image: np.ndarray, left: int, dark_text: bool = False) -> tuple[int, ...]:
    """Bounding box (x0, y0, x1, y1) of the grey text (light, or dark on paper) in the
    colour legend (x >= left)."""
    part = image[:, left:, :3].astype(int)
    grey = np.ptp(part, axis=2) < 40
    text = grey & ((part.max(axis=2) < 90) if dark_text else (part.min(axis=2) > 170))
    ys, xs = np.nonzero(text)
    assert len(xs), "no legend text"
    return left + xs.min(), ys.min(), left + xs.max(), ys.max()


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_legend_text_is_drawn_at_scale_not_shrunk(view, theme) -> None:
    """The colour legend's text, beside the scene, grows with the scale: at 4x its extent is
    4 times that at 1x (readable, not a 1x legend in a corner of a 4x image); on paper
    (light theme) the text is dark on white."""
    scene_w = QOpenGLWindow.width(view.gl)
    one = pixels(render_view(view, surface_options(scale=1, theme=theme)))
    four = pixels(render_view(view, surface_options(scale=4, theme=theme)))
    x0, y0, x1, y1 = legend_box(one, scene_w, theme == "light")
    X0, Y0, X1, Y1 = legend_box(four, 4 * scene_w, theme == "light")
    assert (X1 - X0) == pytest.approx(4 * (x1 - x0), rel=0.08)
    assert (Y1 - Y0) == pytest.approx(4 * (y1 - y0), rel=0.08)
    paper = (255, 255, 255) if theme == "light" else (20, 20, 24)
    assert (four[0, 0, :3] == paper).all() and (four[-1, -1, :3] == paper).all()


def test_transparent_background_keeps_the_surface_and_runs_opaque(view) -> None:
    image = pixels(render_view(view, surface_options(scale=2, transparent=True)))
    h, w = image.shape[:2]
    for i, j in ((0, 0), (h - 1, 0), (0, w - 1), (h - 1, w - 1)):
        assert image[i, j, 3] == 0
    centre = project(view, view.world(np.array([[0.0, 0.0]]), lift=0.0), 2)[0]
    i, j = round(centre[1]), round(centre[0])
    assert (image[i - 3 : i + 4, j - 3 : j + 4, 3] == 255).all()
    run = view.state.runs[0]
    head = project(view, view.run_world(run)[-1:], 2)[0]
    assert image[round(head[1]), round(head[0]), 3] == 255


def test_rendering_leaves_the_view_on_screen_as_it_was(view, qtbot) -> None:
    before = pixels(view.gl.grabFramebuffer())
    camera = camera_state(view)
    lines = view.trajectories.lines.pos.copy()
    render_view(view, surface_options(scale=3, transparent=True, theme="light"))
    frames = list(
        surface_frames(view, surface_options(size_px=(320, 200), fps=4, duration=1.0, orbit=True))
    )
    assert len(frames) == 4
    assert camera_state(view) == camera
    assert np.array_equal(view.trajectories.lines.pos, lines)
    assert view.gl.width() == QOpenGLWindow.width(view.gl) and view.gl.target is None
    after = pixels(view.gl.grabFramebuffer())
    assert np.array_equal(before, after)


def test_frames_unfold_the_runs_along_their_recorded_steps_and_orbit(view) -> None:
    options = surface_options(size_px=view_size(view), fps=5, duration=1.0)
    frames = list(surface_frames(view, options))
    assert len(frames) == options.frame_count == 5
    w, h = view_size(view)
    assert all(f.shape == (h, w, 3) and f.dtype == np.uint8 for f in frames)
    run = next(r for r in view.state.runs if r.colour == SECOND_RUN)
    world, steps = view.run_world(run), run.trajectory.step
    last = max(r.trajectory.step[-1] for r in view.state.runs)
    for k, frame in enumerate(frames):
        # frame k shows the run up to step last * k / 4: its current point is that row's
        row = np.searchsorted(steps, last * k / 4, side="right") - 1
        head = project(view, world[row : row + 1], 1)
        assert share_on_track(frame, head, SECOND_RUN, reach=2) == 1.0, f"frame {k}"
    end = uncovered(view, run, project(view, world[-1:], 1), 1)
    assert share_on_track(frames[0], end, SECOND_RUN, reach=2) == 0.0  # not there yet
    # without orbit only the runs change between frames; with it the surface turns
    still = np.abs(frames[0].astype(int) - frames[-1].astype(int)).max(axis=2) > 30
    turned = list(surface_frames(view, options.with_changes(orbit=True)))
    moved = np.abs(turned[0].astype(int) - turned[2].astype(int)).max(axis=2) > 30
    assert moved.mean() > 4 * still.mean()


@pytest.mark.parametrize("suffix", ["mp4", "gif"])
def test_movie_is_written_and_reads_back_with_its_frames(view, tmp_path, suffix) -> None:
    path = tmp_path / f"runs.{suffix}"
    options = surface_options(size_px=(320, 180), fps=5, duration=1.2, orbit=True)
    seen = []
    offscreen.write_surface_movie(view, path, options, lambda d, t: seen.append((d, t)) or True)
    if suffix == "gif":
        frames = iio.imread(path, index=None, mode="RGB")
    else:
        with iio2.get_reader(path, format="FFMPEG") as reader:
            frames = np.array([frame for frame in reader])  # (its len is inf)
    assert frames.shape == (6, 180, 320, 3)
    assert seen[-1] == (6, 6)
    magenta = np.abs(frames[-1].astype(int) - rgb_of(SECOND_RUN)).max(axis=-1) < 40
    assert magenta.sum() > 20  # the run is in the last frame, in its colour


@pytest.mark.parametrize("stop", [0, 1, 2])
def test_a_cancelled_png_leaves_no_file(view, tmp_path, stop) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(Cancelled):
        write_surface_png(view, folder / "v.png", surface_options(), lambda d, t: d < stop)
    assert list(folder.iterdir()) == []


def test_a_cancelled_movie_leaves_no_file(view, tmp_path) -> None:
    path = tmp_path / "runs.mp4"
    options = surface_options(size_px=(320, 180), fps=10, duration=1.0, orbit=True)
    with pytest.raises(Cancelled):
        offscreen.write_surface_movie(view, path, options, lambda done, total: done < 3)
    assert not path.exists()
    assert camera_state(view)["azimuth"] == pytest.approx(offscreen.camera_state(view)["azimuth"])


def test_camera_state_round_trips_and_absurd_values_are_clipped_or_ignored(view) -> None:
    state = camera_state(view)
    assert set(state) == {"distance", "elevation", "azimuth", "centre", "fov"}
    assert all(np.isfinite(v) for v in [*state["centre"], state["distance"], state["fov"]])
    wanted = {"distance": 4.5, "elevation": 12.0, "azimuth": 30.0, "centre": [0.1, -0.2, 0.3]}
    got = set_camera_state(view, {**wanted, "fov": 45.0})
    assert camera_state(view) == got
    assert got["distance"] == 4.5 and got["centre"] == pytest.approx([0.1, -0.2, 0.3], abs=1e-6)
    absurd = {
        "distance": 1e300,
        "elevation": -1e9,
        "azimuth": float("nan"),
        "centre": [float("inf"), "x", 1e6],
        "fov": True,
        "unknown": 3,
    }
    got = set_camera_state(view, absurd)
    assert got["distance"] == 100.0 and got["elevation"] == -90.0
    assert got["azimuth"] == pytest.approx(30.0) and got["fov"] == 45.0
    assert got["centre"] == pytest.approx([0.1, -0.2, 10.0], abs=1e-6)
    set_camera_state(view, "not a camera")
    assert camera_state(view) == got


HEADLESS = """
import sys
from saddlelab.app.scene3d.offscreen import gl_unavailable
reason = gl_unavailable()
print(reason)
"""


def _without_gl(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", HEADLESS], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("changes", "why"),
    [({"QT_QPA_PLATFORM": "offscreen"}, "(Qt platform 'offscreen')"), ({}, "(no display)")],
)
def test_without_opengl_one_line_says_so_and_how_to_get_it(changes, why) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env.update(changes)
    done = _without_gl(env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("the 3-D view needs an OpenGL context: none is available here")
    assert why in lines[0] and "xvfb-run -a saddlelab render" in lines[0]


def test_with_a_display_opengl_is_available(gl_context) -> None:
    assert offscreen.gl_unavailable() is None


def test_headless_view_renders_a_state_at_the_asked_size(qtbot, gl_context, tmp_path) -> None:
    state = AppState(catalogue.load("himmelblau"))
    state.view.show_eigen_arrows = False
    state.add_run("adam", {"lr": 0.05}, start=(0.0, 0.0)).set_colour(SECOND_RUN)
    fill(state, 300)
    view = offscreen.headless_view(state, (640, 400), resolution=60)
    try:
        assert not view.isVisible()
        assert view_size(view) == (640, 400)
        path = tmp_path / "himmelblau.png"
        write_surface_png(view, path, surface_options(scale=2))
        image = read_png(path)
        assert image.shape[:2] == (800, 1280)
        run = state.runs[0]
        points = project(view, track(view, run), 2)
        assert share_on_track(image, points, SECOND_RUN, reach=4) > 0.8
        legend_box(image, 2 * QOpenGLWindow.width(view.gl))
    finally:
        view.overlay3d.close()
        view.close_view()
        view.deleteLater()
