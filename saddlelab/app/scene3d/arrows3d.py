"""The Hessian's eigenvectors at the probe as true 3-D arrows in the parameter space.

Each eigenvector is a double-headed arrow through the probe (an eigenvector's sign is
arbitrary: both ways along it the loss changes alike): a cylindrical shaft and a cone at each
end, coloured by the sign of its eigenvalue with the app's colours (red: the loss falls, an
escape direction; near-white: it rises; grey: flat within the tolerance). The half-length grows
with |λ| (clamped as ``eigen_arrows`` does, so a weak direction stays visible).

:func:`arrow_triangles` is numpy only (testable without GL); :class:`GLArrows3D` draws opaque,
depth-tested and lit, after the translucent shells, so nothing translucent washes the red out.
"""

from __future__ import annotations

import numpy as np
from OpenGL import GL
from pyqtgraph.opengl import GLGraphicsItem
from PySide6 import QtGui

from saddlelab.app.scene3d.eigen_arrows import MIN_FRACTION
from saddlelab.app.scene3d.isosurface_items import shaded
from saddlelab.app.scene3d.primitives import FlatShader, VertexBatch
from saddlelab.app.style import NEGATIVE, eigen_colour, rgba

SIDES = 20
OPAQUE = {
    GL.GL_DEPTH_TEST: True,
    GL.GL_BLEND: False,
    GL.GL_CULL_FACE: False,
}


def _frame(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors perpendicular to ``u`` and to each other."""
    helper = np.array([1.0, 0.0, 0.0]) if abs(u[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    a = np.cross(u, helper)
    a /= np.linalg.norm(a)
    return a, np.cross(u, a)


def arrow_triangles(centre, direction, half: float, radius: float, head: float):
    """Triangles (k, 3, 3) and their vertex normals (k, 3, 3) of a double-headed arrow."""
    c = np.asarray(centre, dtype=float)
    u = np.asarray(direction, dtype=float)
    u = u / np.linalg.norm(u)
    a, b = _frame(u)
    t = np.linspace(0, 2 * np.pi, SIDES + 1)
    ring = np.cos(t)[:, None] * a + np.sin(t)[:, None] * b  # (SIDES + 1, 3)
    tris, norms = [], []
    inner = half - head
    p0, p1 = c - inner * u, c + inner * u
    for i in range(SIDES):  # the shaft
        r0, r1 = ring[i], ring[i + 1]
        q = [p0 + radius * r0, p1 + radius * r0, p1 + radius * r1, p0 + radius * r1]
        tris += [[q[0], q[1], q[2]], [q[0], q[2], q[3]]]
        norms += [[r0, r0, r1], [r0, r1, r1]]
    for sign in (1.0, -1.0):  # the heads: a cone and its base disc
        base, tip = c + sign * inner * u, c + sign * half * u
        wide = 2.6 * radius
        slant = head / np.hypot(head, wide)
        for i in range(SIDES):
            r0, r1 = ring[i], ring[i + 1]
            n0, n1 = r0 + sign * slant * u, r1 + sign * slant * u
            tris.append([base + wide * r0, tip, base + wide * r1])
            norms.append([n0, sign * u, n1])
            tris.append([base, base + wide * r0, base + wide * r1])
            norms.append([-sign * u] * 3)
    return np.array(tris), np.array(norms)


def arrow_lengths(eigenvalues, longest: float) -> np.ndarray:
    """Half-lengths ∝ |λ|, no shorter than MIN_FRACTION of ``longest``."""
    lam = np.abs(np.asarray(eigenvalues, dtype=float))
    top = float(lam.max()) if lam.size else 0.0
    share = lam / top if top > 0 else np.ones_like(lam)
    return longest * np.clip(share, MIN_FRACTION, 1.0)


class GLArrows3D(GLGraphicsItem.GLGraphicsItem):
    """``set_arrows(centre, directions, eigenvalues, tolerance, longest)`` in scene units."""

    def __init__(self, parentItem=None) -> None:
        super().__init__(parentItem=parentItem)
        self.setGLOptions(OPAQUE)
        self.setDepthValue(40)  # after the shells: depth-tested against opaque things only
        self._batch = VertexBatch()
        self.ends: list[tuple[np.ndarray, np.ndarray]] = []
        """(tail, tip) in scene coordinates per arrow (tests project them on screen)."""
        self.colours: list[str] = []
        self.eigenvalues: list[float] = []

    def set_arrows(self, centre, directions, eigenvalues, tolerance: float, longest: float):
        centre = np.asarray(centre, dtype=float)
        halves = arrow_lengths(eigenvalues, longest)
        pos, col = [], []
        self.ends, self.colours, self.eigenvalues = [], [], []
        for u, lam, half in zip(directions, eigenvalues, halves, strict=True):
            u = np.asarray(u, dtype=float)
            if not np.isfinite(u).all() or np.linalg.norm(u) == 0:
                continue
            u = u / np.linalg.norm(u)
            colour = eigen_colour(float(lam), tolerance)
            radius = 0.02 if colour == NEGATIVE else 0.013
            tris, normals = arrow_triangles(centre, u, half, radius, min(0.12, 0.4 * half))
            pos.append(tris.reshape(-1, 3))
            col.append(shaded(np.array(rgba(colour)), normals.reshape(-1, 3)))
            self.ends.append((centre - half * u, centre + half * u))
            self.colours.append(colour)
            self.eigenvalues.append(float(lam))
        if pos:
            self._batch.set(np.concatenate(pos), np.concatenate(col))
        else:
            self._batch.set(np.zeros((0, 3)), np.zeros((0, 4)))
        self.update()

    def clear(self) -> None:
        self.set_arrows(np.zeros(3), [], [], 0.0, 1.0)

    def screen_ends(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each arrow's tail and tip in the view's pixels (y down), with this frame's camera."""
        return [(self.project(t), self.project(h)) for t, h in self.ends]

    def project(self, point) -> np.ndarray:
        """A scene point in the view's pixels (y down) with the current camera."""
        view = self.view()
        vp = (0, 0, view.width(), view.height())
        mvp = view.projectionMatrix(vp, vp) * view.viewMatrix()
        clip = mvp.map(QtGui.QVector4D(*map(float, point), 1.0))
        x, y = clip.x() / clip.w(), clip.y() / clip.w()
        return np.array([(x + 1) / 2 * view.width(), (1 - y) / 2 * view.height()])

    def paint(self) -> None:
        if not len(self._batch):
            return
        self.setupGLState()
        with FlatShader(self):
            self._batch.bind()
            GL.glDrawArrays(GL.GL_TRIANGLES, 0, len(self._batch))
