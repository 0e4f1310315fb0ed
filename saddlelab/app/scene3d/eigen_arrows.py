"""Hessian eigenvector arrows at the probe point, lifted onto the 3-D surface.

One double-headed arrow per eigenvector, in the parameter plane, following the surface height
along its length; red where the eigenvalue is negative (the loss falls: an escape direction),
near-white where it is positive, grey where it is zero within the tolerance. Arrow length grows
with |λ| (clamped, so a weak direction stays visible). For 3-parameter surfaces the arrows show
each eigenvector's components in the displayed slice.

:func:`eigen_arrow_geometry` computes the arrows in the plane (numpy only, testable without GL);
:func:`lift_arrows` maps them into the 3-D view's scene coordinates with the view's own height
mapping; :class:`GLEigenArrowsItem` stores the lifted arrays and draws them in ``paint()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from OpenGL import GL
from pyqtgraph.opengl import GLGraphicsItem

from saddlelab.app.scene3d.primitives import (
    DRAW_ON_TOP,
    FlatShader,
    VertexBatch,
    can_set_line_width,
)
from saddlelab.app.style import NEGATIVE, eigen_colour, rgba

MIN_FRACTION = 0.3
"""Shortest arrow as a fraction of the longest: weak curvature must still be visible."""
HIDDEN_IN_SLICE = 0.05
"""Eigenvectors whose in-slice component is shorter than this are not drawn."""


@dataclass(frozen=True)
class EigenArrow:
    """One arrow in the views' plane: a sampled shaft from tail to tip and two head triangles."""

    index: int
    eigenvalue: float
    direction: np.ndarray
    """Unit direction in the plane (the eigenvector's in-slice components, normalised)."""
    in_slice: float
    """Length of the eigenvector's in-slice part (1 for 2-parameter surfaces)."""
    shaft: np.ndarray
    """(k, 2) points from one tip to the other."""
    heads: np.ndarray
    """(2, 3, 2) triangles: one at each end."""
    colour: str


def eigen_arrow_geometry(
    center: np.ndarray,
    eigenvalues: np.ndarray,
    eigenvectors: np.ndarray,
    tolerance: float,
    base_length: float,
    samples: int = 33,
) -> list[EigenArrow]:
    """Arrows for eigenvectors (rows) of a point whose first two coordinates are the plane's.

    The half-length of arrow i is ``base_length · clamp(|λ_i| / max|λ|, 0.3, 1) · r_i``, where
    ``r_i`` is the length of the eigenvector's in-plane part (1 in 2-D).
    """
    c = np.asarray(center, dtype=float)[:2]
    lam = np.asarray(eigenvalues, dtype=float)
    vecs = np.asarray(eigenvectors, dtype=float)
    scale = float(np.abs(lam).max()) if lam.size else 0.0
    arrows = []
    for i, (value, vec) in enumerate(zip(lam, vecs, strict=True)):
        planar = vec[:2]
        r = float(np.linalg.norm(planar))
        if r < HIDDEN_IN_SLICE:
            continue
        u = planar / r
        fraction = abs(value) / scale if scale > 0 else 1.0
        half = base_length * min(max(fraction, MIN_FRACTION), 1.0) * min(r, 1.0)
        t = np.linspace(-half, half, samples)
        shaft = c + t[:, None] * u
        head_len = min(0.28 * base_length, 0.6 * half)
        head_half_width = 0.45 * head_len
        normal = np.array([-u[1], u[0]])
        heads = []
        for sign in (1.0, -1.0):
            tip = c + sign * half * u
            back = tip - sign * head_len * u
            heads.append([tip, back + head_half_width * normal, back - head_half_width * normal])
        arrows.append(
            EigenArrow(
                i, float(value), u, r, shaft, np.array(heads), eigen_colour(value, tolerance)
            )
        )
    return arrows


Lift = Callable[[np.ndarray], np.ndarray]
"""Plane points (n, 2) to 3-D scene points (n, 3) on (just above) the displayed surface."""


def lift_arrows(arrows: list[EigenArrow], lift: Lift) -> dict:
    """Scene-coordinate arrays for :meth:`GLEigenArrowsItem.setData`."""
    return {
        "shafts": [lift(a.shaft) for a in arrows],
        "heads": [lift(a.heads.reshape(-1, 2)).reshape(2, 3, 3) for a in arrows],
        "colours": [a.colour for a in arrows],
        "emphasis": [a.colour == NEGATIVE for a in arrows],
    }


class GLEigenArrowsItem(GLGraphicsItem.GLGraphicsItem):
    """Draws lifted double-headed arrows with a dark outline, on top of the surface."""

    def __init__(self, width: float = 5.0, parentItem=None) -> None:
        super().__init__(parentItem=parentItem)
        self.setGLOptions(DRAW_ON_TOP)
        self.setDepthValue(30)  # after the surface and the Taylor patch (markers go over)
        self.width = float(width)
        self._lines = VertexBatch()
        self._line_outline = VertexBatch()
        self._heads = VertexBatch()
        self._head_outline = VertexBatch()
        self._ranges: list[tuple[int, int, float]] = []

    def setData(self, shafts=(), heads=(), colours=(), emphasis=()) -> None:  # noqa: N802
        """Store scene-coordinate arrows: shafts (k, 3) each, heads (2, 3, 3) each."""
        shafts = [np.asarray(s, dtype=np.float32).reshape(-1, 3) for s in shafts]
        heads = [np.asarray(h, dtype=np.float32).reshape(-1, 3) for h in heads]
        emphasis = list(emphasis) or [False] * len(shafts)
        self._ranges = []
        first = 0
        line_cols, head_cols = [], []
        for shaft, colour, strong in zip(shafts, colours, emphasis, strict=True):
            width = self.width * (1.4 if strong else 1.0)
            self._ranges.append((first, len(shaft), width))
            first += len(shaft)
            line_cols.append(np.tile(rgba(colour), (len(shaft), 1)))
            head_cols.append(np.tile(rgba(colour), (6, 1)))
        pos = np.concatenate(shafts) if shafts else np.zeros((0, 3), np.float32)
        head_pos = np.concatenate(heads) if heads else np.zeros((0, 3), np.float32)
        black = (0.02, 0.02, 0.05, 0.85)
        self._lines.set(pos, np.concatenate(line_cols) if line_cols else np.zeros((0, 4)))
        self._line_outline.set(pos, np.tile(black, (len(pos), 1)))
        self._heads.set(head_pos, np.concatenate(head_cols) if head_cols else np.zeros((0, 4)))
        self._head_outline.set(head_pos, np.tile(black, (len(head_pos), 1)))
        self.update()

    def clear(self) -> None:
        self.setData()

    def shaft_positions(self) -> np.ndarray:
        """The stored shaft vertices (scene coordinates), for tests and picking."""
        return self._lines.pos.copy()

    def arrow_ranges(self) -> list[tuple[int, int, float]]:
        """(first vertex, vertex count, line width) per arrow."""
        return list(self._ranges)

    def paint(self) -> None:
        if not self._ranges:
            return
        self.setupGLState()
        wide = can_set_line_width()
        px = self.view().pixel_scale  # an export at 1x-4x: widths in its pixels
        with FlatShader(self):
            self._line_outline.bind()
            for first, count, width in self._ranges:
                if wide:
                    GL.glLineWidth((width + 4.0) * px)
                GL.glDrawArrays(GL.GL_LINE_STRIP, first, count)
            self._head_outline.bind()
            if wide:
                GL.glLineWidth(3.0 * px)
            for k in range(len(self._heads) // 3):
                GL.glDrawArrays(GL.GL_LINE_LOOP, 3 * k, 3)
            self._lines.bind()
            for first, count, width in self._ranges:
                if wide:
                    GL.glLineWidth(width * px)
                GL.glDrawArrays(GL.GL_LINE_STRIP, first, count)
            self._heads.bind()
            GL.glDrawArrays(GL.GL_TRIANGLES, 0, len(self._heads))
        if wide:
            GL.glLineWidth(1.0)
