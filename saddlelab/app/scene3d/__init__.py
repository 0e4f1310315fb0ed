"""The 3-D view: a native OpenGL window and one GL item per file."""
