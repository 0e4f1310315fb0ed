"""What ``saddlelab render`` reads from its arguments: runs (``--run "adam lr=0.01"``) and the
export options (``--size``, ``--dpi``, ``--theme`` ...), each checked with a one-line error."""

from __future__ import annotations

import argparse
import math

from saddlelab.commands.common import CLIError, parse_point, whole
from saddlelab.core.limits import echo

RUN_KEYS = ("schedule", "grad_noise", "clip_norm", "seed", "start", "steps")
"""Keys of a ``--run`` besides the optimizer's hyper-parameters."""
MAX_RUNS = 16
DEFAULT_STEPS = 1000


def _float(text: str, what: str) -> float:
    """A finite number, or CLIError naming ``what``."""
    try:
        value: float | None = float(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value):
        kind = "a number" if value is None else "a finite number"
        raise CLIError(f"{what} must be {kind}, got '{echo(text)}'")
    return value


def parse_run(text: str, surface, steps: int, start, seed: int = 0):
    """One ``--run`` value, ``OPTIMIZER [key=value ...]``, as a RunRecord of ``steps`` updates
    (``steps=``, ``start=``, ``seed=`` in the text win over the command's)."""
    from saddlelab.core.optim import OptimizerError, RunConfig, parse_schedule
    from saddlelab.core.optim.replay import RunRecord

    words = text.split()
    if not words:
        raise CLIError('--run is empty: give an optimizer and settings, e.g. "adam lr=0.01"')
    optimizer, hyper, extra = words[0], {}, {}
    for word in words[1:]:
        key, eq, value = word.partition("=")
        if not eq or not key:
            raise CLIError(f"--run '{echo(text)}': '{echo(word)}' should look like key=value")
        (extra if key in RUN_KEYS else hyper)[key] = value
    where = f"--run '{echo(text)}'"
    if "steps" in extra:
        steps = whole(extra["steps"], f"{where}: steps")
    if "start" in extra:
        start = parse_point(extra["start"], surface.ndim, f"{where}: start")
    if "seed" in extra:
        seed = whole(extra["seed"], f"{where}: seed")
    noise = _float(extra["grad_noise"], f"{where}: grad_noise") if "grad_noise" in extra else 0.0
    clip = _float(extra["clip_norm"], f"{where}: clip_norm") if "clip_norm" in extra else None
    try:
        schedule = parse_schedule(extra.get("schedule", "constant"))
        config = RunConfig.make(optimizer, start, hyper, schedule=schedule, seed=seed,
                                max_steps=steps, grad_noise=noise, clip_norm=clip)  # fmt: skip
    except (OptimizerError, ValueError) as error:
        raise CLIError(f"{where}: {error}") from None
    return RunRecord(config, (), steps)


def parse_records(args: argparse.Namespace, surface) -> list:
    """Every ``--run`` of the command as a RunRecord."""
    if len(args.run) > MAX_RUNS:
        raise CLIError(f"at most {MAX_RUNS} --run options, got {len(args.run)}")
    steps = whole(args.steps, "--steps") if args.steps is not None else DEFAULT_STEPS
    start = (parse_point(args.start, surface.ndim, "--start") if args.start
             else surface.suggested_start())  # fmt: skip
    seed = whole(args.seed, "--seed") if args.seed is not None else 0
    return [parse_run(text, surface, steps, start, seed) for text in args.run]


PRESET_WORDS = ("column", "two-columns", "slide")


def _size(text: str, fmt: str, dpi: float) -> dict:
    """``--size``: WxH pixels, WxHin inches, or a preset name, as ExportOptions fields."""
    from saddlelab.export.options import PRESETS

    text = text.strip().lower()
    if text in PRESETS:
        return {"size_in": PRESETS[text]}
    inches = text.endswith("in")
    body = text.removesuffix("in")
    w, x, h = body.partition("x")
    if not x:
        raise CLIError(f"--size must be WxH pixels (1280x720), WxHin inches (7x4.6in) or one of "
                       f"{', '.join(PRESET_WORDS)}, got '{echo(text)}'")  # fmt: skip
    if inches:
        return {"size_in": (_float(w, "--size width"), _float(h, "--size height"))}
    width, height = whole(w, "--size width", 1), whole(h, "--size height", 1)
    if fmt in ("svg", "pdf"):  # vector pages are measured in inches
        return {"size_in": (width / dpi, height / dpi)}
    return {"size_px": (width, height)}


def export_options(args: argparse.Namespace, fmt: str):
    """The ExportOptions the arguments ask for (CLIError, one line, if they do not fit)."""
    from saddlelab.export.options import MOVIE_FORMATS, ExportError, ExportOptions

    view = args.view
    if view == "surface" and fmt in ("svg", "pdf"):
        raise CLIError("the 3-D view (--view surface) exports as png, gif or mp4, not " + fmt)
    if view == "loss" and fmt in MOVIE_FORMATS:
        raise CLIError("the loss curves (--view loss) export as png, svg or pdf, not " + fmt)
    fields: dict = {"view": view, "theme": args.theme}
    if args.dpi is not None:
        fields["dpi"] = _float(args.dpi, "--dpi")
    if args.size is not None:
        fields.update(_size(args.size, fmt, fields.get("dpi", ExportOptions.dpi)))
    if args.fps is not None:
        fields["fps"] = whole(args.fps, "--fps", 1)
    if args.duration is not None:
        fields["duration"] = _float(args.duration, "--duration")
    if args.scale is not None:
        fields["scale"] = _float(args.scale, "--scale")
    fields["transparent"] = bool(args.transparent)
    fields["orbit"] = bool(args.orbit)
    try:
        return ExportOptions(**fields)
    except ExportError as error:
        raise CLIError(str(error)) from None
