"""The 3-D scene as a native OpenGL window (pyqtgraph's GLViewMixin on a QOpenGLWindow).

Why not pyqtgraph's GLViewWidget (a QOpenGLWidget)? As soon as a QOpenGLWidget lives in a
window, Qt composes the *whole* top-level window through OpenGL on every repaint of any widget
in it. Under software OpenGL (Mesa llvmpipe, Xvfb, many VMs and remote desktops) that costs
~14 ms per repaint at 1280 x 800 (measured: a label update cycle 1.3 ms without, 14.9 ms with
a QOpenGLWidget beside it), and with runs streaming the loss curves, contour view and lists
repaint many times a second. A QOpenGLWindow embedded with ``QWidget.createWindowContainer``
renders into its own native surface; the rest of the window stays raster.

``GLSceneWindow`` keeps the GLViewWidget API the app uses (items, camera, ``grabFramebuffer``,
``frameSwapped``) and adds the few QWidget-like calls pyqtgraph items and callers expect.
Nothing can float over it as a child widget (a native window covers its siblings): legends
are painted in the scene (e.g. ``GLAxes`` labels, issue 5's ``GLLegendItem``).

Level of detail under software OpenGL: a 200 x 200 mesh (80 000 triangles) costs llvmpipe
~25 ms per frame on 2 cores. While the view animates (frames less than ``ANIMATING_GAP``
apart: orbiting, runs streaming) items in ``detail_items`` draw coarse (``set_coarse``);
``SETTLE_MS`` after the last such frame the full mesh is drawn again. A hardware renderer
always draws full detail.

Frames are paced by ``runtime.pacing.FrameScheduler``: ``update()`` asks it for a frame, which is
rendered and swapped in a slot of its own, never in the same event-loop pass as a 2-D redraw.
(Issue 9's A/B, ``benchmarks/bench_pacing_ab.py``: swapping at once met every GUI figure, as
polling a fence before the swap did, so the fence went.)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from OpenGL import GL
from pyqtgraph.opengl.GLViewWidget import GLViewMixin
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtOpenGL import QOpenGLWindow

from saddlelab.app.runtime.pacing import FrameScheduler, Job

ANIMATING_GAP = 0.5
"""Seconds: frames closer together than this count as an animation."""
SETTLE_MS = 250
"""After the last animated frame, full detail returns this much later."""
TOOLTIP_MS = 900
"""Rest of the pointer over the scene before its tooltip shows."""
SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "swiftshader", "software")


@dataclass(frozen=True)
class RenderTarget:
    """An off-screen render of the scene: its size in view pixels, the factor to device
    pixels (the export's 1x-4x) and the paint device of its framebuffer."""

    width: int
    height: int
    scale: float
    device: QtGui.QPaintDevice
    after_painter: Callable[[], None]
    """Called when an item's QPainter ends (it resets the GL state the render set)."""
    paper: dict[str, str] | None = None
    """Colours for paper (``text``, ``muted``, ``paper``), or None: the window's own."""


class _TargetPainter(QtGui.QPainter):
    def __init__(self, target: RenderTarget) -> None:
        super().__init__(target.device)
        self._after = target.after_painter

    def end(self) -> bool:
        done = super().end()
        self._after()
        return done


class GLSceneWindow(GLViewMixin, QOpenGLWindow):
    """pyqtgraph's 3-D view on a native OpenGL window; embed it with :meth:`container`."""

    target: RenderTarget | None = None
    """Set while an export renders the scene off-screen (``scene3d.render_target``)."""

    def __init__(self) -> None:
        # Born with a parent window so that Qt, not Python, owns it: the container deletes it
        # (a Python-owned window is deleted a second time at exit: a crash in ~QApplication).
        # The container re-parents it at once; the placeholder then holds nothing.
        placeholder = QtGui.QWindow()
        super().__init__(QOpenGLWindow.UpdateBehavior.NoPartialUpdate, placeholder)
        self._container = QtWidgets.QWidget.createWindowContainer(self)
        self._container.setFocusPolicy(QtCore.Qt.FocusPolicy.ClickFocus)
        fmt = QtGui.QSurfaceFormat.defaultFormat()
        fmt.setDepthBufferSize(24)  # a QOpenGLWidget's FBO has one; a window must ask for it
        fmt.setStencilBufferSize(8)  # QPainter fills shapes (the critical markers) with it
        self.setFormat(fmt)
        self.software = False
        """Whether the OpenGL renderer is a software one (known once the view is shown)."""
        self.detail_items: list = []
        """Items with ``set_coarse(bool)``, drawn coarse while animating under software GL."""
        self.coarse = False
        self._last_frame = 0.0
        self._settle = QtCore.QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.update)
        # Frames are paced by the frame scheduler: never in the same slot as a 2-D redraw.
        self._scheduler = FrameScheduler.instance()
        self._frame_job = Job(self._present, self, frame=True)
        # A QWindow gets no tooltip events: show the container's tooltip after a rest.
        self._hover = QtCore.QTimer(self)
        self._hover.setSingleShot(True)
        self._hover.setInterval(TOOLTIP_MS)
        self._hover.timeout.connect(self._show_tooltip)
        self._hover_pos = QtCore.QPoint()

    def container(self) -> QtWidgets.QWidget:
        """The widget that holds this window in a layout."""
        return self._container

    def initializeGL(self) -> None:  # noqa: N802 - Qt naming
        super().initializeGL()
        renderer = (GL.glGetString(GL.GL_RENDERER) or b"").decode(errors="replace").lower()
        self.software = any(name in renderer for name in SOFTWARE_RENDERERS)

    def paintGL(self) -> None:  # noqa: N802 - Qt naming
        now = time.perf_counter()
        coarse = self.software and now - self._last_frame < ANIMATING_GAP
        self._last_frame = now
        if coarse:
            self._settle.start()
        if coarse != self.coarse:
            self.coarse = coarse
            for item in self.detail_items:
                item.set_coarse(coarse)
        super().paintGL()

    def update(self) -> None:
        """Ask for a frame: drawn in the frame scheduler's next free slot (runtime.pacing).

        Not while an export renders: what it changes for its image is undone before it ends.
        """
        if self.target is not None:
            return
        if self.isValid() and self.isExposed():
            self._scheduler.request(self._frame_job)
        else:
            QOpenGLWindow.update(self)

    def _present(self) -> None:
        """Render and show a scheduled frame (``frameSwapped`` fires as for Qt's own frames)."""
        if not (self.isValid() and self.isExposed()):
            QOpenGLWindow.update(self)
            return
        self.repaint()
        self.frameSwapped.emit()

    # -- what pyqtgraph's mixin and items expect from a widget --------
    # While an export renders (``target``), items see the export's size and scale.
    def width(self) -> int:
        return self.target.width if self.target is not None else QOpenGLWindow.width(self)

    def height(self) -> int:
        return self.target.height if self.target is not None else QOpenGLWindow.height(self)

    def devicePixelRatioF(self) -> float:  # noqa: N802 - Qt naming
        if self.target is not None:
            return self.target.scale
        return float(self.devicePixelRatio())

    @property
    def pixel_scale(self) -> float:
        """Factor on sizes given in pixels (line widths, point sizes): an export's 1x-4x."""
        return self.target.scale if self.target is not None else 1.0

    def colour(self, role: str, own: str) -> str:
        """The colour of ``role`` (text, muted, paper): the window's ``own``, or the one an
        export for paper asks for."""
        if self.target is not None and self.target.paper is not None:
            return self.target.paper.get(role, own)
        return own

    def overlay_painter(self) -> QtGui.QPainter:
        """A QPainter for items that paint over the scene: on this window, or while an export
        renders, on its framebuffer."""
        if self.target is not None:
            return _TargetPainter(self.target)
        return QtGui.QPainter(self)

    def rect(self) -> QtCore.QRect:
        return QtCore.QRect(0, 0, self.width(), self.height())

    def setFocus(self) -> None:  # noqa: N802 - Qt naming
        """Give keyboard focus to the scene (camera keys)."""
        self.container().setFocus()

    def repaint(self) -> None:
        """Render and show a frame now, not at the next update request."""
        if self.isValid() and self.isExposed():
            self._render()
            self.context().swapBuffers(self)
            self.doneCurrent()

    def grabFramebuffer(self) -> QtGui.QImage:  # noqa: N802 - Qt naming
        """The scene as an image, rendered now in full detail.

        QOpenGLWindow's own grab reads the back buffer, which after a swap holds an old frame;
        QOpenGLWidget re-renders, and tests and exports expect that.
        """
        if not self.isValid():
            return QtGui.QImage()
        self._last_frame = 0.0
        self._render()
        image = super().grabFramebuffer()
        self._last_frame = 0.0
        return image

    def _render(self) -> None:
        self.makeCurrent()
        GL.glViewport(0, 0, self.deviceWidth(), self.deviceHeight())
        self.paintGL()

    def mousePressEvent(self, ev: QtGui.QMouseEvent) -> None:  # noqa: N802 - Qt naming
        self.container().setFocus()
        self._hover.stop()
        QtWidgets.QToolTip.hideText()
        super().mousePressEvent(ev)

    def mouseMoveEvent(self, ev: QtGui.QMouseEvent) -> None:  # noqa: N802 - Qt naming
        if ev.buttons() == QtCore.Qt.MouseButton.NoButton:
            self._hover_pos = ev.globalPosition().toPoint()
            self._hover.start()
        super().mouseMoveEvent(ev)

    def _show_tooltip(self) -> None:
        if self.container().toolTip():
            QtWidgets.QToolTip.showText(self._hover_pos, self.container().toolTip())
