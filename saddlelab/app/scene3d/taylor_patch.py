"""The second-order Taylor model as a translucent patch around the probe point in 3-D.

:func:`patch_grid` lays a polar grid of the given radius around the probe in the views' plane
(numpy only); the controller evaluates the core's TaylorModel there and lifts the values with
the 3-D view's height mapping; :class:`GLTaylorPatchItem` stores the lifted arrays and draws a
translucent skin with a wire grid on top, so the model's shape reads even in a flat colour.
Where the model leaves the surface's height range (a quadratic keeps rising or falling) the
patch is cut off instead of being flattened against the floor or ceiling.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from OpenGL import GL
from pyqtgraph.opengl import GLGraphicsItem

from saddlelab.app.scene3d.primitives import (
    TRANSLUCENT,
    FlatShader,
    VertexBatch,
    can_set_line_width,
)
from saddlelab.app.style import PATCH_COLOUR, rgba


@lru_cache(maxsize=4)
def _unit_grid(rings: int, sectors: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The polar grid of radius 1 around 0 and its triangles and wires (built once)."""
    angles = np.linspace(0.0, 2.0 * np.pi, sectors, endpoint=False)
    radii = np.arange(1, rings + 1) / rings
    ring_pts = radii[:, None, None] * np.stack([np.cos(angles), np.sin(angles)], -1)[None]
    points = np.concatenate([np.zeros((1, 2)), ring_pts.reshape(-1, 2)])

    def vid(r: int, s: int) -> int:
        return 1 + r * sectors + (s % sectors)

    faces = [(0, vid(0, s), vid(0, s + 1)) for s in range(sectors)]
    for r in range(rings - 1):
        for s in range(sectors):
            a, b = vid(r, s), vid(r, s + 1)
            c, d = vid(r + 1, s), vid(r + 1, s + 1)
            faces += [(a, c, d), (a, d, b)]
    wires = []
    for r in range(rings):
        if r % 4 == 3 or r == rings - 1:
            wires += [(vid(r, s), vid(r, s + 1)) for s in range(sectors)]
    for s in range(0, sectors, sectors // 8):
        wires.append((0, vid(0, s)))
        wires += [(vid(r, s), vid(r + 1, s)) for r in range(rings - 1)]
    face_array, wire_array = np.array(faces, np.int32), np.array(wires, np.int32)
    for arr in (points, face_array, wire_array):
        arr.setflags(write=False)  # shared by every patch: nobody may change them
    return points, face_array, wire_array


def patch_grid(center: np.ndarray, radius: float, rings: int = 12, sectors: int = 48):
    """Polar grid around ``center[:2]``: points (n, 2), triangles (m, 3), wire segments (k, 2).

    Vertex 0 is the centre; ring r (1..rings) has ``sectors`` vertices at radius r/rings.
    """
    unit, faces, wires = _unit_grid(rings, sectors)
    return np.asarray(center, dtype=float)[:2] + radius * unit, faces, wires


class GLTaylorPatchItem(GLGraphicsItem.GLGraphicsItem):
    """Translucent triangles plus a wire grid; vertices marked invisible cut their triangles."""

    def __init__(self, colour: str = PATCH_COLOUR, alpha: float = 0.28, parentItem=None) -> None:
        super().__init__(parentItem=parentItem)
        self.setGLOptions(TRANSLUCENT)
        self.setDepthValue(10)  # after the opaque surface, so blending shows it through
        self.colour, self.alpha = colour, float(alpha)
        self._skin = VertexBatch()
        self._wire = VertexBatch()
        self._pos = np.zeros((0, 3), np.float32)

    def setData(self, pos=None, faces=None, wires=None, visible=None) -> None:  # noqa: N802
        """Store scene positions (n, 3), triangles (m, 3), wire segments (k, 2), mask (n,)."""
        if pos is None or len(pos) == 0:
            self._pos = np.zeros((0, 3), np.float32)
            self._skin.set(np.zeros((0, 3)), np.zeros((0, 4)))
            self._wire.set(np.zeros((0, 3)), np.zeros((0, 4)))
            self.update()
            return
        pos = np.asarray(pos, dtype=np.float32).reshape(-1, 3)
        faces = np.asarray(faces, dtype=np.int64).reshape(-1, 3)
        wires = np.asarray(wires, dtype=np.int64).reshape(-1, 2)
        visible = np.ones(len(pos), bool) if visible is None else np.asarray(visible, bool)
        faces = faces[np.all(visible[faces], axis=1)]
        wires = wires[np.all(visible[wires], axis=1)]
        self._pos = pos
        skin = pos[faces.reshape(-1)]
        self._skin.set(skin, np.tile(rgba(self.colour, self.alpha), (len(skin), 1)))
        wire = pos[wires.reshape(-1)]
        self._wire.set(wire, np.tile(rgba(self.colour, 0.55), (len(wire), 1)))
        self.update()

    def clear(self) -> None:
        self.setData()

    def positions(self) -> np.ndarray:
        """The stored scene vertices (for tests: heights equal the lifted Taylor model)."""
        return self._pos.copy()

    def paint(self) -> None:
        if len(self._skin) == 0 and len(self._wire) == 0:
            return
        self.setupGLState()
        GL.glDepthMask(GL.GL_FALSE)  # translucent: don't hide what lies behind
        with FlatShader(self):
            if len(self._skin):
                self._skin.bind()
                GL.glDrawArrays(GL.GL_TRIANGLES, 0, len(self._skin))
            if len(self._wire):
                if can_set_line_width():
                    GL.glLineWidth(1.5 * self.view().pixel_scale)
                self._wire.bind()
                GL.glDrawArrays(GL.GL_LINES, 0, len(self._wire))
                if can_set_line_width():
                    GL.glLineWidth(1.0)
        GL.glDepthMask(GL.GL_TRUE)
