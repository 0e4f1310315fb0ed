"""The 3-D view as an image or a movie, rendered off-screen (never a screen grab).

``render_view`` draws the view again at 1x-4x its on-screen size into a framebuffer
(``render_target``) and puts its colour legend beside the scene at the same scale, as on
screen. ``surface_frames`` draws the runs unfolding along their recorded trajectories (a
prefix of each run's rows per frame, from the run models' data), the camera orbiting once if
asked. The on-screen view is left as it was: every change made for a frame (size, camera,
trajectories, background) is undone before the frame is returned.

``headless_view`` and ``gl_unavailable`` (in ``headless``, importable from here) make a view
without a window for ``saddlelab render`` and say when no OpenGL context can be made.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import closing, contextmanager
from functools import partial
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui
from PySide6.QtOpenGL import QOpenGLWindow

from saddlelab.app.scene3d.camera import camera_state, fitting_fov, set_camera_state
from saddlelab.app.scene3d.headless import LEGEND_SHARE, gl_unavailable, headless_view
from saddlelab.app.scene3d.render_target import GLUnavailable, SceneTarget
from saddlelab.app.scene3d.trajectories import GLTrajectories
from saddlelab.app.scene3d.view import DRAW_POINTS_3D, View3D
from saddlelab.export.options import Cancelled, ExportError, ExportOptions, Progress
from saddlelab.export.theme import theme
from saddlelab.models.trajectory_buffer import thin_for_drawing

__all__ = [
    "camera_state",
    "gl_unavailable",
    "headless_view",
    "render_view",
    "set_camera_state",
    "surface_frames",
    "view_size",
    "write_surface_movie",
    "write_surface_png",
]

MIN_FRAME_SCALE = 0.6
"""Smallest scale of a movie frame's text and lines (below it labels stop being readable)."""
ORBIT_SAMPLES = np.arange(0.0, 360.0, 5.0)
"""Azimuths (degrees from the view's) at which an orbit is checked to show everything."""


def view_size(view: View3D) -> tuple[int, int]:
    """What an export at 1x holds, in view pixels: the scene and its colour legend."""
    gl = view.gl  # the window's own size (not an export's, see GLSceneWindow.target)
    return QOpenGLWindow.width(gl) + view.legend.width(), QOpenGLWindow.height(gl)


# -- stills ------------------------------------------------------------------------------------
class _Frame:
    """Where scene and legend go in an image of ``size`` device pixels at ``scale``."""

    def __init__(self, view: View3D, size: tuple[int, int], scale: float) -> None:
        self.size, self.scale = (int(size[0]), int(size[1])), float(scale)
        legend = round(view.legend.width() * self.scale)
        self.legend = legend if legend <= LEGEND_SHARE * self.size[0] else 0
        self.scene = (self.size[0] - self.legend, self.size[1])


def paper_colours(theme_name: str) -> dict[str, str] | None:
    """The light theme's colours for the 3-D view's text, lines and background (None for the
    dark theme: the window's own look). The legend box over the scene stays dark: light text
    on it reads over any colour."""
    if theme_name != "light":
        return None
    t = theme(theme_name)
    return {"text": t.text, "muted": t.muted, "paper": t.paper}


def _compose(view: View3D, frame: _Frame, scene: QtGui.QImage, transparent: bool, paper=None):
    """The scene image with the colour legend painted beside it at the frame's scale."""
    if not frame.legend:
        return scene
    out = QtGui.QImage(*frame.size, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    out.fill(QtCore.Qt.GlobalColor.transparent)
    p = QtGui.QPainter(out)
    p.drawImage(QtCore.QPoint(0, 0), scene)
    p.translate(frame.scene[0], 0)
    p.scale(frame.scale, frame.scale)
    p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
    colours = {}
    if paper is not None:
        colours = {"background": paper["paper"], "ink": paper["text"], "outline": paper["muted"]}
    if transparent:
        colours["background"] = None
    view.legend.draw(p, frame.size[1] / frame.scale, **colours)
    p.end()
    return out


def _target(view: View3D, frame: _Frame) -> SceneTarget:
    try:
        return SceneTarget(view.gl, frame.scene, frame.scale)
    except GLUnavailable as exc:
        raise ExportError(f"the 3-D view cannot be rendered: {exc}") from None


def render_view(view: View3D, options: ExportOptions) -> QtGui.QImage:
    """The view at ``options.scale`` x its size (legend, labels, colour bar included),
    with a transparent background if ``options.transparent`` (the surface stays opaque)."""
    w, h = view_size(view)
    frame = _Frame(view, (round(w * options.scale), round(h * options.scale)), options.scale)
    view.flush()
    paper = paper_colours(options.theme)
    with _target(view, frame) as target:
        scene = target.frame(options.transparent, paper=paper)
    return _compose(view, frame, scene, options.transparent, paper)


def _check(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and not progress(done, total):
        raise Cancelled()


def write_surface_png(
    view: View3D, path: str | Path, options: ExportOptions, progress: Progress | None = None
) -> None:
    """Write the view as a PNG (see :func:`render_view`); Cancelled leaves no file."""
    path = Path(path)
    _check(progress, 0, 2)
    image = render_view(view, options)
    _check(progress, 1, 2)
    partial = path.with_name(path.name + ".partial")
    try:
        if not image.save(str(partial), "PNG"):
            raise ExportError(f"cannot write '{path.name}' in {path.parent}")
        _check(progress, 2, 2)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


# -- animations --------------------------------------------------------------------------------
class _Unfolding:
    """The visible runs' world points and steps; ``draw(item, step)`` shows each run up to
    ``step`` (at least its start)."""

    def __init__(self, view: View3D) -> None:
        view.flush()
        self.tracks = []
        for run in view.state.runs:
            world = view.run_world(run).copy()
            if run.visible and len(world):
                steps = np.asarray(run.trajectory.step[: len(world)], dtype=float)
                self.tracks.append((run.id, world, steps, run.colour))
        ends = [t[2][-1] for t in self.tracks]
        starts = [t[2][0] for t in self.tracks]
        self.first, self.last = (min(starts), max(ends)) if self.tracks else (0.0, 0.0)

    def step_at(self, k: int, count: int) -> float:
        return self.first + (self.last - self.first) * k / max(count - 1, 1)

    def draw(self, item: GLTrajectories, step: float) -> None:
        for run_id, world, steps, colour in self.tracks:
            n = max(1, int(np.searchsorted(steps, step, side="right")))
            item.set_run(run_id, thin_for_drawing(world[:n], DRAW_POINTS_3D), colour)


def _movie_frame(view: View3D, options: ExportOptions) -> _Frame:
    """Frames of ``options.size_px`` (else the view at ``options.scale``), scaled so they
    show about what the view shows on screen, text and lines grown with them (up to 4x) or
    shrunk (down to MIN_FRAME_SCALE: a small GIF is the view in miniature, not a crop)."""
    w, h = view_size(view)
    if options.size_px is None:
        return _Frame(view, (round(w * options.scale), round(h * options.scale)), options.scale)
    pw, ph = options.size_px
    scale = min(max(min(pw / w, ph / h), MIN_FRAME_SCALE), 4.0)
    return _Frame(view, (pw, ph), scale)


def _rgb(image: QtGui.QImage) -> np.ndarray:
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * h)
    return rows.reshape(h, stride)[:, : 3 * w].reshape(h, w, 3).copy()


def surface_frames(view: View3D, options: ExportOptions) -> Iterator[np.ndarray]:
    """``options.frame_count`` frames (H x W x 3 uint8) of the runs unfolding, the camera
    orbiting once around the surface if ``options.orbit``. The view is left as it was."""
    frame = _movie_frame(view, options)
    runs = _Unfolding(view)
    count = options.frame_count
    item = GLTrajectories()
    item.set_line_scale(view.trajectories.line_scale)
    orbit = _orbit(view, frame) if options.orbit else None
    paper = paper_colours(options.theme)
    with _target(view, frame) as target:
        for k in range(count):
            step = runs.step_at(k, count)
            turn = 360.0 * k / count if options.orbit else 0.0
            scene = partial(_unfolded, view, item, runs, step, turn, orbit)
            image = target.frame(change=scene, paper=paper)
            yield _rgb(_compose(view, frame, image, False, paper))


def _orbit(view: View3D, frame: _Frame) -> tuple[QtGui.QVector3D, float]:
    """Centre and field of view of an orbit: around the surface's middle (not the view's
    centre, set aside for the height axis' labels), wide enough to show everything from
    every side."""
    gl = view.gl
    saved = gl.opts["center"]
    centre = QtGui.QVector3D(0.0, 0.0, saved.z())
    gl.opts["center"] = centre
    try:
        azimuths = gl.opts["azimuth"] + ORBIT_SAMPLES
        return centre, fitting_fov(gl, frame.scene[0] / frame.scene[1], azimuths)
    finally:
        gl.opts["center"] = saved


@contextmanager
def _unfolded(
    view: View3D, item: GLTrajectories, runs: _Unfolding, step: float, turn: float, orbit
):
    """The scene of one frame: the runs up to ``step`` (in ``item``, the view's own
    trajectories hidden), the camera turned by ``turn`` degrees around ``orbit``'s centre;
    all undone afterwards."""
    gl = view.gl
    camera = {key: gl.opts[key] for key in ("center", "distance", "elevation", "azimuth", "fov")}
    shown = view.trajectories.visible()
    runs.draw(item, step)
    gl.addItem(item)
    view.trajectories.setVisible(False)
    if orbit is not None:
        gl.opts["center"], gl.opts["fov"] = orbit[0], max(camera["fov"], orbit[1])
        gl.opts["azimuth"] = camera["azimuth"] + turn
    try:
        yield
    finally:
        gl.removeItem(item)
        view.trajectories.setVisible(shown)
        gl.opts.update(camera)


def write_surface_movie(
    view: View3D, path: str | Path, options: ExportOptions, progress: Progress | None = None
) -> None:
    """Write the runs unfolding in the 3-D view as a GIF or MP4 (``path``'s suffix) with the
    export package's encoder; Cancelled leaves no file."""
    from saddlelab.export.encode import write_frames

    path = Path(path)
    existed = path.exists()
    try:
        with closing(surface_frames(view, options)) as frames:
            write_frames(frames, path, options.fps, options.frame_count, progress)
    except Cancelled:
        if not existed:
            path.unlink(missing_ok=True)
        raise
