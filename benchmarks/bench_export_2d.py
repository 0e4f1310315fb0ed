"""2-D export figures (issue 11): median of several runs, target, PASS/FAIL, with peers.

    python benchmarks/bench_export_2d.py [--runs N]

- A 7-inch (two-column) PDF of the contour view with 5 runs (target < 1.5 s); peer: the same
  figure with its filled contours left as vector bands (time and file size).
- A 10 s, 30 fps, 1280 x 720 MP4 of the same 5 runs unfolding (target < 30 s on the 2-core
  machine); peer: the straightforward movie that redraws the whole figure for every frame,
  so the gain of blitting the lines over a background drawn once shows.

Not a test: timing is never asserted in the test suite.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from bench_core import median_time

from saddlelab.core import catalogue
from saddlelab.core.critical import find_critical_points
from saddlelab.export.axes import save
from saddlelab.export.contour_figure import set_run_data
from saddlelab.export.encode import write_frames
from saddlelab.export.figures import build_figure, write_figure
from saddlelab.export.movie import ContourMovie, frame_steps, write_contour_movie
from saddlelab.export.options import ExportOptions
from saddlelab.export.scene import compute_runs, snapshot
from saddlelab.models.app_state import AppState

RUNS = (
    ("sgd", {"lr": 0.0005}, (-1.5, 2.0)),
    ("sgd", {"lr": 0.0002, "momentum": 0.9}, (-1.0, -0.5)),
    ("adam", {"lr": 0.01}, (1.5, -0.5)),
    ("rmsprop", {"lr": 0.001}, (0.0, 2.5)),
    ("adagrad", {"lr": 0.05}, (-1.8, 0.5)),
)
STEPS = 20_000
"""Rosenbrock's valley keeps every run moving: each trajectory fills the display buffer."""


def state() -> AppState:
    """Rosenbrock with the five runs taken STEPS steps, and its critical points found."""
    st = AppState(catalogue.load("rosenbrock"))
    for optimizer, overrides, start in RUNS:
        st.add_run(optimizer, overrides, start=start)
    compute_runs(st, STEPS)
    st.critical.found(st.surface.surface, find_critical_points(st.surface.surface))
    return st


class RedrawMovie(ContourMovie):
    """The peer: every frame redraws the whole figure (map, colour bar, legend, lines)."""

    def frame(self, step: int) -> np.ndarray:
        for run, (line, head) in zip(self.snap.runs, self.lines, strict=True):
            set_run_data(line, head, run, run.upto(step))
            line.set_animated(False)
            head.set_animated(False)
        self.label.set_animated(False)
        self.label.set_text(f"step {step}")
        self.fig.canvas.draw()
        return np.asarray(self.fig.canvas.buffer_rgba())[:, :, :3].copy()


def report(label: str, seconds: float, target: float | None, peer: str = "") -> None:
    verdict = "" if target is None else ("PASS" if seconds < target else "FAIL")
    goal = "" if target is None else f"target < {target:5.1f} s"
    print(f"{label:<44} {seconds:7.2f} s   {goal:<16} {verdict:<4}  {peer}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    st = state()
    rows = [len(r.trajectory) for r in st.runs]
    print(f"rosenbrock, 5 runs x {STEPS} steps ({sum(rows)} display rows); median of {runs}")
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "f.pdf"
        options = ExportOptions.preset("two-columns")
        t_pdf = median_time(lambda: write_figure(st, pdf, options), runs)
        size = pdf.stat().st_size

        def vector_bands():  # the peer: the same figure, filled contours left as vectors
            fig = build_figure(snapshot(st), options)
            for item in fig.axes[0].collections:
                item.set_rasterized(False)
            save(fig, pdf, "pdf", fig.dpi)

        t_vec = median_time(vector_bands, runs)
        vec_size = pdf.stat().st_size
        report(
            "PDF contour figure, 7 in, 5 runs",
            t_pdf,
            1.5,
            f"{size / 1e3:.0f} kB | peer, vector bands: {t_vec:.2f} s, {vec_size / 1e3:.0f} kB",
        )

        movie_options = ExportOptions(fps=30, duration=10.0, size_px=(1280, 720))
        count = movie_options.frame_count
        mp4 = Path(folder) / "m.mp4"

        def blitted():
            write_contour_movie(st, mp4, movie_options)

        def redrawn():
            movie = RedrawMovie(snapshot(st), movie_options)
            frames = (movie.frame(int(s)) for s in frame_steps(movie.max_step, count))
            write_frames(frames, mp4, 30, count)

        t_blit = median_time(blitted, runs)
        mp4_size = mp4.stat().st_size
        t_full = median_time(redrawn, max(1, runs - 1))
        report(
            "MP4 10 s x 30 fps, 1280 x 720, 5 runs",
            t_blit,
            30.0,
            f"{mp4_size / 1e6:.1f} MB | peer, full redraw per frame: {t_full:.1f} s "
            f"({t_full / t_blit:.1f}x)",
        )


if __name__ == "__main__":
    main()
