"""Everything that imports PySide6, pyqtgraph or OpenGL."""
