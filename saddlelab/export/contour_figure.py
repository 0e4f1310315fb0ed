"""The contour map as a matplotlib figure: filled contours and iso-lines of the window's colour
scale, the undefined region hatched, critical points by class, a colour bar of L, and each run's
trajectory with its start (open circle) and end (filled) markers.

:func:`draw_background` draws everything but the trajectories (the animation draws it once and
blits the lines over it); :func:`draw_runs` adds the trajectories up to a step.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib import patheffects
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from saddlelab.core.numbers import fmt_on_scale
from saddlelab.models.colours import (
    CLASS_COLOURS,
    CLASS_NAMES,
    COLORMAP,
    CONTOUR_LEVELS,
    UNDEFINED_HATCH,
    UNDEFINED_LABEL,
)
from saddlelab.models.scene_scale import SceneScale
from saddlelab.models.trajectory_buffer import thin_for_drawing

from .axes import legend_outside, style_axes
from .scene import RunPicture, Snapshot
from .theme import Sizes, Theme, run_colour

FILL_LEVELS = 48
"""Bands of the filled contours (fine enough to read as the window's smooth colour map)."""
DRAW_POINTS = 4000
"""Most points drawn per trajectory (row 0 and the newest rows always; see thin_for_drawing)."""
CLASS_MARKERS = {"local_min": "o", "local_max": "^", "saddle": "X", "degenerate": "D"}
"""matplotlib markers of the window's shapes: minimum ●, maximum ▲, saddle ✖, degenerate ◆."""
OUTLINE = (0.0, 0.0, 0.0, 0.55)
"""A thin dark edge under each trajectory: the run's colour reads on any colour of the map."""


def _colour_ticks(scale: SceneScale) -> tuple[list[float], list[str]]:
    """Colour-bar ticks in relative height ``u`` with their labels in L (round values)."""
    lo, hi = scale.fmin, scale.fmax
    if scale.log:
        first, last = math.ceil(scale.vmin), math.floor(scale.vmax)
        values = [lo] + [lo + 10.0**k for k in range(first, last + 1)]
    else:
        from matplotlib.ticker import MaxNLocator

        near = 1e-3 * (hi - lo)  # a tick within a hair of the range's ends is on the bar
        values = [v for v in MaxNLocator(5).tick_values(lo, hi) if lo - near <= v <= hi + near]
    if len(values) < 3:
        values = list(scale.loss_at_unit(np.linspace(0.0, 1.0, 5)))
    units = [float(scale.unit(v)) for v in values]
    keep = [i for i, u in enumerate(units) if i == 0 or u - units[i - 1] > 0.06]
    return [units[i] for i in keep], [fmt_on_scale(values[i], lo, hi, 3) for i in keep]


def draw_background(fig, snap: Snapshot, theme: Theme, sizes: Sizes, legend: bool = True):
    """The map without trajectories; returns its axes."""
    ax = fig.add_subplot()
    style_axes(ax, theme, sizes)
    (x0, x1), (y0, y1) = snap.domain
    if snap.undefined.any():
        hatch = Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, hatch="////", lw=0, zorder=0)
        hatch.set_edgecolor(UNDEFINED_HATCH)
        hatch.set_hatch_linewidth(sizes.line * 0.5)
        ax.add_patch(hatch)
    u = np.ma.masked_invalid(snap.scale.unit(snap.values).T)
    filled = ax.contourf(
        snap.xs,
        snap.ys,
        u,
        levels=np.linspace(0.0, 1.0, FILL_LEVELS + 1),
        cmap=COLORMAP,
        vmin=0.0,
        vmax=1.0,
        zorder=1,
    )
    filled.set_rasterized(True)  # bands as one image inside PDF/SVG; lines and text stay vector
    lines = (np.arange(CONTOUR_LEVELS) + 0.5) / CONTOUR_LEVELS  # the window's iso-lines
    ax.contour(
        snap.xs,
        snap.ys,
        u,
        levels=lines,
        colors=[theme.iso],
        linewidths=sizes.line * 0.45,
        zorder=2,
    )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ratio = (y1 - y0) / (x1 - x0)
    if 0.5 <= ratio <= 2.0:
        ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(snap.variables[0])
    ax.set_ylabel(snap.variables[1])
    if snap.slice_note:
        ax.set_title(snap.slice_note, fontsize=sizes.small, color=theme.muted)
    _colour_bar(fig, ax, filled, snap.scale, theme, sizes)
    _critical_points(ax, snap, sizes)
    if legend:
        add_legend(fig, ax, snap, theme, sizes)
    return ax


def _colour_bar(fig, ax, filled, scale: SceneScale, theme: Theme, sizes: Sizes) -> None:
    bar = fig.colorbar(filled, ax=ax, fraction=0.06, pad=0.02, aspect=25)
    ticks, labels = _colour_ticks(scale)
    bar.set_ticks(ticks, labels=labels)
    bar.ax.tick_params(colors=theme.text, labelsize=sizes.small, width=sizes.line * 0.5)
    bar.outline.set_edgecolor(theme.muted)
    bar.outline.set_linewidth(sizes.line * 0.5)
    bar.set_label("L (log scale)" if scale.log else "L", color=theme.text, fontsize=sizes.font)
    bar.solids.set_rasterized(True) if bar.solids is not None else None


def _critical_points(ax, snap: Snapshot, sizes: Sizes) -> None:
    for name, xy, isolated in snap.critical:
        size = np.where(isolated, 1.0, 0.65) * (sizes.marker * 1.1) ** 2
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=size,
            marker=CLASS_MARKERS.get(name, "o"),
            c=CLASS_COLOURS.get(name, "#ffffff"),
            edgecolors="black",
            linewidths=sizes.line * 0.5,
            zorder=30,
            clip_on=True,
        )


def _line_width(sizes: Sizes) -> float:
    return sizes.line * 1.5


def run_line(ax, run: RunPicture, theme: Theme, sizes: Sizes, animated: bool = False):
    """The (empty) line of one run, with its dark edge; returns (line, head)."""
    colour = run_colour(run.colour, theme.name)
    width = _line_width(sizes)
    effects = [patheffects.Stroke(linewidth=width * 1.9, foreground=OUTLINE), patheffects.Normal()]
    (line,) = ax.plot(
        [],
        [],
        color=colour,
        lw=width,
        zorder=10,
        animated=animated,
        solid_capstyle="round",
        solid_joinstyle="round",
        path_effects=effects,
    )
    (head,) = ax.plot(
        [],
        [],
        ls="none",
        marker="o",
        ms=sizes.marker * 0.8,
        mfc=colour,
        mec="black",
        mew=sizes.line * 0.5,
        zorder=12,
        animated=animated,
    )
    return line, head


def start_marker(ax, run: RunPicture, theme: Theme, sizes: Sizes) -> None:
    if not len(run.points) or not np.isfinite(run.points[0]).all():
        return
    colour = run_colour(run.colour, theme.name)
    x, y = run.points[0]
    ax.plot(
        [x],
        [y],
        ls="none",
        marker="o",
        ms=sizes.marker,
        mfc="none",
        mec=colour,
        mew=sizes.line * 1.1,
        zorder=13,
    )


def visible_points(run: RunPicture, rows: int) -> np.ndarray:
    """The first ``rows`` plane points that can be drawn (finite), thinned for drawing."""
    pts = run.points[:rows]
    if len(pts) > DRAW_POINTS:
        pts = thin_for_drawing(pts, DRAW_POINTS)
    return pts[np.isfinite(pts).all(axis=1)]


def set_run_data(line, head, run: RunPicture, rows: int) -> None:
    pts = visible_points(run, rows)
    line.set_data(pts[:, 0], pts[:, 1])
    head.set_data(pts[-1:, 0], pts[-1:, 1])


def draw_runs(ax, snap: Snapshot, theme: Theme, sizes: Sizes) -> list:
    """Every run's whole trajectory, start and end markers (the still figure)."""
    artists = []
    for run in snap.runs:
        start_marker(ax, run, theme, sizes)
        line, head = run_line(ax, run, theme, sizes)
        set_run_data(line, head, run, len(run.points))
        artists.append(line)
    return artists


def add_legend(fig, ax, snap: Snapshot, theme: Theme, sizes: Sizes) -> None:
    """Runs by title, what the markers mean, critical classes, the undefined region: outside
    the map (right of a wide figure, below a narrow one), so it never covers a trajectory."""
    width = _line_width(sizes)
    handles = [
        Line2D([], [], color=run_colour(r.colour, theme.name), lw=width, label=r.title)
        for r in snap.runs
    ]
    if snap.runs:
        handles += [
            Line2D(
                [],
                [],
                ls="none",
                marker="o",
                ms=sizes.marker * 0.8,
                mfc="none",
                mec=theme.muted,
                mew=sizes.line,
                label="start",
            ),
            Line2D(
                [],
                [],
                ls="none",
                marker="o",
                ms=sizes.marker * 0.7,
                mfc=theme.muted,
                mec="black",
                mew=sizes.line * 0.5,
                label="end",
            ),
        ]
    for name, _xy, _iso in snap.critical:
        handles.append(
            Line2D(
                [],
                [],
                ls="none",
                marker=CLASS_MARKERS.get(name, "o"),
                ms=sizes.marker,
                mfc=CLASS_COLOURS.get(name, "#ffffff"),
                mec="black",
                mew=sizes.line * 0.5,
                label=CLASS_NAMES.get(name, name),
            )
        )
    if snap.undefined.any():
        handles.append(
            Patch(facecolor="none", edgecolor=UNDEFINED_HATCH, hatch="////", label=UNDEFINED_LABEL)
        )
    if not handles:
        return
    w, h = fig.get_size_inches()
    wide = w / h >= 1.3 and w >= 6.0
    legend_outside(fig, handles, below=not wide, ncols=1 if wide else 2, theme=theme, sizes=sizes)
