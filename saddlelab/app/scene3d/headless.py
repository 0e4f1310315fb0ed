"""A 3-D view without a window (``saddlelab render --view surface``), and whether OpenGL is
there at all: ``gl_unavailable`` says why not in one line, and how to get it, without ever
letting Qt abort on a missing display.
"""

from __future__ import annotations

import os
import sys

from PySide6 import QtGui

from saddlelab.app.scene3d.camera import fitting_fov
from saddlelab.app.scene3d.render_target import (
    GLUnavailable,
    ensure_application,
    offscreen_context,
)
from saddlelab.app.scene3d.view import View3D
from saddlelab.export.options import ExportError

LEGEND_SHARE = 0.4
"""The colour legend is left out of images so narrow that it would take more than this share."""
HOW_TO_GET_GL = "run under xvfb-run, e.g. xvfb-run -a saddlelab render ..."
NO_GL = "the 3-D view needs an OpenGL context: none is available here"


def gl_unavailable() -> str | None:
    """Why no OpenGL context can be made here, and how to get one (one line); None if one can.

    Decided before Qt could abort: a platform without OpenGL (offscreen, minimal) or no
    display on X11/Wayland systems is reported without ever connecting to one.
    """
    app = QtGui.QGuiApplication.instance()
    if app is not None:
        platform = app.platformName()
    else:
        platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip()
    if platform in ("offscreen", "minimal", "vnc", "linuxfb"):
        return f"{NO_GL} (Qt platform '{platform}'); {HOW_TO_GET_GL}"
    unix = sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))
    if app is None and unix and platform in ("", "xcb", "wayland"):
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            return f"{NO_GL} (no display); {HOW_TO_GET_GL}"
    try:
        ensure_application()
        offscreen_context()
    except GLUnavailable as exc:
        return f"{NO_GL} ({exc}); {HOW_TO_GET_GL}"
    return None


def headless_view(state, size_px: tuple[int, int], resolution: int = 200) -> View3D:
    """A 3-D view of ``state`` in no window, whose export at 1x is ``size_px`` (scene and
    colour legend), with the second-order overlays (critical markers, their legend)."""
    from saddlelab.app.scene3d.overlays import SecondOrderOverlay3D

    reason = gl_unavailable()
    if reason is not None:
        raise ExportError(reason)
    view = View3D(state, resolution)
    view.overlay3d = SecondOrderOverlay3D(state, view)
    w, h = (int(v) for v in size_px)
    legend = view.legend.width()
    scene_w = w - legend if legend <= LEGEND_SHARE * w else w
    if scene_w == w:
        view.legend.setFixedWidth(0)
    view.gl_widget.setMinimumSize(1, 1)
    view.gl_widget.resize(scene_w, h)
    view.gl.resize(scene_w, h)
    view.legend.resize(view.legend.width(), h)
    gl = view.gl  # the default camera is made for the window: widen it to show everything
    gl.opts["fov"] = max(gl.opts["fov"], fitting_fov(gl, scene_w / h, [gl.opts["azimuth"]]))
    return view
