"""The contour view as an animation: the runs unfolding along their recorded trajectories.

Rendered from the runs' data, not a screen recording. Every run shares one step axis: frame
``k`` of ``n`` shows each trajectory up to step ``round(k * S / (n - 1))``, where ``S`` is the
largest step any visible run reached, so the first frame shows only the starts and the last
one the whole trajectories; a small label in the corner says the step. Fast: the map, colour
bar, legend, critical points and start markers are drawn once; each frame restores that
background and draws only the lines, their heads and the label over it (blitting).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from saddlelab.core.numbers import fmt
from saddlelab.models.app_state import AppState

from .axes import figure_for
from .contour_figure import draw_background, run_line, set_run_data, start_marker
from .encode import write_frames
from .options import MOVIE_FORMATS, ExportError, ExportOptions, Progress, format_of
from .scene import Snapshot, snapshot
from .theme import sizes, theme


def frame_steps(max_step: int, count: int) -> np.ndarray:
    """The step each of ``count`` frames shows (0 first, ``max_step`` last)."""
    return np.rint(np.linspace(0.0, float(max_step), count)).astype(np.int64)


class ContourMovie:
    """The static background drawn once; :meth:`frame` blits the runs up to a step."""

    def __init__(self, snap: Snapshot, options: ExportOptions) -> None:
        self.snap = snap
        th = theme(options.theme)
        sz = sizes(options.size_in[0])
        self.fig = fig = figure_for(options.with_changes(size_px=options.pixels()), th)
        self.ax = ax = draw_background(fig, snap, th, sz)
        for run in snap.runs:
            start_marker(ax, run, th, sz)
        self.lines = [run_line(ax, run, th, sz, animated=True) for run in snap.runs]
        self.label = ax.text(
            0.015, 0.985, "", transform=ax.transAxes, ha="left", va="top", zorder=40,
            fontsize=sz.small, color=th.text, animated=True,
            bbox={"boxstyle": "round,pad=0.25", "fc": th.legend_face, "ec": th.legend_edge,
                  "lw": sz.line * 0.4, "alpha": 0.85},
        )  # fmt: skip
        # Drawn again over the lines each frame, in z order, as in the still figure: critical
        # points and start rings stay on top of the trajectories that pass them.
        moving = [a for pair in self.lines for a in pair] + [self.label]
        above = [a for a in ax.collections + ax.lines if a.get_zorder() >= 30 and a not in moving]
        self.order = sorted(moving + above, key=lambda a: a.get_zorder())
        fig.draw_without_rendering()  # settle the layout (see figures.build_figure)
        canvas = fig.canvas
        canvas.draw()
        self.background = canvas.copy_from_bbox(fig.bbox)
        self.max_step = snap.max_steps

    def frame(self, step: int) -> np.ndarray:
        """An H x W x 3 frame with every run drawn up to ``step``."""
        canvas = self.fig.canvas
        canvas.restore_region(self.background)
        for run, (line, head) in zip(self.snap.runs, self.lines, strict=True):
            set_run_data(line, head, run, run.upto(step))
        self.label.set_text(f"step {fmt(step)} of {fmt(self.max_step)}")
        for artist in self.order:
            self.ax.draw_artist(artist)
        return np.asarray(canvas.buffer_rgba())[:, :, :3].copy()

    def frames(self, count: int):
        for step in frame_steps(self.max_step, count):
            yield self.frame(int(step))


def write_contour_movie(
    state: AppState | Snapshot,
    path: str | Path,
    options: ExportOptions,
    progress: Progress | None = None,
) -> Path:
    """Write the contour animation (GIF or MP4 from the suffix): ``options.frame_count``
    frames at ``options.fps``, ``options.pixels()`` in size (MP4: padded to even sides).
    ``progress(done, total)`` per frame; False cancels with no file left behind. ``state``
    may be a :func:`~.scene.snapshot` (taken on the GUI thread for a background export)."""
    path = Path(path)
    if format_of(path) not in MOVIE_FORMATS:
        raise ExportError(f"an animation is {' or '.join(MOVIE_FORMATS)}, not {path.suffix}")
    movie = ContourMovie(snapshot(state), options)
    count = options.frame_count
    return write_frames(movie.frames(count), path, options.fps, count, progress)
