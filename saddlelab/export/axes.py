"""The shared look of every exported matplotlib figure: the canvas, the theme's colours on
axes, ticks and legends, tick labels written by the app's number formatter, and saving.

Only :class:`matplotlib.figure.Figure` and the Agg canvas are used, never ``pyplot``: no
global figure manager, no GUI backend, safe on a worker thread.
"""

from __future__ import annotations

import threading
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogFormatterSciNotation, NullFormatter

from saddlelab.core.numbers import fmt

from .options import ExportOptions
from .theme import Sizes, Theme

SAVE_RC = {"pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none"}
"""Text stays text: TrueType fonts embedded in PDF, <text> elements in SVG."""
_SAVING = threading.Lock()
"""``rc_context`` changes matplotlib's global settings for the time of one save."""


def new_figure(size_in: tuple[float, float], dpi: float, theme: Theme) -> Figure:
    # "compressed": constrained layout that also keeps a colour bar as tall as a fixed-aspect map
    fig = Figure(figsize=size_in, dpi=dpi, layout="compressed", facecolor=theme.paper)
    FigureCanvasAgg(fig)
    return fig


def figure_for(options: ExportOptions, theme: Theme) -> Figure:
    """A figure of exactly ``options.pixels()`` pixels: ``size_in`` at ``dpi``, or ``size_px``
    (then the inches keep ``size_in``'s width, so type and lines scale as in that preset)."""
    pw, ph = options.pixels()
    dpi = options.dpi if options.size_px is None else pw / options.size_in[0]
    # A hair more than the exact size: Agg truncates width * dpi to whole pixels.
    return new_figure(((pw + 1e-3) / dpi, (ph + 1e-3) / dpi), dpi, theme)


def number_formatter() -> FuncFormatter:
    return FuncFormatter(lambda value, _pos: fmt(value, 3))


def style_axes(ax, theme: Theme, sizes: Sizes, log_y: bool = False) -> None:
    """Theme colours, type sizes and the app's numbers on one axes."""
    ax.set_facecolor(theme.paper)
    for spine in ax.spines.values():
        spine.set_color(theme.muted)
        spine.set_linewidth(sizes.line * 0.5)
    ax.tick_params(
        colors=theme.text,
        labelsize=sizes.small,
        width=sizes.line * 0.5,
        length=sizes.font * 0.35,
        which="major",
    )
    ax.tick_params(colors=theme.muted, width=sizes.line * 0.4, which="minor")
    ax.xaxis.label.set_color(theme.text)
    ax.yaxis.label.set_color(theme.text)
    ax.xaxis.label.set_fontsize(sizes.font)
    ax.yaxis.label.set_fontsize(sizes.font)
    ax.title.set_color(theme.text)
    ax.title.set_fontsize(sizes.font)
    ax.xaxis.set_major_formatter(number_formatter())
    ax.yaxis.set_major_formatter(number_formatter())
    if log_y:
        # Powers of ten as 10⁻¹²: the app's fmt writes numbers below 1e-9 as 0 (its
        # near-integer test), which a log axis of a converging loss cannot have.
        ax.yaxis.set_major_formatter(LogFormatterSciNotation())
        ax.yaxis.set_minor_formatter(NullFormatter())


def style_legend(legend, theme: Theme, sizes: Sizes) -> None:
    frame = legend.get_frame()
    frame.set_facecolor(theme.legend_face)
    frame.set_edgecolor(theme.legend_edge)
    frame.set_linewidth(sizes.line * 0.4)
    for text in legend.get_texts():
        text.set_color(theme.text)
    title = legend.get_title()
    title.set_color(theme.text)
    title.set_fontsize(sizes.small)


def legend_outside(fig, handles, below: bool, ncols: int, theme: Theme, sizes: Sizes):
    """A figure legend right of the plots (``below=False``) or under them, with the layout's
    area shrunk to leave it room: it never covers a trajectory, and fixed-aspect maps keep
    their colour bar beside them (matplotlib's "outside" legends do not, with a fixed aspect).
    Below, it takes fewer columns until it fits the figure's width (nothing clipped)."""
    pad = 0.3 * sizes.font / 72.0  # inches between legend and plots
    renderer = fig.canvas.get_renderer()
    w, h = fig.get_size_inches()
    for columns in range(max(1, ncols), 0, -1):
        legend = fig.legend(
            handles=handles,
            loc="lower center" if below else "upper right",
            bbox_to_anchor=(0.5, 0.0) if below else (1.0, 1.0),
            ncols=columns,
            fontsize=sizes.small,
            frameon=True,
            handlelength=1.8,
            borderaxespad=0.2,
        )
        box = legend.get_window_extent(renderer)
        if not below or columns == 1 or box.width <= 0.98 * w * fig.dpi:
            break
        legend.remove()
    legend.set_in_layout(False)
    style_legend(legend, theme, sizes)
    if below:
        share = min(0.6, (box.height / fig.dpi + pad) / h)
        fig.get_layout_engine().set(rect=(0.0, share, 1.0, 1.0 - share))
    else:
        share = min(0.6, (box.width / fig.dpi + pad) / w)
        fig.get_layout_engine().set(rect=(0.0, 0.0, 1.0 - share, 1.0))
    return legend


def save(fig: Figure, path: Path, fmt_name: str, dpi: float, transparent: bool = False) -> None:
    """Save in ``fmt_name`` (png, svg, pdf) with text kept as text."""
    with _SAVING, matplotlib.rc_context(SAVE_RC):
        fig.savefig(
            path,
            format=fmt_name,
            dpi=dpi,
            facecolor="none" if transparent else fig.get_facecolor(),
            transparent=transparent,
            metadata={"Creator": "SaddleLab"} if fmt_name in ("pdf", "svg") else None,
        )
