"""Cost of following a probe point with the second-order displays (issue 5).

Run under a virtual display:

    xvfb-run -a -s "-screen 0 1280x800x24" python benchmarks/bench_second_order.py

For each surface the probe walks 300 points along a path (as a running optimizer would);
per change it times the bare core ``analyze()`` (the reference), then each display's update
(analysis panel, eigenvector arrows, dashed contours, Taylor patch, step-size plot), the whole
``state.pick_probe`` (all a probe change triggers: one analysis, every display), a repaint of
the views with nothing changed, and the update plus that repaint. Median of 5 repetitions of
the per-change median, in milliseconds. Target: the whole update <= 10 ms.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
from PySide6 import QtCore, QtWidgets

QtCore.QCoreApplication.setAttribute(QtCore.Qt.ApplicationAttribute.AA_ShareOpenGLContexts)

from saddlelab.app.plots.contour_view import ContourView  # noqa: E402
from saddlelab.app.plots.taylor_contours import taylor_contour_lines  # noqa: E402
from saddlelab.app.scene3d.eigen_arrows import eigen_arrow_geometry, lift_arrows  # noqa: E402
from saddlelab.app.scene3d.taylor_patch import patch_grid  # noqa: E402
from saddlelab.app.scene3d.view import View3D  # noqa: E402
from saddlelab.app.second_order import ARROW_FRACTION, ARROW_LIFT, SecondOrder  # noqa: E402
from saddlelab.core import catalogue  # noqa: E402
from saddlelab.core.analysis import analyze  # noqa: E402
from saddlelab.models.app_state import AppState  # noqa: E402

CHANGES = 300
PAINTED = 40
"""Changes timed with a full repaint (a software-GL frame of the whole window is slow)."""
REPEATS = 5
SURFACES = ("w1w2-mse", "rosenbrock", "himmelblau", "slice-trap")


def path(surface) -> np.ndarray:
    """A spiral through the middle of the domain: CHANGES probe points."""
    lo = np.array([a for a, _ in surface.domain])
    hi = np.array([b for _, b in surface.domain])
    mid, half = (lo + hi) / 2, (hi - lo) / 2
    t = np.linspace(0, 4 * np.pi, CHANGES)
    pts = np.tile(mid, (CHANGES, 1))
    pts[:, 0] += 0.6 * half[0] * np.cos(t) * t / t[-1]
    pts[:, 1] += 0.6 * half[1] * np.sin(t) * t / t[-1]
    return pts


def median_ms(fn, count: int) -> float:
    runs = []
    for _ in range(REPEATS):
        times = []
        for i in range(count):
            t0 = time.perf_counter()
            fn(i)
            times.append(time.perf_counter() - t0)
        runs.append(statistics.median(times))
    return 1e3 * statistics.median(runs)


def measure(app, sid: str) -> dict[str, float]:
    """Time every piece for one surface in a 1280 x 800 window."""
    state = AppState(catalogue.load(sid))
    view3d, contour = View3D(state, resolution=200), ContourView(state, resolution=200)
    so = SecondOrder(state, view3d, contour)
    window = QtWidgets.QMainWindow()
    split = QtWidgets.QSplitter()
    split.addWidget(view3d)
    split.addWidget(contour)
    window.setCentralWidget(split)
    for title, widget, area in (
        ("Analysis", so.panel, QtCore.Qt.DockWidgetArea.RightDockWidgetArea),
        ("Step size", so.step_plot, QtCore.Qt.DockWidgetArea.BottomDockWidgetArea),
    ):
        dock = QtWidgets.QDockWidget(title)
        dock.setWidget(widget)
        window.addDockWidget(area, dock)
    window.resize(1280, 800)
    window.show()
    for _ in range(5):
        app.processEvents()
    surface = state.surface.surface
    points = path(surface)
    analyses = [analyze(surface, p) for p in points]
    span = min(hi - lo for lo, hi in surface.domain[:2])
    radius = so.taylor_controls.radius.value()

    def bare(i):
        analyze(surface, points[i])

    def panel(i):
        so.panel.show_analysis(analyses[i], 0.01)

    def arrows(i):
        a = analyses[i]
        geo = eigen_arrow_geometry(
            a.point, a.eigenvalues, a.eigenvectors, a.eigen_tolerance, ARROW_FRACTION * span
        )
        so.arrows.setData(**lift_arrows(geo, lambda xy: view3d.world(xy, ARROW_LIFT)))

    def contours(i):
        a = analyses[i]
        on_plane = state.surface.plane_to_full
        lines = taylor_contour_lines(lambda xy: a.taylor(on_plane(xy)), a.point, radius)
        so.contours.setData(lines, a.point[:2], radius)

    def plot(i):
        a = analyses[i]
        so.step_plot.show_model(a.eigenvalues, 0.01, a.eigen_tolerance)

    def patch(i):
        a = analyses[i]
        xy, faces, wires = patch_grid(a.point, radius)
        values = a.taylor(state.surface.plane_to_full(xy))
        so.patch.setData(view3d.scale.world(xy, values, 0.004), faces, wires)

    def repaint_views():
        # What every trajectory batch of a running optimizer costs anyway: all views redrawn.
        # (The 3-D view's update() only asks the frame scheduler for a frame: render it now.)
        view3d.gl.repaint()
        contour.plot_widget.viewport().update()
        so.panel.update()
        app.processEvents()

    def frame_only(i):
        repaint_views()

    def whole(i):
        state.pick_probe(points[i])

    def whole_painted(i):
        state.pick_probe(points[i])
        repaint_views()

    figures = {
        "analyze()": median_ms(bare, CHANGES),
        "panel": median_ms(panel, CHANGES),
        "arrows": median_ms(arrows, CHANGES),
        "contours": median_ms(contours, CHANGES),
        "patch": median_ms(patch, CHANGES),
        "step plot": median_ms(plot, CHANGES),
        "update": median_ms(whole, CHANGES),
        "frame": median_ms(frame_only, PAINTED),
        "+ repaint": median_ms(whole_painted, PAINTED),
    }
    so.close()
    view3d.close_view()
    contour.close_view()
    window.close()
    return figures


def main() -> int:
    app = QtWidgets.QApplication(sys.argv[:1])
    rows = [(sid, measure(app, sid)) for sid in SURFACES]
    names = list(rows[0][1])
    print(f"Probe change, median ms over {CHANGES} changes x {REPEATS} runs (target: update <= 10)")
    print(f"{'surface':<12}" + "".join(f"{n:>11}" for n in names))
    for sid, figures in rows:
        print(f"{sid:<12}" + "".join(f"{figures[n]:>11.2f}" for n in names))
    print("analyze() is the bare core reference. 'update' = everything one probe change does, as")
    print("wired: analyze + panel + arrows + patch + contours + legends (the step plot is redrawn")
    print("at most every 80 ms, off this path; its own cost is the 'step plot' column).")
    print("'frame' = repainting the 3-D view, the contour view and the panel with nothing changed")
    print("(what any trajectory batch costs; 1280 x 800, Xvfb software GL, 200 x 200 mesh);")
    print(f"'+ repaint' = update, then that repaint ({PAINTED} changes).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
