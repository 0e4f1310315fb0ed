"""The PNG of ``saddlelab basins --out``: one colour per attractor, lighter where slower."""

from __future__ import annotations

import numpy as np

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
           "#e377c2", "#bcbd22", "#7f7f7f")  # fmt: skip
DIVERGED_RGB = (0.15, 0.15, 0.15)
NOT_CONVERGED_RGB = (0.85, 0.85, 0.85)
MAX_LIGHTEN = 0.75
"""The slowest converged cell is blended this far towards white."""


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[k : k + 2], 16) / 255 for k in (1, 3, 5)])


def basins_rgb(basins) -> np.ndarray:
    """(N, N, 3) floats in [0, 1]; row j is ys[j]."""
    label, stc = basins.label, basins.steps_to_converge
    image = np.empty(label.shape + (3,))
    image[label == -1] = DIVERGED_RGB
    image[label == -2] = NOT_CONVERGED_RGB
    converged = label >= 0
    if converged.any():
        slowest = max(int(stc[converged].max()), 1)
        t = (MAX_LIGHTEN * stc / slowest)[..., None]
        colours = np.array([_rgb(PALETTE[k % len(PALETTE)]) for k in range(label.max() + 1)])
        base = colours[np.where(converged, label, 0)]
        image[converged] = (base * (1 - t) + t)[converged]
    return image


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
    ax.imshow(basins_rgb(basins), origin="lower", interpolation="nearest", aspect="auto",
              extent=(xs[0] - dx, xs[-1] + dx, ys[0] - dy, ys[-1] + dy))  # fmt: skip
    label = basins.label
    handles = []
    for k, a in enumerate(basins.attractors):
        colour = PALETTE[k % len(PALETTE)]
        ax.plot(a.point[0], a.point[1], marker="o", ms=7, mfc=colour, mec="white", mew=1.5)
        point = ", ".join(f"{v:.3g}" for v in a.point)
        share = np.count_nonzero(label == k) / label.size
        name = a.classification.replace("_", " ")
        handles.append(Patch(color=colour, label=f"{name} ({point}): {share:.0%}"))
    for code, rgb, name in ((-1, DIVERGED_RGB, "diverged"), (-2, NOT_CONVERGED_RGB,
                                                               "not converged")):  # fmt: skip
        if (label == code).any():
            share = np.count_nonzero(label == code) / label.size
            handles.append(Patch(color=rgb, label=f"{name}: {share:.0%}"))
    config = basins.configs[0]
    params = ", ".join(f"{k}={v}" for k, v in config.params.items() if k == "lr")
    ax.set_title(f"{surface.id}: {config.optimizer} ({params}), {basins.steps} steps", fontsize=10)
    ax.set_xlabel(surface.variables[0])
    ax.set_ylabel(surface.variables[1])
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.65, 0.9), fontsize=8,
               title="ends at (share of starts)", title_fontsize=8, frameon=False)  # fmt: skip
    fig.text(0.65, 0.12, "lighter: more steps to converge", fontsize=8)
    if len(surface.variables) > 2:
        z = config.start[2]
        fig.text(0.65, 0.07, f"starts on the slice {surface.variables[2]} = {z:g}", fontsize=8)
    fig.savefig(path, format="png")
