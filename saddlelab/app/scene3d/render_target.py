"""Drawing the 3-D scene into a framebuffer object at N x its size, off-screen.

Why not pyqtgraph's ``GLViewWidget.renderToArray``? It tiles the scene into 1024-pixel
framebuffers, but the items that paint with a QPainter (axis labels, the in-scene legend,
critical markers) paint on the window itself at its own size, never into the tiles; and line
widths and point sizes stay in screen pixels, so at 4x every line would be a quarter as thick.

Here one framebuffer holds the whole image, drawn by an OpenGL context of our own that shares
the application's context group (``AA_ShareOpenGLContexts``: the items' buffers and shaders
serve both), so the window's context is never touched. While a frame renders, the scene window
presents the export's size and scale to its items (``GLSceneWindow.target``): QPainter overlays
lay out in view pixels and paint at N x through a QOpenGLPaintDevice of that pixel ratio (text
and strokes drawn at full resolution, not upscaled); line widths and point sizes are multiplied
by N. Everything changed for the image (size, background, level of detail, pixel sizes) is
undone before ``frame`` returns, and repaint requests made meanwhile are dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

from OpenGL import GL
from pyqtgraph.opengl import GLLinePlotItem, GLScatterPlotItem
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtOpenGL import (
    QOpenGLFramebufferObject,
    QOpenGLFramebufferObjectFormat,
    QOpenGLPaintDevice,
    QOpenGLWindow,
)

from saddlelab.app.scene3d.axes import GLAxes
from saddlelab.app.scene3d.camera import fov_for_aspect
from saddlelab.app.scene3d.gl_window import GLSceneWindow, RenderTarget

_SHARED: dict[str, object] = {}


class GLUnavailable(RuntimeError):
    """No OpenGL context could be made (the message says why, in one line)."""


def offscreen_context() -> tuple[QtGui.QOpenGLContext, QtGui.QOffscreenSurface]:
    """This process's off-screen context and surface (made once, owned by the application)."""
    if "context" not in _SHARED:
        app = QtCore.QCoreApplication.instance()
        context = QtGui.QOpenGLContext(app)
        share = QtGui.QOpenGLContext.globalShareContext()
        if share is not None:
            context.setShareContext(share)
        context.setFormat(QtGui.QSurfaceFormat.defaultFormat())
        if not context.create():
            raise GLUnavailable("no OpenGL context can be created for this display")
        surface = QtGui.QOffscreenSurface(None, app)
        surface.setFormat(context.format())
        surface.create()
        if not surface.isValid() or not context.makeCurrent(surface):
            raise GLUnavailable("no off-screen OpenGL surface can be made current here")
        version = context.format().version()
        context.doneCurrent()
        if version < (2, 1):
            raise GLUnavailable(f"OpenGL {version[0]}.{version[1]} is too old (2.1 needed)")
        _SHARED["context"], _SHARED["surface"] = context, surface
    return _SHARED["context"], _SHARED["surface"]


class _Device(QOpenGLPaintDevice):
    """A QPainter target that is always our framebuffer (never the window's)."""

    def __init__(self, fbo: QOpenGLFramebufferObject, scale: float) -> None:
        super().__init__(fbo.size())
        self.setDevicePixelRatio(scale)
        self._fbo = fbo

    def ensureActiveTarget(self) -> None:  # noqa: N802 - Qt naming
        self._fbo.bind()


def _items(items) -> Iterator:
    for item in items:
        yield item
        yield from _items(item.childItems())


def _scale_pixels(gl: GLSceneWindow, scale: float) -> list:
    """Multiply pyqtgraph's pixel-sized line widths and point sizes by ``scale``; returns the
    undo steps (our own items read ``gl.pixel_scale``)."""
    undo = []
    for item in _items(gl.items):
        if isinstance(item, GLLinePlotItem):
            undo.append((setattr, item, "width", item.width))
            item.width = item.width * scale
        elif isinstance(item, GLScatterPlotItem) and item.pxMode:
            undo.append((GLScatterPlotItem.setData, item, item.size))
            item.setData(size=item.size * scale)
    return undo


def _undo(steps: list) -> None:
    for step in reversed(steps):
        if step[0] is setattr:
            setattr(*step[1:])
        else:
            step[0](step[1], size=step[2])


def _alpha_max() -> None:
    """Blend colours as usual, alpha by taking the larger one: a translucent line keeps alpha
    1 over the surface and its own alpha over a transparent background (not ``a * a``, nor
    ``1 - a + a * a`` over an opaque one). Set again after every QPainter (which resets it)."""
    GL.glBlendEquationSeparate(GL.GL_FUNC_ADD, GL.GL_MAX)


class SceneTarget:
    """A framebuffer of ``size`` device pixels for renders of ``gl`` at ``scale``.

    ``frame()`` draws the scene as it is now into it and returns a premultiplied ARGB image;
    ``close()`` frees it. Made once per export (a movie reuses it for every frame).
    """

    def __init__(self, gl: GLSceneWindow, size: tuple[int, int], scale: float) -> None:
        self.gl = gl
        self.size = (int(size[0]), int(size[1]))
        self.scale = float(scale)
        self.context, self.surface = offscreen_context()
        self.context.makeCurrent(self.surface)
        try:
            limit = int(GL.glGetIntegerv(GL.GL_MAX_RENDERBUFFER_SIZE))
            if max(self.size) > limit:
                raise GLUnavailable(
                    f"this OpenGL renders at most {limit} pixels a side: choose a smaller scale"
                )
            fmt = QOpenGLFramebufferObjectFormat()
            fmt.setAttachment(QOpenGLFramebufferObject.Attachment.CombinedDepthStencil)
            self.fbo = QOpenGLFramebufferObject(QtCore.QSize(*self.size), fmt)
            if not self.fbo.isValid():
                raise GLUnavailable(f"no {self.size[0]} x {self.size[1]} framebuffer here")
            self.device = _Device(self.fbo, self.scale)
        finally:
            self.context.doneCurrent()

    def frame(self, transparent: bool = False, change=None, paper=None) -> QtGui.QImage:
        """The scene now, drawn in full detail (``transparent``: background alpha 0; ``paper``:
        colours of a light theme, see ``RenderTarget.paper``).

        ``change``: a context manager factory that alters the scene for this frame only
        (an animation's camera and trajectories); the window asks for no repaint meanwhile.
        """
        gl = self.gl
        pw, ph = self.size
        view_w, view_h = max(1, round(pw / self.scale)), max(1, round(ph / self.scale))
        self.context.makeCurrent(self.surface)
        background, fov = gl.opts["bgcolor"], gl.opts["fov"]
        own = (QOpenGLWindow.width(gl), QOpenGLWindow.height(gl))
        gl.target = RenderTarget(view_w, view_h, self.scale, self.device, _alpha_max, paper)
        undo = []
        placements = [(a, a.placement) for a in _items(gl.items) if isinstance(a, GLAxes)]
        changes = ExitStack()
        try:
            gl.opts["fov"] = fov_for_aspect(fov, own, (view_w, view_h))
            if change is not None:
                changes.enter_context(change())
            self.fbo.bind()
            undo = _scale_pixels(gl, self.scale)
            for item in gl.detail_items:
                item.set_coarse(False)
            for item in _items(gl.items):
                if not item.isInitialized():
                    item.initialize()
            if paper is not None:
                gl.opts["bgcolor"] = QtGui.QColor(paper["paper"]).getRgbF()
            if transparent:
                gl.opts["bgcolor"] = (*gl.opts["bgcolor"][:3], 0.0)
            GL.glViewport(0, 0, pw, ph)
            _alpha_max()
            gl.paint(region=(0, 0, view_w, view_h), viewport=(0, 0, view_w, view_h))
            GL.glBlendEquation(GL.GL_FUNC_ADD)
            image = self.fbo.toImage()
        finally:
            gl.opts["bgcolor"] = background
            _undo(undo)
            changes.close()
            gl.opts["fov"] = fov
            for axes, placement in placements:  # the axes follow the export's camera and size
                axes.set_placement(placement)
            for item in gl.detail_items:
                item.set_coarse(gl.coarse)
            gl.target = None
            self.fbo.release()
            self.context.doneCurrent()
        return image

    def close(self) -> None:
        if self.fbo is not None:
            self.context.makeCurrent(self.surface)
            self.device = None
            self.fbo = None  # deleted with the context current
            self.context.doneCurrent()

    def __enter__(self) -> SceneTarget:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def ensure_application() -> QtWidgets.QApplication:
    """The QApplication (made here, with the app's settings, when a script has none)."""
    app = QtWidgets.QApplication.instance()
    if app is None:
        from saddlelab.app import style

        style.before_application()
        app = QtWidgets.QApplication([])
        style.apply(app)  # the window's type: the colour legend reads as it does there
        _SHARED["app"] = app
    return app
