""" "Copy as command": the ``saddlelab run`` or ``saddlelab render`` line that reproduces runs.

Every value is written exactly (``repr`` floats) and every word shell-quoted
(:func:`shlex.quote`), so the line pasted into a shell computes the same final point as the
window's run, bit for bit. A run changed mid-run (new hyper-parameters, options, a move, a
resume) cannot be said on one command line: the text then starts with a ``#`` comment line
saying the command reproduces the run's initial settings only (:func:`edits_note`).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from .options import ExportError, ExportOptions


def surface_arguments(surface) -> list[str]:
    """The words naming a surface: its catalogue id, or ``--expr``, ``--vars``, ``--domain``."""
    from saddlelab.core import catalogue

    try:
        entry = catalogue.entry(surface.id)
    except catalogue.UnknownSurfaceError:
        entry = None
    same = entry is not None and (
        entry.expression == surface.expression
        and tuple(entry.variables) == tuple(surface.variables)
        and tuple(map(tuple, entry.domain)) == tuple(map(tuple, surface.domain))
        and dict(entry.parameters) == dict(surface.parameters)
    )
    if same:
        return [surface.id]
    if surface.parameters:
        raise ExportError("a surface with parameters of its own has no command line "
                          "(the CLI names built-in surfaces or typed ones)")  # fmt: skip
    domain = ",".join(
        f"{name}={float(lo)!r}:{float(hi)!r}"
        for name, (lo, hi) in zip(surface.variables, surface.domain, strict=True)
    )
    return ["--expr", surface.expression, "--vars", ",".join(surface.variables),
            "--domain", domain]  # fmt: skip


def value_text(value) -> str:
    """A hyper-parameter value as ``--set`` reads it: true/false, A,B, repr floats."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return ",".join(value_text(v) for v in value)
    return repr(float(value))


def setting_pairs(config) -> list[str]:
    """``KEY=VALUE`` for every hyper-parameter that differs from its default, then the
    gradient noise and clipping when they are on."""
    from saddlelab.core.optim import OPTIMIZERS

    spec = OPTIMIZERS[config.optimizer]
    pairs = [f"{h.name}={value_text(config.params[h.name])}" for h in spec.hyper
             if config.params[h.name] != h.default]  # fmt: skip
    if config.grad_noise:
        pairs.append(f"grad_noise={float(config.grad_noise)!r}")
    if config.clip_norm is not None:
        pairs.append(f"clip_norm={float(config.clip_norm)!r}")
    return pairs


def start_text(config) -> str:
    return ",".join(repr(float(v)) for v in config.start)


def edits_note(record) -> str | None:
    """None for a run never changed mid-run; else one line saying what the command keeps."""
    edits = [e for e in (getattr(record, "edits", ()) or ()) if e.kind != "resumed"]
    resumed = len(getattr(record, "edits", ()) or ()) - len(edits)
    if not edits and not resumed:
        return None
    what = ", ".join(f"{e.kind} at step {e.step}" for e in edits[:3])
    if len(edits) > 3:
        what += f" and {len(edits) - 3} more"
    if resumed:
        what = f"{what}, resumed" if what else "resumed after a pause"
    return (f"this run was changed mid-run ({what}): the command reproduces its initial "
            "settings only")  # fmt: skip


def _join(words: Sequence[str], note: str | None) -> str:
    line = " ".join(shlex.quote(w) for w in words)
    return f"# {note}\n{line}" if note else line


def run_words(surface, record) -> list[str]:
    """The words of the ``saddlelab run`` command (unquoted)."""
    config = record.config
    words = ["saddlelab", "run", *surface_arguments(surface), "--optimizer", config.optimizer]
    for pair in setting_pairs(config):
        words += ["--set", pair]
    if config.schedule.kind != "constant" or config.schedule.warmup:
        words += ["--schedule", config.schedule.spec()]
    words += ["--start", start_text(config)]
    if config.seed:
        words += ["--seed", str(config.seed)]
    words += ["--steps", str(int(record.steps))]
    if not config.early_stop:
        words.append("--exact-steps")
    return words


def run_command(surface, record) -> str:
    """The ``saddlelab run`` line that reproduces a run (its final point, exactly), preceded
    by a ``#`` line when the run was changed mid-run (:func:`edits_note`)."""
    return _join(run_words(surface, record), edits_note(record))


def run_spec(record) -> str:
    """One run as ``saddlelab render --run`` reads it: ``OPTIMIZER key=value ...`` (the
    non-default hyper-parameters, schedule, noise, clipping, start, seed and steps)."""
    config = record.config
    words = [config.optimizer, *setting_pairs(config)]
    if config.schedule.kind != "constant" or config.schedule.warmup:
        words.append(f"schedule={config.schedule.spec()}")
    words += [f"start={start_text(config)}", f"steps={int(record.steps)}"]
    if config.seed:
        words.append(f"seed={config.seed}")
    return " ".join(words)


def option_words(options: ExportOptions, fmt: str) -> list[str]:
    """``saddlelab render`` options for an export: view, size, theme and the rest that apply."""
    words = ["--view", options.view]
    if options.size_px is not None:
        words += ["--size", f"{options.size_px[0]}x{options.size_px[1]}"]
    elif fmt in ("png", "svg", "pdf"):
        words += ["--size", f"{options.size_in[0]!r}x{options.size_in[1]!r}in"]
    if fmt in ("png", "svg", "pdf"):
        words += ["--dpi", f"{options.dpi:g}"]
    words += ["--theme", options.theme]
    if fmt in ("gif", "mp4"):
        words += ["--fps", str(options.fps), "--duration", f"{options.duration!r}"]
    if options.view == "surface":
        if options.scale != 1:
            words += ["--scale", f"{options.scale!r}"]
        if options.orbit:
            words.append("--orbit")
    if options.transparent:
        words.append("--transparent")
    return words


def render_command(surface, records: Sequence, out: str, options: ExportOptions) -> str:
    """The ``saddlelab render`` line that draws these runs into ``out`` with ``options``
    (a ``#`` line first when a run was changed mid-run: initial settings only)."""
    from .options import format_of

    fmt = format_of(out)
    words = ["saddlelab", "render", *surface_arguments(surface)]
    notes = []
    for record in records:
        words += ["--run", run_spec(record)]
        if edits_note(record):
            notes.append(record.config.optimizer)
    words += ["--out", out, *option_words(options, fmt)]
    note = (f"runs changed mid-run ({', '.join(notes)}): the command reproduces their "
            "initial settings only") if notes else None  # fmt: skip
    return _join(words, note)
