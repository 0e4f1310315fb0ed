"""The loss view as a matplotlib figure: each run's loss and gradient norm against the step.

A y axis is logarithmic where the positive values span two decades or more. Non-finite values
(a run that diverged or reached an undefined loss) are not drawn as numbers: the curve stops at
the last finite value, marked with a cross, and the legend says why. Values a log axis cannot
show (zero or negative) are left out and the axis label says so. A run with nothing recorded
draws nothing; a figure without runs says so in words.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from saddlelab.core.numbers import count

from .axes import legend_outside, style_axes
from .scene import RunPicture, Snapshot
from .theme import Sizes, Theme, run_colour

LOG_DECADES = 2.0
STOPPED = {"diverged": "diverged", "undefined": "L undefined", "undefined_start": "L undefined"}


def _log_axis(series: list[np.ndarray]) -> tuple[bool, bool]:
    """(log y, some values left out): log when the positive finite values span decades."""
    values = np.concatenate([s[np.isfinite(s)] for s in series]) if series else np.zeros(0)
    positive = values[values > 0]
    if positive.size < 2 or np.log10(positive.max() / positive.min()) < LOG_DECADES:
        return False, False
    if (values <= 0).any() and positive.size < 0.9 * values.size:
        return False, False  # mostly non-positive: a log axis would hide the story
    return True, bool((values <= 0).any())


def _label(run: RunPicture) -> str:
    text = f"{run.title} ({count(run.steps, 'step')}"
    why = STOPPED.get(run.status)
    return text + (f", {why})" if why else ")")


def _curve(ax, run: RunPicture, values: np.ndarray, colour: str, sizes: Sizes, log: bool):
    ok = np.isfinite(values) & ((values > 0) if log else True)
    step = run.step[ok]
    ax.plot(step, values[ok], color=colour, lw=sizes.line * 1.2, zorder=10)
    if len(step):
        stopped = run.status in STOPPED and not np.isfinite(values[-1])
        ax.plot(
            step[-1:],
            values[ok][-1:],
            ls="none",
            marker="X" if stopped else "o",
            ms=sizes.marker * 0.6,
            mfc=colour,
            mec="black",
            mew=sizes.line * 0.4,
            zorder=11,
        )


def draw_loss_view(fig, snap: Snapshot, theme: Theme, sizes: Sizes) -> list:
    """Two axes (loss, gradient norm) sharing the step axis; returns them."""
    w, h = fig.get_size_inches()
    wide = w / h >= 1.3 and w >= 6.0
    axes = fig.subplots(1, 2, sharex=True) if wide else fig.subplots(2, 1, sharex=True)
    fields = (("loss", "L"), ("grad_norm", "\u2016\u2207L\u2016"))
    for ax, (field, name) in zip(axes, fields, strict=True):
        series = [getattr(r, field) for r in snap.runs]
        log, dropped = _log_axis(series)
        if log:
            ax.set_yscale("log")
        style_axes(ax, theme, sizes, log_y=log)
        ax.grid(True, color=theme.grid, lw=sizes.line * 0.4, zorder=0)
        ax.set_ylabel(name + (" (log; values \u2264 0 not shown)" if dropped else ""))
        for run in snap.runs:
            _curve(ax, run, getattr(run, field), run_colour(run.colour, theme.name), sizes, log)
        if not any(len(r.step) for r in snap.runs):
            ax.text(
                0.5,
                0.5,
                "no runs to show",
                transform=ax.transAxes,
                ha="center",
                va="center",
                color=theme.muted,
                fontsize=sizes.font,
            )
    axes[-1].set_xlabel("step")
    if wide:
        axes[0].set_xlabel("step")
    else:
        axes[0].tick_params(labelbottom=False)
    if snap.runs:
        handles = [
            Line2D(
                [], [], color=run_colour(r.colour, theme.name), lw=sizes.line * 1.2, label=_label(r)
            )
            for r in snap.runs
        ]
        legend_outside(fig, handles, True, 2 if w < 6 else 3, theme, sizes)
    fig.suptitle(snap.name, color=theme.text, fontsize=sizes.font)
    return list(axes)
