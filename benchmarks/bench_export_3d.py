"""Cost of exporting the 3-D view (issue 11): the PNG at 4x and the MP4 frame rate.

Run under a virtual display:

    xvfb-run -a -s "-screen 0 1920x1080x24" python benchmarks/bench_export_3d.py

A 900 x 600 view (scene and colour legend) of the lecture surface with 5 runs of 1,000 steps,
the second-order overlays on. Side by side, median of REPEATS runs each:

- the off-screen render at 4x (``render_view``), and with the PNG written (``write_surface_png``;
  target: < 2 s);
- the screen-grab approach at 1x, ``QWidget.grab()`` of the same view (what a screenshot
  export would cost; it cannot go beyond the screen's resolution), and the window's own
  ``grabFramebuffer`` (one on-screen frame rendered again);
- the 3-D MP4: frames per second of ``write_surface_movie`` at 1280 x 720 with the camera
  orbiting (rendering and encoding), and of ``surface_frames`` alone (rendering only).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from PySide6 import QtWidgets

from saddlelab.app import style

style.before_application()
APP = QtWidgets.QApplication([])
style.apply(APP)  # the window's type and palette

from saddlelab.app.scene3d.offscreen import (  # noqa: E402
    render_view,
    surface_frames,
    view_size,
    write_surface_movie,
    write_surface_png,
)
from saddlelab.app.scene3d.overlays import SecondOrderOverlay3D  # noqa: E402
from saddlelab.app.scene3d.view import View3D  # noqa: E402
from saddlelab.core import catalogue  # noqa: E402
from saddlelab.core.optim.run import Run  # noqa: E402
from saddlelab.export.options import ExportOptions  # noqa: E402
from saddlelab.models.app_state import AppState  # noqa: E402

REPEATS = 5
SIZE = (900, 600)
RUNS = [
    ("sgd", {"lr": 0.05}, None),
    ("adam", {"lr": 0.05}, (-1.4, -1.2)),
    ("sgd", {"lr": 0.02, "momentum": 0.9}, (1.5, 1.5)),
    ("rmsprop", {"lr": 0.01}, (-1.5, 1.6)),
    ("adagrad", {"lr": 0.3}, (1.6, -1.6)),
]
MOVIE = ExportOptions(size_px=(1280, 720), fps=30, duration=2.0, orbit=True)


def lecture_view() -> tuple[QtWidgets.QWidget, View3D]:
    state = AppState(catalogue.load("w1w2-mse"))
    for name, params, start in RUNS:
        run = state.add_run(name, params, start=start)
        chunk = Run(state.surface.surface, run.config(), pure=True).step(1000)
        run.append_chunk(chunk, run.generation)
        run.data_changed.emit(run)
    view = View3D(state, 200)
    view.overlay = SecondOrderOverlay3D(state, view)
    window = QtWidgets.QWidget()
    layout = QtWidgets.QVBoxLayout(window)
    layout.addWidget(view)
    view.gl_widget.setFixedSize(SIZE[0] - view.legend.width(), SIZE[1])
    window.show()
    for _ in range(100):
        APP.processEvents()
        time.sleep(0.01)
    view.flush()
    assert view_size(view) == SIZE, view_size(view)
    return window, view


def median_s(fn) -> float:
    fn()  # warm: shaders, glyph caches
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    window, view = lecture_view()
    out = Path(tempfile.mkdtemp())
    four = ExportOptions(view="surface", scale=4)
    rows = [
        ("render_view 4x (3600 x 2400)", median_s(lambda: render_view(view, four))),
        (
            "write_surface_png 4x",
            median_s(lambda: write_surface_png(view, out / "v.png", four)),
        ),
        ("peer: QWidget.grab() 1x", median_s(lambda: view.grab())),
        ("peer: grabFramebuffer() 1x", median_s(lambda: view.gl.grabFramebuffer())),
        ("render_view 1x", median_s(lambda: render_view(view, four.with_changes(scale=1)))),
    ]
    print(f"3-D export of a {SIZE[0]} x {SIZE[1]} view, median of {REPEATS} (s)")
    for name, seconds in rows:
        print(f"  {name:<34} {seconds:8.3f}")
    count = MOVIE.frame_count
    t0 = time.perf_counter()
    for _ in surface_frames(view, MOVIE):
        pass
    render_fps = count / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    write_surface_movie(view, out / "v.mp4", MOVIE)
    movie_fps = count / (time.perf_counter() - t0)
    print(f"3-D MP4 1280 x 720, orbit, {count} frames")
    print(f"  {'surface_frames (render only)':<34} {render_fps:8.1f} frames/s")
    print(f"  {'write_surface_movie (+ H.264)':<34} {movie_fps:8.1f} frames/s")
    window.close()


if __name__ == "__main__":
    main()
