"""Everything that leaves the window: figures, animations, data, code and command lines.

Qt-free (an import-linter contract holds it): the 2-D figures and the contour animation are
drawn with matplotlib's Agg backend from the models' data, never from a screen grab. The 3-D
view needs OpenGL and lives in :mod:`saddlelab.app.scene3d`. Every long export takes a
``progress(done, total) -> bool`` callable and stops with :class:`~.options.Cancelled` when it
returns False, so a GUI can run it on a worker thread with a progress bar and Cancel.
"""
