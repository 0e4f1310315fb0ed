"""Three orthogonal slice planes through the parameter space, each with a heat map of the loss.

A plane of constant θk (k = 0, 1, 2) is a translucent grid coloured by the loss on it (vertex
colours, the app's colour map), framed in a bright outline: the frame is the plane's handle.
:func:`pick_plane` finds the frame under the mouse, :func:`dragged_value` turns a mouse move into
a new θk by projecting it onto the plane's normal as it appears on screen. The view owns the
values (θ3's is the state's slice, shared with the contour view and the height map).
"""

from __future__ import annotations

import numpy as np
from OpenGL import GL
from pyqtgraph.opengl import GLGraphicsItem
from PySide6 import QtGui

from saddlelab.app.scene3d.primitives import FlatShader, VertexBatch, can_set_line_width

PLANE_OPTIONS = {
    GL.GL_DEPTH_TEST: True,
    GL.GL_BLEND: True,
    GL.GL_CULL_FACE: False,
    "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA),
}
FRAME_COLOURS = ("#ffb347", "#7ee081", "#7fb8ff")
"""Frame colour of the θ1, θ2, θ3 planes (also their sliders' labels)."""
PICK_PIXELS = 9.0
"""A press this close to a plane's frame (pixels) grabs the plane."""


def plane_grid(axis: int, coord: float, n: int) -> np.ndarray:
    """(n, n, 3) scene points of the plane θ_axis = ``coord`` (scene units, the box is ±1)."""
    t = np.linspace(-1.0, 1.0, n)
    a, b = np.meshgrid(t, t, indexing="ij")
    out = np.empty((n, n, 3))
    others = [k for k in range(3) if k != axis]
    out[..., others[0]], out[..., others[1]], out[..., axis] = a, b, coord
    return out


def _grid_triangles(n: int) -> np.ndarray:
    i, j = np.meshgrid(np.arange(n - 1), np.arange(n - 1), indexing="ij")
    a = (i * n + j).ravel()
    return np.concatenate([np.stack([a, a + n, a + n + 1], 1), np.stack([a, a + n + 1, a + 1], 1)])


def frame_segments(axis: int, coord: float) -> np.ndarray:
    """(8, 3) endpoints of the plane's four frame edges (scene units)."""
    corners = plane_grid(axis, coord, 2).reshape(4, 3)[[0, 1, 3, 2]]
    return np.concatenate([[corners[i], corners[(i + 1) % 4]] for i in range(4)])


class GLSlicePlanes(GLGraphicsItem.GLGraphicsItem):
    """``set_plane(axis, coord, rgba (n, n, 4))``; ``show_plane(axis, on)``."""

    def __init__(self, parentItem=None) -> None:
        super().__init__(parentItem=parentItem)
        self.setGLOptions(PLANE_OPTIONS)
        self.setDepthValue(15)  # before the shells
        self.coords = [0.0, 0.0, 0.0]
        self.shown = [True, True, True]
        self._skins = [VertexBatch() for _ in range(3)]
        self._frames = [VertexBatch() for _ in range(3)]
        self.highlight: int | None = None

    def set_plane(self, axis: int, coord: float, colours: np.ndarray) -> None:
        n = colours.shape[0]
        pos = plane_grid(axis, coord, n).reshape(-1, 3)
        index = _grid_triangles(n).reshape(-1)
        self._skins[axis].set(pos[index], colours.reshape(-1, 4)[index])
        self.coords[axis] = float(coord)
        self._set_frame(axis)
        self.update()

    def _set_frame(self, axis: int) -> None:
        from saddlelab.app.style import rgba

        seg = frame_segments(axis, self.coords[axis])
        alpha = 1.0 if self.highlight == axis else 0.8
        self._frames[axis].set(seg, np.tile(rgba(FRAME_COLOURS[axis], alpha), (len(seg), 1)))

    def show_plane(self, axis: int, on: bool) -> None:
        self.shown[axis] = bool(on)
        self.update()

    def set_highlight(self, axis: int | None) -> None:
        self.highlight = axis
        for k in range(3):
            self._set_frame(k)
        self.update()

    def paint(self) -> None:
        self.setupGLState()
        GL.glDepthMask(GL.GL_FALSE)
        try:
            with FlatShader(self):
                for k in range(3):
                    if self.shown[k] and len(self._skins[k]):
                        self._skins[k].bind()
                        GL.glDrawArrays(GL.GL_TRIANGLES, 0, len(self._skins[k]))
                wide = can_set_line_width()
                for k in range(3):
                    if self.shown[k] and len(self._frames[k]):
                        if wide:
                            GL.glLineWidth(
                                (4.0 if self.highlight == k else 2.5) * self.view().pixel_scale
                            )
                        self._frames[k].bind()
                        GL.glDrawArrays(GL.GL_LINES, 0, len(self._frames[k]))
                if wide:
                    GL.glLineWidth(1.0)
        finally:
            GL.glDepthMask(GL.GL_TRUE)


def _projector(view):
    vp = (0, 0, view.width(), view.height())
    mvp = view.projectionMatrix(vp, vp) * view.viewMatrix()

    def project(p) -> np.ndarray | None:
        clip = mvp.map(QtGui.QVector4D(*map(float, p), 1.0))
        if clip.w() <= 0:
            return None
        return np.array(
            [
                (clip.x() / clip.w() + 1) / 2 * view.width(),
                (1 - clip.y() / clip.w()) / 2 * view.height(),
            ]
        )

    return project


def _distance_to_segment(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    ab = b - a
    t = float(np.clip((p - a) @ ab / max(ab @ ab, 1e-12), 0.0, 1.0))
    return float(np.linalg.norm(p - (a + t * ab)))


def pick_plane(view, planes: GLSlicePlanes, x: float, y: float) -> int | None:
    """The shown plane whose frame passes within PICK_PIXELS of the pixel (x, y), if any."""
    project = _projector(view)
    p = np.array([x, y])
    best, best_d = None, PICK_PIXELS
    for k in range(3):
        if not planes.shown[k]:
            continue
        seg = frame_segments(k, planes.coords[k])
        for a, b in zip(seg[0::2], seg[1::2], strict=True):
            sa, sb = project(a), project(b)
            if sa is None or sb is None:
                continue
            d = _distance_to_segment(p, sa, sb)
            if d < best_d:
                best, best_d = k, d
    return best


def dragged_value(view, axis: int, coord: float, start, now) -> float:
    """The plane's scene coordinate after the mouse moved from ``start`` to ``now`` (pixels):
    the move's component along the normal's on-screen direction, in scene units."""
    project = _projector(view)
    centre = np.zeros(3)
    centre[axis] = coord
    step = centre.copy()
    step[axis] += 0.1
    a, b = project(centre), project(step)
    if a is None or b is None:
        return coord
    d = b - a
    length2 = float(d @ d)
    if length2 < 1.0:  # the normal points at the viewer: no usable direction
        return coord
    move = np.asarray(now, dtype=float) - np.asarray(start, dtype=float)
    return float(np.clip(coord + 0.1 * (move @ d) / length2, -1.0, 1.0))
