"""Everything that imports PySide6, pyqtgraph or OpenGL."""

from .pyside_refcount import protect_singletons

protect_singletons()
