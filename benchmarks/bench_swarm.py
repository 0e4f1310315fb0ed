"""A swarm of 10,000 particles drawn live in the real window (run under a display, e.g.
``xvfb-run -a -s "-screen 0 1920x1080x24"``).

Target (issue 12): >= 25 frames/s and a GUI stall < 30 ms (the longest gap between the ticks of
a 1 ms timer on the GUI thread) while the swarm plays. Printed side by side, medians of
``--repeat`` alternating repetitions:
- ``swarm``: the app (the worker thread steps; the contour view's point cloud paints one
  ``QPolygonF`` per outcome colour; the 3-D view one GL scatter item);
- ``naive``: the same window, but the contour layer redraws through one ``pg.ScatterPlotItem``
  with a brush per point built each frame (the straightforward pyqtgraph way).
Frames/s: the contour layer's redraws per second and the 3-D view's swapped frames per second.

    python benchmarks/bench_swarm.py [--repeat 3] [--seconds 6] [--count 10000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from PySide6 import QtCore, QtWidgets

from saddlelab.app import style

style.before_application()
APP = QtWidgets.QApplication(sys.argv[:1])
style.apply(APP)

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402

from saddlelab.app.plots.swarm_layer import SwarmLayer  # noqa: E402
from saddlelab.app.window import lecture_window  # noqa: E402
from saddlelab.core import catalogue  # noqa: E402


def naive_redraw(layer: SwarmLayer) -> None:
    """One ScatterPlotItem, a QBrush per point made every frame."""
    snap = layer.model.snapshot
    if snap is None:
        return
    if not hasattr(layer, "_naive"):
        layer._naive = pg.ScatterPlotItem(pxMode=True, size=3, pen=None)
        layer._naive.setZValue(14)
        layer.view.plot.addItem(layer._naive)
    colours = layer.model.colours()
    brushes = [pg.mkBrush(colours[int(k)]) for k in layer.model.colour_key]
    layer._naive.setData(x=snap.points[:, 0], y=snap.points[:, 1], brush=brushes)
    layer.draws += 1


def wait(seconds: float) -> None:
    """Run the event loop (idle between events, as the app does) for ``seconds``."""
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(round(1000 * seconds), loop.quit)
    loop.exec()


def one(kind: str, seconds: float, count: int) -> tuple[float, float, float]:
    w = lecture_window()
    w.resize(1280, 800)
    w.show()
    w.state.choose_surface(catalogue.load("himmelblau"))
    sw = w.swarm
    sw.dock.raise_()
    if kind == "naive":
        sw.layer.redraw = lambda: naive_redraw(sw.layer)
        sw.layer._throttle._redraw = lambda _: sw.layer.redraw()
    p = sw.panel
    p.distribution.setCurrentText("uniform")
    p.count.setText(str(count))
    p.count.editingFinished.emit()
    p.hyper.setText("lr=0.0005")  # slow: the particles keep moving
    p.hyper.editingFinished.emit()
    p.speed.setCurrentIndex(1)  # 60 steps/s, the default
    p.step.click()
    end = time.perf_counter() + 120
    while sw.model.snapshot is None and time.perf_counter() < end:
        wait(0.05)  # the worker builds the swarm (and loads its compiled kernel)
    wait(1.0)
    frames = []
    w.view3d.gl.frameSwapped.connect(lambda: frames.append(time.perf_counter()))
    ticks = []
    timer = QtCore.QTimer()
    timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(1)
    draws0 = sw.layer.draws
    p.play.click()
    t0 = time.perf_counter()
    wait(seconds)
    elapsed = time.perf_counter() - t0
    timer.stop()
    p.play.click()
    fps_2d = (sw.layer.draws - draws0) / elapsed
    fps_3d = sum(1 for f in frames if f >= t0) / elapsed
    gaps = np.diff([t for t in ticks if t >= t0])
    stall = 1000 * float(gaps.max()) if len(gaps) else float("nan")
    w.shutdown()
    w.hide()
    w.deleteLater()
    wait(0.3)
    return fps_2d, fps_3d, stall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--count", type=int, default=10_000)
    a = ap.parse_args()
    results: dict[str, list] = {"swarm": [], "naive": []}
    for _ in range(a.repeat):
        for kind in results:
            results[kind].append(one(kind, a.seconds, a.count))
            print(kind, [f"{v:.1f}" for v in results[kind][-1]], flush=True)
    print(f"\n{a.count:,} particles, {a.seconds:g} s of play, medians of {a.repeat}")
    print(f"{'':8}{'2-D frames/s':>14}{'3-D frames/s':>14}{'GUI stall ms':>14}")
    for kind, rows in results.items():
        med = [statistics.median(r[i] for r in rows) for i in range(3)]
        print(f"{kind:8}{med[0]:14.1f}{med[1]:14.1f}{med[2]:14.1f}")
    print("target  >= 25 frames/s, stall < 30 ms")


if __name__ == "__main__":
    main()
