"""The PNG of ``saddlelab basins --out``: the window's basin colours
(:mod:`saddlelab.models.basin_image`), the attractors marked by class, a legend and the
lightness scale (darker = fewer steps to converge) drawn as a small bar."""

from __future__ import annotations

import numpy as np

from saddlelab.core.numbers import fmt
from saddlelab.models.basin_image import (
    STRONG,
    attractor_colours,
    basin_rgba,
    legend_entries,
    shade,
    step_scale,
)

PALETTE = STRONG
"""The first minima's colours (kept under this name for the CLI's tests)."""
LEGEND_ROWS = 14
"""Most legend rows; more attractors are summed up in one line (each keeps its own colour)."""
MARKERS = {"local_min": "o", "saddle": "X", "local_max": "^"}


def basins_rgb(basins) -> np.ndarray:
    """(N, N, 3) floats in [0, 1]; row j is ys[j]."""
    return basin_rgba(basins)[..., :3] / 255.0


def _scale_ticks(scale) -> list[int]:
    lo, hi = scale.fastest, scale.slowest
    if scale.log:
        ticks = [lo] + [10**k for k in range(1, 8) if lo < 10**k < hi] + [hi]
    else:
        ticks = [lo, (lo + hi) // 2, hi]
    return sorted(set(ticks))


def _lightness_bar(fig, basins, colour) -> None:
    scale = step_scale(basins)
    if scale.slowest <= 0:
        return
    ax = fig.add_axes((0.66, 0.1, 0.3, 0.035))
    bar = shade(np.tile(np.asarray(colour, float), (64, 1)), np.linspace(0, 1, 64))
    ax.imshow(bar[None], extent=(0, 1, 0, 1), aspect="auto", interpolation="nearest")
    ticks = _scale_ticks(scale)
    ax.set_xticks([float(scale.fraction(t)) for t in ticks], [fmt(t) for t in ticks])
    ax.set_yticks([])
    ax.tick_params(labelsize=7)
    log = ", log scale" if scale.log else ""
    ax.set_title(f"steps to converge (darker = faster{log})", fontsize=8, loc="left")


def write_basins_png(path: str, surface, basins) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    fig = Figure(figsize=(7.5, 5.2), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.1, 0.53, 0.8))
    xs, ys = basins.xs, basins.ys
    dx = (xs[1] - xs[0]) / 2
    dy = (ys[1] - ys[0]) / 2
    colours = attractor_colours(basins.attractors)
    ax.imshow(basin_rgba(basins, colours), origin="lower", interpolation="nearest",
              aspect="auto", extent=(xs[0] - dx, xs[-1] + dx, ys[0] - dy, ys[-1] + dy))  # fmt: skip
    for k, a in enumerate(basins.attractors):
        ax.plot(a.point[0], a.point[1], marker=MARKERS.get(a.classification, "D"), ms=7,
                mfc=colours[k] / 255, mec="white", mew=1.5)  # fmt: skip
    entries = legend_entries(basins, colours)
    shown = entries if len(entries) <= LEGEND_ROWS else entries[: LEGEND_ROWS - 1]
    handles = [Patch(color=np.array(e.colour) / 255, label=e.text) for e in shown]
    if len(shown) < len(entries):
        rest = entries[len(shown) :]
        share = sum(e.share for e in rest)
        handles.append(Patch(color="none", label=f"... {len(rest)} more, "
                             f"{fmt(100 * share, 3)}% (each its own colour)"))  # fmt: skip
    config = basins.configs[0]
    params = ", ".join(f"{k}={fmt(v)}" for k, v in config.params.items() if k == "lr")
    ax.set_title(f"{surface.id}: {config.optimizer} ({params}), {basins.steps} steps", fontsize=10)
    ax.set_xlabel(surface.variables[0])
    ax.set_ylabel(surface.variables[1])
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.65, 0.92), fontsize=7,
               title="ends at (share of starts)", title_fontsize=8, frameon=False)  # fmt: skip
    if len(basins.attractors):
        biggest = int(np.argmax([e.share for e in entries[: len(basins.attractors)]]))
        _lightness_bar(fig, basins, colours[biggest])
    if len(surface.variables) > 2:
        z = config.start[2]
        fig.text(0.66, 0.02, f"starts on the slice {surface.variables[2]} = {fmt(z)}", fontsize=8)
    fig.savefig(path, format="png")
