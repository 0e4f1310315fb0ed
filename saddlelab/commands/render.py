"""``saddlelab render``: a still or an animation of runs on a surface, without a window.

The runs are computed here (replayed in-process, as a reopened session is) into a headless
:class:`~saddlelab.models.app_state.AppState`, then drawn by the exporters the window uses:
:mod:`saddlelab.export.figures` and :mod:`saddlelab.export.movie` for the 2-D views (matplotlib's
Agg backend: no display and no Qt at all), the off-screen 3-D view
(:mod:`saddlelab.app.scene3d.offscreen`) for ``--view surface``, which needs an OpenGL context.
The file appears only when complete (written under a temporary name, then renamed): Ctrl-C
stops a long animation with exit status 130 and nothing written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from saddlelab.commands import progress, session_io
from saddlelab.commands.common import CLIError, add_surface_arguments, surface_from_args
from saddlelab.commands.render_args import export_options, parse_records


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "render",
        help="write a figure or an animation of runs without a window",
        description="Draw runs on a surface into FILE.png/.svg/.pdf (a still) or .gif/.mp4 "
        "(the runs unfolding). The 2-D views need no display; the 3-D view (--view surface) "
        "needs OpenGL (on a machine without a display: xvfb-run -a saddlelab render ...).",
    )
    add_surface_arguments(p)
    p.add_argument("--run", action="append", default=[], metavar="SPEC",
                   help='a run: "OPTIMIZER key=value ...", e.g. "adam lr=0.01" or "sgd lr=0.001 '
                   'momentum=0.9 schedule=cosine:T_max=500 start=-1,1 steps=2000 '
                   'grad_noise=0.1 clip_norm=1 seed=3"; repeatable')  # fmt: skip
    p.add_argument("--steps", help="updates per run (1000) unless a --run says steps=N")
    p.add_argument("--start", help="start point A,B[,C] (default: the surface's suggestion)")
    p.add_argument("--seed", help="seed of the gradient noise (0)")
    p.add_argument("--session", metavar="FILE", help="draw a saved session instead")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="the file to write: .png, .svg, .pdf, .gif or .mp4")  # fmt: skip
    p.add_argument("--view", default="contour", choices=("contour", "surface", "loss"),
                   help="contour map (default), the 3-D surface, or loss curves")  # fmt: skip
    p.add_argument("--size", help="WxH pixels (1280x720), WxHin inches (7x4.6in), or column, "
                   "two-columns, slide")  # fmt: skip
    p.add_argument("--dpi", help="dots per inch of a still (200)")
    p.add_argument("--theme", default="light", choices=("light", "dark"),
                   help="light for papers (default), dark for slides")  # fmt: skip
    p.add_argument("--fps", help="frames per second of an animation (30)")
    p.add_argument("--duration", help="seconds of an animation (5)")
    p.add_argument("--scale", help="3-D view: 1 to 4 times its size")
    p.add_argument("--transparent", action="store_true", help="transparent background")
    p.add_argument("--orbit", action="store_true", help="3-D animation: the camera turns around")
    p.add_argument("--save-session", metavar="FILE",
                   help="also write the session that reproduces this picture")  # fmt: skip
    p.set_defaults(handler=handle)


def _session_state(args: argparse.Namespace):
    """(state, camera) from ``--session FILE``."""
    given = [name for name, value in (("SURFACE", args.surface), ("--expr", args.expr),
             ("--run", args.run), ("--steps", args.steps), ("--start", args.start),
             ("--seed", args.seed)) if value]  # fmt: skip
    if given:
        raise CLIError(f"--session draws the saved runs: leave out {', '.join(given)}")
    session, state = session_io.session_state(args.session)
    return state, session.camera


def _fresh_state(args: argparse.Namespace):
    """(state, None) with the --run runs computed on the named surface."""
    from saddlelab.models.session import Session, SessionError

    surface = surface_from_args(args)
    session = Session.of_runs(surface, parse_records(args, surface))
    try:
        return session.build_state(), None
    except SessionError as error:
        raise CLIError(str(error)) from None


def _partial(out: Path) -> Path:
    """Where the file is written until it is complete (same folder and suffix)."""
    return out.with_name(f".{out.stem}.partial-{os.getpid()}{out.suffix}")


class _Reporter:
    """The exporters' ``progress(done, total)``: progress on stderr, False after Ctrl-C."""

    def __init__(self, stop: progress._StopFlag, unit: str) -> None:
        self.stop = stop
        self.shown = None
        self.unit = unit

    def __call__(self, done: int, total: int) -> bool:
        if self.shown is None:
            self.shown = progress.Progress(total, unit=self.unit,
                                           tail="Ctrl-C stops, nothing is written")  # fmt: skip
        self.shown.total = total
        self.shown.update(done)
        return not self.stop.raised

    def close(self) -> None:
        if self.shown is not None:
            self.shown.close()


def _write(state, camera, path: Path, fmt: str, options, report) -> dict | None:
    """Draw ``state`` into ``path``; returns the 3-D camera used (None for the 2-D views)."""
    if options.view == "surface":
        from saddlelab.app.scene3d import offscreen

        why = offscreen.gl_unavailable()
        if why:
            raise CLIError(why)
        view = offscreen.headless_view(state, options.pixels())
        if camera:
            offscreen.set_camera_state(view, camera)
        writer = offscreen.write_surface_png if fmt == "png" else offscreen.write_surface_movie
        writer(view, path, options, report)
        return offscreen.camera_state(view)
    if fmt in ("gif", "mp4"):
        from saddlelab.export.movie import write_contour_movie

        write_contour_movie(state, path, options, report)
    else:
        from saddlelab.export.figures import write_figure

        write_figure(state, path, options, report)
    return camera


def handle(args: argparse.Namespace) -> int:
    from saddlelab.export.options import Cancelled, ExportError, format_of

    out = Path(args.out)
    try:
        fmt = format_of(out)
    except ExportError as error:
        raise CLIError(str(error)) from None
    options = export_options(args, fmt)
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise CLIError(f"cannot write {out}: no folder {folder}")
    if out.is_dir():
        raise CLIError(f"cannot write {out}: it is a folder")
    session_io.check_target(args.save_session)
    state, camera = _session_state(args) if args.session else _fresh_state(args)
    if options.view == "loss" and not len(state.runs):
        raise CLIError("the loss curves need at least one --run")
    partial = _partial(out)
    stop = progress._StopFlag()
    report = _Reporter(stop, "frame" if fmt in ("gif", "mp4") else "part")
    try:
        with stop:
            stop.armed = True
            camera = _write(state, camera, partial, fmt, options, report)
        report.close()
        if stop.raised:
            raise Cancelled
        os.replace(partial, out)
    except (Cancelled, KeyboardInterrupt):
        report.close()
        sys.stderr.write(f"saddlelab: interrupted by Ctrl-C: {out} not written\n")
        return 130
    except ExportError as error:
        raise CLIError(str(error)) from None
    except OSError as error:
        raise CLIError(f"cannot write {out}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)
    if args.save_session:
        _save_session(state, camera, args.save_session)
    sys.stdout.write(f"wrote {out}\n")
    return 0


def _save_session(state, camera, path: str) -> None:
    from saddlelab.models.session import Session, SessionError, save_session

    try:
        save_session(Session.capture(state, camera), path)
    except SessionError as error:
        raise CLIError(f"--save-session: {error}") from None
