"""The loss surface in 3-D: a mesh coloured by loss, with optional grid and contour lines.

``set_grid`` stores CPU arrays in the child items (which upload them in ``paint``); it runs
only when the surface, the slice or the height scale changes, never per optimizer step.
Lighting is baked into the vertex colours from the grid's own slopes, which is much cheaper
than asking the mesh for normals and reads well under software OpenGL.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyqtgraph.opengl as gl
from pyqtgraph.opengl.GLGraphicsItem import GLGraphicsItem

from saddlelab.app.style import CONTOUR_LEVELS, height_rgba
from saddlelab.core import isolines
from saddlelab.models.scene_scale import HEIGHT, SceneScale

GRID_LINES = 12
"""Grid lines per axis drawn on the surface."""
LIFT = 0.006
"""Height of grid and contour lines above the mesh (world units), so they are not z-fighting."""
LIGHT = np.array([0.35, -0.45, 0.82]) / np.linalg.norm([0.35, -0.45, 0.82])


@cache
def _faces(nx: int, ny: int) -> np.ndarray:
    """Two triangles per grid cell, vertex index i * ny + j (cached per resolution)."""
    i, j = np.meshgrid(np.arange(nx - 1), np.arange(ny - 1), indexing="ij")
    a = (i * ny + j).ravel()
    b, c, d = a + ny, a + ny + 1, a + 1
    return np.concatenate([np.stack([a, b, c], 1), np.stack([a, c, d], 1)]).astype(np.uint32)


def _defined_faces(undefined: np.ndarray) -> np.ndarray:
    """The grid's triangles (see :func:`_faces`) without those touching an undefined point."""
    faces = _faces(*undefined.shape)
    if not undefined.any():
        return faces
    return faces[~undefined.ravel()[faces].any(axis=1)]


class _Switchable:
    """An item the surface can skip for a frame without requesting another one.

    (``setVisible`` asks the view for a repaint, which inside ``paintGL`` would keep the view
    animating for ever.)
    """

    shown = True

    def visible(self) -> bool:
        return self.shown and super().visible()


class _SwitchableMesh(_Switchable, gl.GLMeshItem):
    pass


class _SwitchableLines(_Switchable, gl.GLLinePlotItem):
    pass


def _every_other(n: int) -> np.ndarray:
    """Indices 0, 2, 4, ... plus the last one (the coarse mesh keeps the domain's edges)."""
    return np.unique(np.concatenate([np.arange(0, n, 2), [n - 1]]))


def _min3x3(z: np.ndarray) -> np.ndarray:
    """Minimum over each point's 3 x 3 neighbourhood (edges padded)."""
    p = np.pad(z, 1, mode="edge")
    n, m = z.shape
    out = p[1:-1, 1:-1].copy()
    for di in (0, 1, 2):
        for dj in (0, 1, 2):
            np.minimum(out, p[di : di + n, dj : dj + m], out=out)
    return out


class GLLossSurface(GLGraphicsItem):
    """Surface mesh plus grid-line and contour-line overlays (child items).

    ``set_coarse(True)`` draws a mesh of every other grid point instead (a quarter of the
    triangles), and contour lines traced on that coarser grid, while the view animates under
    software OpenGL; see ``GLSceneWindow``.
    """

    def __init__(self, parentItem=None) -> None:
        super().__init__(parentItem=parentItem)
        options = dict(smooth=True, computeNormals=False, shader=None, glOptions="opaque")
        self.mesh = _SwitchableMesh(parentItem=self, **options)
        self.coarse_mesh = _SwitchableMesh(parentItem=self, **options)
        self.coarse_mesh.shown = False
        self.grid = gl.GLLinePlotItem(
            parentItem=self, mode="lines", color=(1, 1, 1, 0.28), width=1, glOptions="translucent"
        )
        lines = dict(
            parentItem=self,
            mode="lines",
            color=(1, 1, 1, 0.85),
            width=1,  # 1-px lines: llvmpipe turns wider ones into triangles, ~3 ms a frame
            glOptions="translucent",
            antialias=False,
        )
        self.contours = _SwitchableLines(**lines)
        # The same levels traced on the coarse grid: about half the segments (the full set,
        # ~30 000 segments on a 200 x 200 grid, is the costliest item of a software frame).
        self.coarse_contours = _SwitchableLines(**lines)
        self.coarse_contours.shown = False
        self.levels = np.empty(0)

    def set_grid(self, xs: np.ndarray, ys: np.ndarray, values: np.ndarray, scale: SceneScale):
        """Rebuild the mesh and its overlays for loss ``values[i, j]`` at ``(xs[i], ys[j])``.

        Where the loss is undefined (NaN) there is no surface: the faces and grid lines that
        touch such a point are left out (never drawn at some height as if it were a value).
        """
        nx, ny = values.shape
        wx, wy = scale.wx(xs), scale.wy(ys)
        u = scale.unit(values)
        undefined = np.isnan(u)
        wz = np.where(undefined, 0.0, u * HEIGHT)  # a placeholder: no face uses these points
        verts = np.empty((nx, ny, 3), dtype=np.float32)
        verts[..., 0] = wx[:, None]
        verts[..., 1] = wy[None, :]
        verts[..., 2] = wz
        colours = height_rgba(u)
        colours[..., :3] = (colours[..., :3] * self._shade(wx, wy, wz)[..., None]).astype(np.uint8)
        self.mesh.setMeshData(
            vertexes=verts.reshape(-1, 3),
            faces=_defined_faces(undefined),
            vertexColors=colours.reshape(-1, 4),
        )
        ci, cj = _every_other(nx), _every_other(ny)
        low = verts.copy()
        # the coarse mesh never rises above the full one, so trajectories stay on top
        low[..., 2] = np.nan_to_num(_min3x3(np.where(undefined, np.inf, wz)), posinf=0.0)
        coarse_v = np.ascontiguousarray(low[np.ix_(ci, cj)])
        coarse_c = np.ascontiguousarray(colours[np.ix_(ci, cj)])
        self.coarse_mesh.setMeshData(
            vertexes=coarse_v.reshape(-1, 3),
            faces=_defined_faces(undefined[np.ix_(ci, cj)]),
            vertexColors=coarse_c.reshape(-1, 4),
        )
        self.grid.setData(pos=self._grid_lines(verts, undefined))
        self.levels = scale.levels(CONTOUR_LEVELS)
        self.contours.setData(pos=self._contour_lines(xs, ys, values, scale))
        coarse_lines = self._contour_lines(xs[ci], ys[cj], values[np.ix_(ci, cj)], scale)
        self.coarse_contours.setData(pos=coarse_lines)

    def _contour_lines(self, xs, ys, values, scale: SceneScale) -> np.ndarray:
        """Segments of the iso-lines at ``self.levels``, at their level's height (lifted)."""
        seg = isolines.segments(xs, ys, values, self.levels)
        pos = np.empty((len(seg), 3), dtype=np.float32)
        if len(seg):
            pos[:, 0], pos[:, 1] = scale.wx(seg[:, 0]), scale.wy(seg[:, 1])
            pos[:, 2] = scale.wz(seg[:, 2]) + LIFT
        return pos

    @staticmethod
    def _shade(wx: np.ndarray, wy: np.ndarray, wz: np.ndarray) -> np.ndarray:
        """Lambert factor of a fixed light from the grid's slopes (ambient 0.5)."""
        dzx, dzy = np.gradient(wz, wx, wy)
        norm = np.sqrt(dzx**2 + dzy**2 + 1.0)
        lam = (-dzx * LIGHT[0] - dzy * LIGHT[1] + LIGHT[2]) / norm
        return (0.5 + 0.5 * np.clip(lam, 0.0, 1.0)).astype(np.float32)

    @staticmethod
    def _grid_lines(verts: np.ndarray, undefined: np.ndarray) -> np.ndarray:
        """Segments along GRID_LINES rows and columns of the mesh, lifted slightly (none
        that touches an undefined point)."""
        nx, ny, _ = verts.shape
        rows = np.unique(np.linspace(0, nx - 1, GRID_LINES).round().astype(int))
        cols = np.unique(np.linspace(0, ny - 1, GRID_LINES).round().astype(int))
        lines = [(verts[r, :, :], undefined[r, :]) for r in rows]
        lines += [(verts[:, c, :], undefined[:, c]) for c in cols]
        parts = []
        for line, gap in lines:
            seg = np.empty((len(line) - 1, 2, 3), dtype=np.float32)
            seg[:, 0], seg[:, 1] = line[:-1], line[1:]
            parts.append(seg[~(gap[:-1] | gap[1:])].reshape(-1, 3))
        pos = np.concatenate(parts)
        pos[:, 2] += LIFT
        return pos

    def set_coarse(self, on: bool) -> None:
        """Draw the coarse mesh and contour lines instead of the full ones (takes effect in
        the current frame)."""
        self.mesh.shown = self.contours.shown = not on
        self.coarse_mesh.shown = self.coarse_contours.shown = bool(on)

    def set_show_grid(self, on: bool) -> None:
        self.grid.setVisible(bool(on))

    def set_show_contours(self, on: bool) -> None:
        self.contours.setVisible(bool(on))
        self.coarse_contours.setVisible(bool(on))
