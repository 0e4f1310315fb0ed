"""The 3-D view: surface mesh, trajectories, axes and legend, with camera buttons.

Subscribes to the state: a new scene scale (a new surface, slice or height mode, see
``models.scene_scale.SceneModel``) rebuilds the mesh (only then); new trajectory rows are
appended to per-run caches of world points and handed to the trajectory item. Extra GL items
(eigenvector arrows, a Taylor patch) go in with ``add_item`` and place themselves with the
same scene model.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.runtime.pacing import RedrawThrottle, RunDrawing
from saddlelab.app.scene3d.axes import FONT_SIZE as AXES_POINTS
from saddlelab.app.scene3d.axes import GLAxes
from saddlelab.app.scene3d.colour_bar import ColourLegend
from saddlelab.app.scene3d.gl_window import GLSceneWindow
from saddlelab.app.scene3d.surface import GLLossSurface
from saddlelab.app.scene3d.trajectories import GLTrajectories
from saddlelab.app.style import WARNING, tint
from saddlelab.models.app_state import AppState
from saddlelab.models.runs import RunModel
from saddlelab.models.scene_scale import HEIGHT, SceneScale
from saddlelab.models.subscriptions import Subscriptions
from saddlelab.models.trajectory_buffer import thin_for_drawing

SWATCH_WIDTH = 4.0
"""Line width of a run's swatch in the colour legend (times the look's line scale)."""
TRAJECTORY_LIFT = 0.02
"""How far above the surface trajectories are drawn (world units; the surface is 2 wide)."""
DRAW_POINTS_3D = 1000
"""Most points drawn per trajectory in 3-D (older rows evenly thinned, the newest 500 exact)."""
CAMERA = {"distance": 3.1, "elevation": 28.0, "azimuth": -60.0}
"""Default camera: close enough that the surface fills the view at 1280 x 800."""
CAMERA_SHIFT = 0.18
"""The default camera looks this far (world units) left of the centre, so the surface sits
right of the middle: room on the left for the height axis' values (drawn beside the mesh)."""


class _RunCache:
    """World points of one run's trajectory, extended as rows arrive."""

    def __init__(self) -> None:
        self.key = None
        self.rows = 0
        self.world = np.empty((0, 3), dtype=np.float32)


class View3D(RunDrawing, QtWidgets.QWidget):
    """Surface + trajectories in OpenGL; camera by mouse, buttons and keys (T, F, 0)."""

    def __init__(self, state: AppState, resolution: int = 200, parent=None) -> None:
        super().__init__(parent)
        # A click anywhere in the view (its buttons and labels too) takes the keyboard focus
        # from the last edited field, so that the single-key shortcuts act.
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.ClickFocus)
        self.state = state
        self.resolution = resolution
        state.scene.set_resolution(resolution)
        self._caches: dict[int, _RunCache] = {}
        self._heights = None
        self._throttle = RedrawThrottle(self._redraw_run, 15, self, paints=False)
        self._build()
        self._subs = Subscriptions()
        on = self._subs.connect
        on(state.scene.changed, self.rebuild_surface)
        v = state.view
        on(v.events.log_height, self._on_log_changed)
        on(v.events.grid_lines, self.surface_item.set_show_grid)
        on(v.events.contour_lines, self.surface_item.set_show_contours)
        on(v.events.look, self._on_look)
        on(state.runs.added, self._on_run_added)
        on(state.runs.removed, self._on_run_removed)
        for run in state.runs:
            self._on_run_added(run)
        self.rebuild_surface()
        self.reset_camera()
        self._on_look(v.look)

    # -- layout --------
    def _build(self) -> None:
        self.gl = GLSceneWindow()
        self.gl.setBackgroundColor(QtGui.QColor(20, 20, 24))
        self.gl_widget = self.gl.container()
        self.gl_widget.setToolTip(
            "3-D view. Drag: orbit · Ctrl/middle-drag: pan · wheel: zoom. "
            "Keys: T top, F front, 0 reset view."
        )
        self.gl_widget.setMinimumSize(300, 240)
        self.surface_item = GLLossSurface()
        self.trajectories = GLTrajectories()
        self.axes = GLAxes()
        for item in (self.surface_item, self.axes, self.trajectories):
            self.gl.addItem(item)
        self.gl.detail_items.append(self.surface_item)
        self.legend = ColourLegend()

        bar = QtWidgets.QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        self.top_button = self._button("Top", "Look straight down (key T)", self.top_view)
        self.front_button = self._button("Front", "Look from the front (key F)", self.front_view)
        self.reset_button = self._button("Reset view", "Default camera (key 0)", self.reset_camera)
        self.log_box = self._check(
            "Log height",
            self.state.view.log_height,
            "Height and colour by log(loss − min): for surfaces whose "
            "values span orders of magnitude (Rosenbrock, Beale)",
            self.state.view.set_log_height,
        )
        self.grid_box = self._check(
            "Grid",
            self.state.view.grid_lines,
            "Grid lines on the surface",
            self.state.view.set_grid_lines,
        )
        self.contour_box = self._check(
            "Contours",
            self.state.view.contour_lines,
            "Contour lines (equal loss) on the surface",
            self.state.view.set_contour_lines,
        )
        for w in (self.top_button, self.front_button, self.reset_button):
            bar.addWidget(w)
        bar.addStretch(1)
        for w in (self.log_box, self.grid_box, self.contour_box):
            bar.addWidget(w)
        self.slice_note = QtWidgets.QLabel()
        self.slice_note.setWordWrap(True)
        tint(self.slice_note, WARNING)
        self.slice_note.setToolTip("3-parameter surfaces are shown as a 2-D slice")

        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.gl_widget, 1)
        row.addWidget(self.legend)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(3)
        layout.addLayout(bar)
        layout.addWidget(self.slice_note)
        layout.addLayout(row, 1)
        for key, slot in (("T", self.top_view), ("F", self.front_view), ("0", self.reset_camera)):
            shortcut = QtGui.QShortcut(QtGui.QKeySequence(key), self)
            shortcut.setContext(QtCore.Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

    def _button(self, text: str, tip: str, slot) -> QtWidgets.QPushButton:
        b = QtWidgets.QPushButton(text)
        b.setToolTip(tip)
        b.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        b.clicked.connect(slot)
        return b

    def _check(self, text: str, on: bool, tip: str, slot) -> QtWidgets.QCheckBox:
        c = QtWidgets.QCheckBox(text)
        c.setChecked(on)
        c.setToolTip(tip)
        c.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        c.toggled.connect(slot)
        return c

    # -- public API for other panels --------
    def add_item(self, item) -> None:
        """Add an extra GL item (drawn in world coordinates; see ``world``)."""
        self.gl.addItem(item)

    def remove_item(self, item) -> None:
        if item in self.gl.items:
            self.gl.removeItem(item)

    @property
    def scale(self) -> SceneScale:
        """The scene scale the view draws with (the state's, shared by every view)."""
        return self.state.scene.scale

    def world(self, xy: np.ndarray, lift: float = 0.0) -> np.ndarray:
        """World coordinates of plane points (k, 2) on the surface (the slice for 3 variables)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        return self.scale.world(xy, self.state.surface.plane_loss(xy), lift)

    # -- camera --------
    def reset_camera(self) -> None:
        az = np.radians(CAMERA["azimuth"])
        right = np.array([-np.sin(az), np.cos(az)])  # the screen's x direction on the floor
        cx, cy = -CAMERA_SHIFT * right
        self.gl.setCameraPosition(pos=QtGui.QVector3D(cx, cy, HEIGHT * 0.45), **CAMERA)

    def top_view(self) -> None:
        self.gl.setCameraPosition(
            pos=QtGui.QVector3D(0, 0, 0), distance=3.3, elevation=90, azimuth=-90
        )

    def front_view(self) -> None:
        self.gl.setCameraPosition(
            pos=QtGui.QVector3D(0, 0, HEIGHT * 0.45), distance=3.6, elevation=4, azimuth=-90
        )

    # -- surface --------
    def rebuild_surface(self) -> None:
        """Re-mesh for the current surface, slice and height scale."""
        model = self.state.surface
        xs, ys, values = model.grid(self.resolution)
        self.surface_item.set_grid(xs, ys, values, self.scale)
        self.surface_item.set_show_grid(self.state.view.grid_lines)
        self.surface_item.set_show_contours(self.state.view.contour_lines)
        self.axes.set_axes(self.scale, model.surface.variables[:2])
        self.legend.set_scale(self.scale)
        self.slice_note.setText(model.slice_label())
        self.slice_note.setVisible(model.ndim == 3)
        for run in self.state.runs:
            self._caches[run.id] = _RunCache()
            self._draw_run(run)

    def _on_look(self, look) -> None:
        """Presentation mode: larger axis labels, thicker trajectories and swatches."""
        self.axes.set_font_size(AXES_POINTS * look.type_scale)
        self.trajectories.set_line_scale(look.line_scale)
        self.legend.line_width = SWATCH_WIDTH * look.line_scale
        self.legend.update()

    def _on_log_changed(self, on: bool) -> None:
        if self.log_box.isChecked() != on:
            self.log_box.setChecked(on)

    # -- runs --------
    def _on_run_added(self, run: RunModel) -> None:
        self._caches[run.id] = _RunCache()
        self._subs.connect(run.data_changed, self._mark_run, key=run)
        self._subs.connect(run.appearance_changed, self._on_appearance, key=run)
        self._draw_run(run)
        self._update_legend()

    def _on_run_removed(self, run: RunModel) -> None:
        self._subs.clear(run)
        self._throttle.discard(run.id)
        self._caches.pop(run.id, None)
        self.trajectories.remove_run(run.id)
        self._update_legend()

    def _on_appearance(self, run: RunModel) -> None:
        self._draw_run(run)
        self._update_legend()

    def _update_legend(self) -> None:
        self.legend.set_runs([(r.colour, r.title) for r in self.state.runs if r.visible])

    def _draw_run(self, run: RunModel) -> None:
        # Wide lines cost software OpenGL two triangles per segment: draw at most
        # DRAW_POINTS_3D points (the newest exactly), as the 2-D view does.
        world = thin_for_drawing(self.run_world(run), DRAW_POINTS_3D)
        self.trajectories.set_run(run.id, world, run.colour, run.visible)

    def run_world(self, run: RunModel) -> np.ndarray:
        """World points (n, 3) of every recorded row of ``run`` (row k is trajectory row k;
        an animation draws a prefix of them)."""
        cache = self._caches.setdefault(run.id, _RunCache())
        traj = run.trajectory
        key = (run.generation, traj.epoch, id(self.scale))
        if key != cache.key:
            cache.key, cache.rows = key, 0
            cache.world = np.empty((0, 3), dtype=np.float32)
        n = len(traj)
        if n > cache.rows:
            cache.world = np.concatenate([cache.world, self._world_rows(run, cache.rows, n)])
            cache.rows = n
        return cache.world

    def _world_rows(self, run: RunModel, a: int, b: int) -> np.ndarray:
        """World points of trajectory rows, lying on the drawn mesh (not under it).

        Heights come from the mesh's own grid (bilinear), so a trajectory in a valley narrower
        than the mesh spacing (Rosenbrock in log height) still shows on the surface; for 3
        variables this is also the projection onto the slice.
        """
        xy = run.trajectory.points[a:b, :2]
        out = self.scale.world(xy, np.zeros(len(xy)), 0.0)
        out[:, 2] = self._mesh_height(xy) + TRAJECTORY_LIFT
        return out

    def _height_grid(self):
        """The mesh's grid and its world heights (computed once per scale, not per redraw)."""
        if self._heights is None or self._heights[0] is not self.scale:
            xs, ys, values = self.state.surface.grid(self.resolution)
            u = self.scale.unit(values) * HEIGHT
            # where the loss is undefined there is no mesh: points there lie on the floor
            self._heights = (self.scale, xs, ys, np.where(np.isnan(u), 0.0, u))
        return self._heights[1:]

    def _mesh_height(self, xy: np.ndarray) -> np.ndarray:
        xs, ys, u = self._height_grid()
        finite = np.isfinite(xy).all(axis=1)
        safe = np.where(finite[:, None], xy, 0.0)
        fx = np.clip((safe[:, 0] - xs[0]) / (xs[1] - xs[0]), 0, len(xs) - 1.000001)
        fy = np.clip((safe[:, 1] - ys[0]) / (ys[1] - ys[0]), 0, len(ys) - 1.000001)
        i, j = np.floor(fx).astype(int), np.floor(fy).astype(int)
        tx, ty = fx - i, fy - j
        i1, j1 = np.minimum(i + 1, len(xs) - 1), np.minimum(j + 1, len(ys) - 1)
        z = (
            u[i, j] * (1 - tx) * (1 - ty)
            + u[i1, j] * tx * (1 - ty)
            + u[i, j1] * (1 - tx) * ty
            + u[i1, j1] * tx * ty
        )
        return np.where(finite, z, np.nan)

    def close_view(self) -> None:
        """Disconnect from the state (the window calls this when it closes)."""
        self._subs.clear()
        self._throttle.flush()
