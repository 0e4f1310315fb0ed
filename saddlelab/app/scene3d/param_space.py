"""The parameter-space view of a 3-parameter loss: (θ1, θ2, θ3) itself, in OpenGL.

Nested translucent isosurfaces of the loss (levels from the loss's quantiles, or the user's;
meshed off the GUI thread by ``runtime.isosurface_job``), three slice planes with a heat map
each (θ3's is the state's slice: the contour view and the height map show it), the runs as
3-D polylines with their heads, and the second-order story at the probe (``space_overlay``).
Parameter coordinates map to the scene by scaling the domain box to the cube [-1, 1]^3
(``world``); other panels add GL items with ``add_item`` (e.g. a swarm's point cloud).

Colours: the app's colour map over the loss's *quantile* in the box (the share of the box
below it), the scale the default levels are chosen on, so the shells and the planes agree.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from saddlelab.app.runtime.isosurface_job import IsosurfaceJob
from saddlelab.app.runtime.pacing import RedrawThrottle, RunDrawing
from saddlelab.app.scene3d.gl_window import GLSceneWindow
from saddlelab.app.scene3d.isosurface_items import GLShells
from saddlelab.app.scene3d.level_picker import LevelPicker
from saddlelab.app.scene3d.slice_planes import GLSlicePlanes, dragged_value, pick_plane
from saddlelab.app.scene3d.space_axes import GLSpaceAxes
from saddlelab.app.scene3d.space_controls import SliceSliders
from saddlelab.app.scene3d.space_overlay import SpaceOverlay
from saddlelab.app.scene3d.trajectories import GLTrajectories
from saddlelab.app.scene3d.view import DRAW_POINTS_3D
from saddlelab.app.style import height_rgba
from saddlelab.models.subscriptions import Subscriptions
from saddlelab.models.trajectory_buffer import thin_for_drawing

CAMERA = {"distance": 4.9, "elevation": 16.0, "azimuth": -35.0}
CAMERA_SHIFT = 0.8
"""The default camera looks this far (scene units) right of the box's centre, so the box sits
left of the middle: room on the right for the in-scene legend."""
PLANE_GRID = 64
COLOUR_GRID = 24
"""Grid per axis of the loss sample the colour scale's quantiles come from."""
INNER_ALPHA, OUTER_ALPHA = 0.7, 0.14


class _SpaceWindow(GLSceneWindow):
    """The GL window: a press on a slice plane's frame drags the plane, else the camera."""

    def __init__(self, owner: ParameterSpaceView) -> None:
        super().__init__()
        self.owner = owner
        self._drag: tuple[int, float, QtCore.QPointF] | None = None

    def mousePressEvent(self, ev: QtGui.QMouseEvent) -> None:  # noqa: N802 - Qt naming
        pos = ev.position()
        axis = pick_plane(self, self.owner.planes, pos.x(), pos.y())
        if axis is not None and ev.button() == QtCore.Qt.MouseButton.LeftButton:
            self._drag = (axis, self.owner.planes.coords[axis], pos)
            self.owner.planes.set_highlight(axis)
            ev.accept()
            return
        super().mousePressEvent(ev)

    def mouseMoveEvent(self, ev: QtGui.QMouseEvent) -> None:  # noqa: N802 - Qt naming
        if self._drag is None:
            super().mouseMoveEvent(ev)
            return
        axis, coord, start = self._drag
        pos = ev.position()
        scene = dragged_value(self, axis, coord, (start.x(), start.y()), (pos.x(), pos.y()))
        self.owner.set_plane(axis, self.owner.from_scene(axis, scene))

    def mouseReleaseEvent(self, ev: QtGui.QMouseEvent) -> None:  # noqa: N802 - Qt naming
        if self._drag is not None:
            self._drag = None
            self.owner.planes.set_highlight(None)
            return
        super().mouseReleaseEvent(ev)


class ParameterSpaceView(RunDrawing, QtWidgets.QWidget):
    """(θ1, θ2, θ3) in 3-D; ``add_item``, ``remove_item``, ``world`` for other panels."""

    isosurfaces_shown = QtCore.Signal(object)
    """The meshes now drawn (an IsosurfaceResult), after they arrived from the job."""

    def __init__(self, state, parent=None, grid: int = 64) -> None:
        super().__init__(parent)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.ClickFocus)
        self.state = state
        self.job = IsosurfaceJob(grid, self)
        self.job.arrived.connect(self._on_meshes)
        self.job.failed.connect(self._on_failed)
        self.result = None
        self._levels: list[float] | None = None  # None: the quantile defaults
        self._values = np.zeros(1)
        self.plane_values = [0.0, 0.0, 0.0]
        self._caches: dict[int, tuple] = {}
        self._throttle = RedrawThrottle(self._redraw_run, 15, self, paints=False)
        self._build()
        self.overlay = SpaceOverlay(state, self)
        self._subs = Subscriptions()
        on = self._subs.connect
        on(state.surface.changed, self.rebuild)
        on(state.surface.slice_changed, self._on_slice)
        on(state.runs.added, self._on_run_added)
        on(state.runs.removed, self._on_run_removed)
        on(state.view.events.look, self._on_look)
        for run in state.runs:
            self._on_run_added(run)
        self.rebuild()
        self.reset_camera()

    # -- layout --------
    def _build(self) -> None:
        self.gl = _SpaceWindow(self)
        self.gl.setBackgroundColor(QtGui.QColor(20, 20, 24))
        self.gl_widget = self.gl.container()
        self.gl_widget.setToolTip(
            "Parameter space. Drag: orbit · Ctrl/middle-drag: pan · wheel: zoom · drag a "
            "coloured plane frame: move that slice. Keys: T top, F front, 0 reset view."
        )
        self.gl_widget.setMinimumSize(300, 240)
        self.axes = GLSpaceAxes()
        self.planes = GLSlicePlanes()
        self.shells = GLShells()
        self.trajectories = GLTrajectories()
        for item in (self.axes, self.planes, self.shells, self.trajectories):
            self.gl.addItem(item)
        self.trajectories.setDepthValue(35)  # after the shells, before the arrows
        bar = QtWidgets.QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for text, tip, slot in (
            ("Top", "Look down θ3 (key T)", self.top_view),
            ("Front", "Look along θ2 (key F)", self.front_view),
            ("Reset", "Default camera (key 0)", self.reset_camera),
        ):
            b = QtWidgets.QPushButton(text)
            b.setToolTip(tip)
            b.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
            b.clicked.connect(slot)
            bar.addWidget(b)
        self.level_picker = LevelPicker()
        self.level_picker.levels_chosen.connect(self.set_levels)
        self.level_picker.defaults_chosen.connect(lambda: self.set_levels(None))
        bar.addWidget(self.level_picker, 1)
        self.sliders = SliceSliders()
        self.sliders.moved.connect(self.set_plane)
        self.sliders.toggled.connect(self.planes.show_plane)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(3)
        layout.addLayout(bar)
        layout.addWidget(self.sliders)
        layout.addWidget(self.gl_widget, 1)
        for key, slot in (("T", self.top_view), ("F", self.front_view), ("0", self.reset_camera)):
            shortcut = QtGui.QShortcut(QtGui.QKeySequence(key), self)
            shortcut.setContext(QtCore.Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

    # -- public API --------
    def add_item(self, item) -> None:
        """Add a GL item drawn in scene coordinates (see ``world``)."""
        self.gl.addItem(item)

    def remove_item(self, item) -> None:
        if item in self.gl.items:
            self.gl.removeItem(item)

    def _box(self) -> np.ndarray:
        domain = self.state.surface.surface.domain
        if len(domain) != 3:
            return np.array([[-1.0, 1.0]] * 3)
        return np.array(domain, dtype=float)

    def world_scale(self) -> np.ndarray:
        """Scene units per parameter unit along each axis."""
        box = self._box()
        return 2.0 / (box[:, 1] - box[:, 0])

    def world(self, points: np.ndarray) -> np.ndarray:
        """Scene coordinates (n, 3) of parameter points (n, 3): the domain box to [-1, 1]^3."""
        p = np.asarray(points, dtype=float).reshape(-1, 3)
        box = self._box()
        return ((p - box[:, 0]) * self.world_scale() - 1.0).astype(np.float32)

    def from_scene(self, axis: int, coord: float) -> float:
        lo, hi = self._box()[axis]
        return float(lo + (coord + 1.0) / 2.0 * (hi - lo))

    # -- camera --------
    def reset_camera(self) -> None:
        az = np.radians(CAMERA["azimuth"])
        cx, cy = CAMERA_SHIFT * np.array([-np.sin(az), np.cos(az)])  # the screen's x direction
        self.gl.setCameraPosition(pos=QtGui.QVector3D(cx, cy, 0.1), **CAMERA)

    def top_view(self) -> None:
        self.gl.setCameraPosition(
            pos=QtGui.QVector3D(0, 0, 0), distance=5.6, elevation=90, azimuth=-90
        )

    def front_view(self) -> None:
        self.gl.setCameraPosition(
            pos=QtGui.QVector3D(0, 0, 0), distance=5.6, elevation=0, azimuth=-90
        )

    # -- the loss: colours, planes, isosurfaces --------
    def rebuild(self, *_) -> None:
        """A new surface: axes, colour scale, planes, runs, and new isosurfaces (in the job)."""
        model = self.state.surface
        if model.ndim != 3:
            self.job.cancel()
            self.shells.clear()
            self.result = None
            return
        surface = model.surface
        self.axes.set_axes(surface.domain, surface.variables)
        axes = [np.linspace(lo, hi, COLOUR_GRID) for lo, hi in surface.domain]
        grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
        with np.errstate(all="ignore"):
            values = np.asarray(surface.loss(grid), dtype=float)
        self._values = (
            np.sort(values[np.isfinite(values)]) if np.isfinite(values).any() else np.zeros(1)
        )
        self.sliders.set_domain(surface.domain, surface.variables)
        mids = [0.5 * (lo + hi) for lo, hi in surface.domain[:2]]
        for axis, value in enumerate((*mids, model.slice_value)):
            self.set_plane(axis, value, force=True)
        self._levels = None
        self.shells.clear()
        self.result = None
        self.job.request(surface, None)
        for run in self.state.runs:
            self._caches.pop(run.id, None)
            self._draw_run(run)
        self.overlay.redraw()

    def colour_unit(self, values) -> np.ndarray:
        """The colour coordinate of losses: their quantile among the box's sampled losses."""
        v = np.asarray(values, dtype=float)
        u = np.searchsorted(self._values, np.nan_to_num(v, nan=0.0)) / max(len(self._values), 1)
        return np.where(np.isfinite(v), u, np.nan)

    def set_plane(self, axis: int, value: float, force: bool = False) -> None:
        """Move the plane θ_axis to ``value`` (θ3's is the state's slice: the 2-D views follow)."""
        if self.state.surface.ndim != 3:
            return
        lo, hi = self._box()[axis]
        value = float(min(max(value, lo), hi))
        if axis == 2 and not force and value != self.state.surface.slice_value:
            self.state.surface.set_slice(value)  # comes back through _on_slice
            return
        if value == self.plane_values[axis] and not force:
            return
        self.plane_values[axis] = value
        coord = float(self.world(np.array([[value] * 3]))[0, axis])
        pts = np.zeros((PLANE_GRID, PLANE_GRID, 3))
        t = np.linspace(-1.0, 1.0, PLANE_GRID)
        others = [k for k in range(3) if k != axis]
        a, b = np.meshgrid(t, t, indexing="ij")
        pts[..., others[0]], pts[..., others[1]], pts[..., axis] = a, b, coord
        box = self._box()
        params = box[:, 0] + (pts + 1.0) / 2.0 * (box[:, 1] - box[:, 0])
        with np.errstate(all="ignore"):
            values = self.state.surface.surface.loss(params.reshape(-1, 3)).reshape(a.shape)
        colours = height_rgba(self.colour_unit(values)).astype(np.float32) / 255.0
        colours[..., 3] = np.where(colours[..., 3] > 0, 0.45 if axis == 2 else 0.22, 0.0)
        self.planes.set_plane(axis, coord, colours)
        self.sliders.show_value(axis, value)

    def _on_slice(self, value: float) -> None:
        self.set_plane(2, value, force=True)

    def set_levels(self, levels) -> None:
        """Isosurfaces at ``levels`` (None: the quantile defaults), computed in the job."""
        if self.state.surface.ndim != 3:
            return
        self._levels = None if levels is None else [float(v) for v in levels]
        self.job.request(self.state.surface.surface, self._levels)

    def levels(self) -> list[float]:
        return [] if self.result is None else self.result.levels

    def _on_meshes(self, result) -> None:
        if result.surface is not self.state.surface.surface:
            return
        self.result = result
        shells, colours = [], []
        count = max(len(result.meshes) - 1, 1)
        for i, (level, vertices, faces, normals) in enumerate(result.meshes):
            colour = height_rgba(self.colour_unit([level]))[0] / 255.0
            colour[3] = INNER_ALPHA + (OUTER_ALPHA - INNER_ALPHA) * i / count
            colours.append("#" + "".join(f"{int(255 * c):02x}" for c in colour[:3]))
            if len(faces):
                shells.append((self.world(vertices), faces, normals, colour))
        self.shells.set_shells(shells)
        self.level_picker.show_levels(result.levels)
        self.overlay.set_levels(result.levels, colours)
        self.isosurfaces_shown.emit(result)

    def _on_failed(self, message: str) -> None:
        self.level_picker.message.setText(message)
        self.level_picker.message.show()

    def _on_look(self, look) -> None:
        self.trajectories.set_line_scale(look.line_scale)

    # -- runs --------
    def _on_run_added(self, run) -> None:
        self._subs.connect(run.data_changed, self._mark_run, key=run)
        self._subs.connect(run.appearance_changed, self._draw_run, key=run)
        self._draw_run(run)

    def _on_run_removed(self, run) -> None:
        self._subs.clear(run)
        self._throttle.discard(run.id)
        self._caches.pop(run.id, None)
        self.trajectories.remove_run(run.id)

    def run_world(self, run) -> np.ndarray:
        """Scene points of every recorded row of ``run``, extended as rows arrive."""
        traj = run.trajectory
        key = (run.generation, traj.epoch, self.state.surface.surface)
        cached = self._caches.get(run.id)
        if cached is None or cached[0] != key:
            cached = (key, 0, np.empty((0, 3), np.float32))
        _, rows, world = cached
        n = len(traj)
        if n > rows and self.state.surface.ndim == 3 and traj.points.shape[1] == 3:
            world = np.concatenate([world, self.world(traj.points[rows:n])])
            rows = n
        self._caches[run.id] = (key, rows, world)
        return world

    def _draw_run(self, run) -> None:
        world = thin_for_drawing(self.run_world(run), DRAW_POINTS_3D)
        self.trajectories.set_run(run.id, world, run.colour, run.visible)

    def close_view(self) -> None:
        """Stop the job and disconnect from the state (the window calls this on close)."""
        self.job.stop()
        self.overlay.close()
        self._subs.clear()
        self._throttle.flush()
