"""Coloured vertex batches for the second-order GL items (not an item itself).

A :class:`VertexBatch` keeps CPU-side positions and colours and a dirty flag; its VBOs are
created and uploaded only inside ``paint()`` (where a GL context is current), and only when the
data changed. Drawing uses pyqtgraph's own flat-colour shader (the one GLLinePlotItem uses:
attribute 0 position, attribute 1 colour, uniform ``u_mvp``), so no shader of ours needs to
compile on every driver.
"""

from __future__ import annotations

import importlib

import numpy as np
from OpenGL import GL
from pyqtgraph.opengl import GLLinePlotItem
from pyqtgraph.Qt import QT_LIB, QtGui

QtOpenGL = importlib.import_module(f"{QT_LIB}.QtOpenGL")

DRAW_ON_TOP = {
    GL.GL_DEPTH_TEST: False,
    GL.GL_BLEND: True,
    GL.GL_CULL_FACE: False,
    "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA),
}
"""GL options for overlays that must never hide behind the surface (arrows, markers)."""

TRANSLUCENT = {
    GL.GL_DEPTH_TEST: True,
    GL.GL_BLEND: True,
    GL.GL_CULL_FACE: False,
    "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA),
}


class VertexBatch:
    """Positions (n, 3) and RGBA colours (n, 4) as float32, uploaded lazily to VBOs."""

    def __init__(self) -> None:
        self.pos = np.zeros((0, 3), np.float32)
        self.colour = np.zeros((0, 4), np.float32)
        self._dirty = False
        self._vbo_pos = None
        self._vbo_col = None

    def set(self, pos: np.ndarray, colour: np.ndarray) -> None:
        pos = np.ascontiguousarray(pos, dtype=np.float32).reshape(-1, 3)
        colour = np.ascontiguousarray(colour, dtype=np.float32).reshape(-1, 4)
        if len(pos) != len(colour):
            raise ValueError("one colour per vertex")
        self.pos, self.colour, self._dirty = pos, colour, True

    def __len__(self) -> int:
        return len(self.pos)

    @staticmethod
    def _upload(vbo, arr: np.ndarray) -> None:
        if not vbo.isCreated():
            vbo.create()
        vbo.bind()
        if vbo.size() != arr.nbytes:
            vbo.allocate(arr, arr.nbytes)
        else:
            vbo.write(0, arr, arr.nbytes)
        vbo.release()

    def bind(self) -> None:
        """Upload if dirty and point attributes 0 and 1 at the buffers (paint() only)."""
        if self._vbo_pos is None:
            kind = QtOpenGL.QOpenGLBuffer.Type.VertexBuffer
            self._vbo_pos, self._vbo_col = (
                QtOpenGL.QOpenGLBuffer(kind),
                QtOpenGL.QOpenGLBuffer(kind),
            )
            self._dirty = True
        if self._dirty:
            self._upload(self._vbo_pos, self.pos)
            self._upload(self._vbo_col, self.colour)
            self._dirty = False
        self._vbo_pos.bind()
        GL.glVertexAttribPointer(0, 3, GL.GL_FLOAT, False, 0, None)
        self._vbo_pos.release()
        self._vbo_col.bind()
        GL.glVertexAttribPointer(1, 4, GL.GL_FLOAT, False, 0, None)
        self._vbo_col.release()


def can_set_line_width() -> bool:
    """Core forward-compatible contexts reject widths other than 1."""
    fmt = QtGui.QOpenGLContext.currentContext().format()
    return not (
        fmt.profile() == fmt.OpenGLContextProfile.CoreProfile
        and not fmt.testOption(fmt.FormatOption.DeprecatedFunctions)
    )


class FlatShader:
    """Context manager: pyqtgraph's flat-colour program with ``u_mvp`` set, attributes on."""

    def __init__(self, item) -> None:
        self.item = item

    def __enter__(self):
        self.program = GLLinePlotItem.getShaderProgram()
        GL.glUseProgram(self.program)
        mvp = np.array(self.item.mvpMatrix().data(), dtype=np.float32)
        GL.glUniformMatrix4fv(GL.glGetUniformLocation(self.program, "u_mvp"), 1, False, mvp)
        GL.glEnableVertexAttribArray(0)
        GL.glEnableVertexAttribArray(1)
        return self

    def __exit__(self, *exc) -> None:
        GL.glDisableVertexAttribArray(0)
        GL.glDisableVertexAttribArray(1)
        GL.glUseProgram(0)
