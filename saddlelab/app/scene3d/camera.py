"""The 3-D view's camera as plain numbers (sessions), and the field of view an export needs.

pyqtgraph's ``fov`` is the horizontal field of view: a frame wider than the view would show
less height (the surface cut at top and bottom), so exports keep the view's vertical extent
(``fov_for_aspect``); an orbit widens it so that the surface, its axes and their names stay
whole from every side (``fitting_fov``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
from PySide6 import QtGui

from saddlelab.models.scene_scale import HEIGHT

if TYPE_CHECKING:
    from saddlelab.app.scene3d.view import View3D

CAMERA_LIMITS = {
    "distance": (0.05, 100.0),
    "elevation": (-90.0, 90.0),
    "fov": (1.0, 150.0),
}
CENTRE_LIMIT = 10.0
"""Largest |coordinate| of the camera's centre (the surface spans -1..1 in world units)."""
TICKS, NAMES = 1.14, 1.35
"""How far out (world units, the floor is -1..1) the axes put tick values and names."""
TITLE_HEIGHT = 1.14
"""Height of the "loss" title, as a share of the surface's height."""
FIT_MARGIN = 1.1
"""Room around the fitted box: tick values and titles reach past their anchor points."""
MAX_FOV = 120.0


def camera_state(view: View3D) -> dict:
    """The camera as plain numbers (for sessions): distance, elevation, azimuth, centre, fov."""
    o = view.gl.opts
    c = o["center"]
    return {
        "distance": float(o["distance"]),
        "elevation": float(o["elevation"]),
        "azimuth": float(o["azimuth"]),
        "centre": [float(c.x()), float(c.y()), float(c.z())],
        "fov": float(o["fov"]),
    }


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def set_camera_state(view: View3D, state: dict) -> dict:
    """Put the camera where ``state`` says; values that are not finite numbers are ignored,
    absurd ones clipped to what can be shown. Returns the camera as set."""
    now = camera_state(view)
    state = state if isinstance(state, dict) else {}
    for key, (lo, hi) in CAMERA_LIMITS.items():
        value = _number(state.get(key))
        if value is not None:
            now[key] = min(max(value, lo), hi)
    azimuth = _number(state.get("azimuth"))
    if azimuth is not None:
        now["azimuth"] = (azimuth + 180.0) % 360.0 - 180.0
    centre = state.get("centre")
    if isinstance(centre, list | tuple) and len(centre) == 3:
        for k, v in enumerate(centre):
            v = _number(v)
            if v is not None:
                now["centre"][k] = min(max(v, -CENTRE_LIMIT), CENTRE_LIMIT)
    view.gl.opts["fov"] = now["fov"]
    view.gl.setCameraPosition(
        pos=QtGui.QVector3D(*now["centre"]),
        distance=now["distance"],
        elevation=now["elevation"],
        azimuth=now["azimuth"],
    )
    return camera_state(view)


def fov_for_aspect(fov: float, own: tuple[float, float], frame: tuple[float, float]) -> float:
    """The horizontal fov that shows, in a frame of size ``frame``, at least what the view of
    size ``own`` shows with ``fov``: wider frames keep the view's vertical extent."""
    own_aspect, aspect = own[0] / own[1], frame[0] / frame[1]
    if aspect <= own_aspect:
        return fov
    half = math.tan(math.radians(fov) / 2) * aspect / own_aspect
    return min(MAX_FOV, math.degrees(2 * math.atan(half)))


def _anchors() -> np.ndarray:
    """What must show: the box of the surface (to the height of the "loss" title), the tick
    values along the floor's edges and the axis names beyond them (``axes.GLAxes``)."""
    top = HEIGHT * TITLE_HEIGHT
    points = [(x, y, z) for x in (-1, 1) for y in (-1, 1) for z in (0.0, top)]
    points += [(s * TICKS, t, 0.0) for s in (-1, 1) for t in (-1, 1)]
    points += [(t, s * TICKS, 0.0) for s in (-1, 1) for t in (-1, 1)]
    points += [(s * NAMES, 0.0, 0.0) for s in (-1, 1)] + [(0.0, s * NAMES, 0.0) for s in (-1, 1)]
    return np.array([(*p, 1.0) for p in points])


def fitting_fov(gl, aspect: float, azimuths: Iterable[float]) -> float:
    """The smallest horizontal fov (degrees) that shows the surface's box with its axis names
    whole from each of ``azimuths``, at the camera's distance, elevation and centre, in a
    frame of ``aspect`` (width / height). The camera is left as it was."""
    saved = gl.opts["azimuth"]
    need = 0.0
    points = _anchors()
    try:
        for azimuth in azimuths:
            gl.opts["azimuth"] = float(azimuth)
            m = np.array(gl.viewMatrix().data(), dtype=float).reshape(4, 4).T
            eye = points @ m.T
            depth = -eye[:, 2]
            if (depth <= 1e-6).any():
                return MAX_FOV  # the camera is inside the box: show as much as possible
            need = max(need, float((np.abs(eye[:, 0]) / depth).max()))
            need = max(need, float((np.abs(eye[:, 1]) / depth).max()) * aspect)
    finally:
        gl.opts["azimuth"] = saved
    return min(MAX_FOV, math.degrees(2 * math.atan(need * FIT_MARGIN)))
