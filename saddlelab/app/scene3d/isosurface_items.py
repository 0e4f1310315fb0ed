"""Nested translucent isosurfaces (and other closed translucent meshes) in the parameter space.

Translucency without sorting triangles every frame: the shells are drawn in two passes with
face culling, first every shell's far half (outermost shell first), then every near half
(innermost first). For nested shells that is back to front, so each reads through the others;
depth writes are off (nothing translucent hides what lies behind it: no black holes, no
z-fighting between close levels), depth tests stay on (opaque items such as the arrows still
cover them). Faces are wound so their front is the side of higher loss (the outside of a
sublevel set), which is what the culling passes rely on. Lighting is baked into the vertex
colours from the exact normals (two-sided), as ``scene3d.surface`` does for the height map.
"""

from __future__ import annotations

import numpy as np
from OpenGL import GL
from pyqtgraph.opengl import GLGraphicsItem

from saddlelab.app.scene3d.primitives import FlatShader, VertexBatch

LIGHT = np.array([0.35, -0.45, 0.82]) / np.linalg.norm([0.35, -0.45, 0.82])
LIFT = 0.3
"""Share of white mixed into the base colour: dark colour-map ends still read on dark grey."""
SHELL_OPTIONS = {
    GL.GL_DEPTH_TEST: True,
    GL.GL_BLEND: True,
    GL.GL_CULL_FACE: False,
    "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA),
}


def outward_faces(vertices: np.ndarray, faces: np.ndarray, normals: np.ndarray) -> np.ndarray:
    """``faces`` with each triangle wound counter-clockwise seen from the side its vertex
    normals point to."""
    faces = np.asarray(faces, dtype=np.int64).reshape(-1, 3)
    if not len(faces):
        return faces
    v = vertices[faces]
    cross = np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])
    flip = np.einsum("ij,ij->i", cross, np.nan_to_num(normals[faces].sum(axis=1))) < 0
    out = faces.copy()
    out[flip] = out[flip][:, ::-1]
    return out


def shaded(rgba: np.ndarray, normals: np.ndarray, lift: float = 0.0) -> np.ndarray:
    """Vertex colours ``rgba`` (4,) lit by the fixed light from either side of the surface,
    ``lift`` of white mixed in first."""
    lit = 0.6 + 0.5 * np.abs(np.nan_to_num(normals) @ LIGHT)
    out = np.empty((len(normals), 4), np.float32)
    base = np.asarray(rgba[:3], dtype=float)[None] * (1 - lift) + lift
    out[:, :3] = np.clip(base * lit[:, None], 0, 1)
    out[:, 3] = rgba[3]
    return out


class GLShells(GLGraphicsItem.GLGraphicsItem):
    """``set_shells([(vertices (k, 3) scene, faces (m, 3), normals (k, 3), rgba), ...])``,
    ordered innermost first."""

    def __init__(self, depth: float = 20, parentItem=None) -> None:
        super().__init__(parentItem=parentItem)
        self.setGLOptions(SHELL_OPTIONS)
        self.setDepthValue(depth)
        self._batches: list[VertexBatch] = []
        self._meshes: list[tuple[np.ndarray, np.ndarray]] = []

    def set_shells(self, shells) -> None:
        self._batches, self._meshes = [], []
        for vertices, faces, normals, colour in shells:
            vertices = np.asarray(vertices, np.float32).reshape(-1, 3)
            normals = np.asarray(normals, np.float32).reshape(-1, 3)
            faces = outward_faces(vertices, faces, normals)
            batch = VertexBatch()
            index = faces.reshape(-1)
            batch.set(vertices[index], shaded(np.asarray(colour), normals[index], LIFT))
            self._batches.append(batch)
            self._meshes.append((vertices, faces))
        self.update()

    def clear(self) -> None:
        self.set_shells([])

    def meshes(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(scene vertices, outward faces) per shell, innermost first (tests)."""
        return list(self._meshes)

    def colours(self) -> list[np.ndarray]:
        """The first vertex colour of each shell (tests and the legend)."""
        return [b.colour[0].copy() if len(b) else np.zeros(4) for b in self._batches]

    def paint(self) -> None:
        if not any(len(b) for b in self._batches):
            return
        self.setupGLState()
        GL.glDepthMask(GL.GL_FALSE)
        GL.glEnable(GL.GL_CULL_FACE)
        try:
            with FlatShader(self):
                GL.glCullFace(GL.GL_FRONT)  # far halves, outermost first
                for batch in reversed(self._batches):
                    self._draw(batch)
                GL.glCullFace(GL.GL_BACK)  # near halves, innermost first
                for batch in self._batches:
                    self._draw(batch)
        finally:
            GL.glDisable(GL.GL_CULL_FACE)
            GL.glDepthMask(GL.GL_TRUE)

    @staticmethod
    def _draw(batch: VertexBatch) -> None:
        if len(batch):
            batch.bind()
            GL.glDrawArrays(GL.GL_TRIANGLES, 0, len(batch))
