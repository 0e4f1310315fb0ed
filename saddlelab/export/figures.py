"""Publication figures of the 2-D views, re-drawn from the models' data with matplotlib.

``write_figure(state, path, options)`` writes the contour map with the runs
(``options.view == "contour"``) or the loss and gradient-norm curves (``"loss"``) as PNG (at
``options.dpi``), SVG or PDF, chosen by the file's suffix. Lines, markers and text are vector
in SVG and PDF (text as text); the filled contours are one raster image inside them, which keeps
the files small. Light theme for paper, dark (the window's colours) for slides; type and line
widths follow the figure's width (:func:`saddlelab.export.theme.sizes`).
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from saddlelab.models.app_state import AppState

from .atomic import replacing
from .axes import figure_for, save
from .contour_figure import draw_background, draw_runs
from .loss_figure import draw_loss_view
from .options import STILL_FORMATS, Cancelled, ExportError, ExportOptions, Progress, format_of
from .scene import Snapshot, snapshot
from .theme import sizes, theme

FIGURE_VIEWS = ("contour", "loss")


def build_figure(snap: Snapshot, options: ExportOptions) -> Figure:
    """The figure of ``options.view`` for a snapshot (not saved)."""
    if options.view not in FIGURE_VIEWS:
        raise ExportError(
            f"the {options.view} view is not a 2-D figure: use contour or loss "
            "(the 3-D view exports from the window or with saddlelab render)"
        )
    th = theme(options.theme)
    fig = figure_for(options, th)
    sz = sizes(options.size_in[0])
    if options.view == "contour":
        ax = draw_background(fig, snap, th, sz)
        draw_runs(ax, snap, th, sz)
    else:
        draw_loss_view(fig, snap, th, sz)
    # Constrained layout settles on the second pass (tick labels depend on the first, with a
    # fixed-aspect map): lay out once here, so the saved file gets the settled layout.
    fig.draw_without_rendering()
    return fig


def write_figure(
    state: AppState | Snapshot,
    path: str | Path,
    options: ExportOptions,
    progress: Progress | None = None,
) -> Path:
    """Write the figure to ``path`` (png, svg or pdf, from its suffix); returns the path.

    ``state`` may be a :func:`~.scene.snapshot` of it, taken on the GUI thread (a background
    export then never reads the live state). ``progress(done, 3)`` is called before drawing,
    before saving and at the end; False stops the export with :class:`Cancelled` and no file
    is left behind.
    """
    path = Path(path)
    kind = format_of(path)
    if kind not in STILL_FORMATS:
        raise ExportError(f"a figure is {', '.join(STILL_FORMATS)}, not {kind}")
    go = progress or (lambda done, total: True)
    if not go(0, 3):
        raise Cancelled
    fig = build_figure(snapshot(state), options)
    if not go(1, 3):
        raise Cancelled
    try:
        with replacing(path) as temp:
            save(fig, temp, kind, fig.dpi, options.transparent)
            if not go(2, 3):
                raise Cancelled
    except OSError as error:
        raise ExportError(f"cannot write {path.name}: {error.strerror or error}") from None
    go(3, 3)
    return path
