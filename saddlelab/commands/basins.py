"""``saddlelab basins``: which critical point each start of a grid ends at, for one optimizer."""

from __future__ import annotations

import argparse
import sys

import numpy as np

from saddlelab.commands.common import (
    CLIError,
    print_json,
    surface_from_args,
    whole,
)
from saddlelab.commands.run import _settings, add_optimizer_arguments
from saddlelab.core.criticality import NAMES
from saddlelab.core.limits import echo

MIN_GRID, MAX_GRID = 2, 400
DEFAULT_GRID, DEFAULT_STEPS = 100, 1000


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "basins",
        help="basins of attraction of an optimizer on a grid of starts",
        description="Run the optimizer from every start of an N x N grid over the domain "
        "(each run exactly the one 'saddlelab run' makes from that start) and say which "
        "critical point it converges at; -1: diverged, -2: not converged within --steps.",
    )
    add_optimizer_arguments(p)
    p.add_argument("--grid", default=str(DEFAULT_GRID),
                   help=f"starts per side, {MIN_GRID} to {MAX_GRID} ({DEFAULT_GRID})")  # fmt: skip
    p.add_argument("--steps", default=str(DEFAULT_STEPS),
                   help=f"most updates per run ({DEFAULT_STEPS})")  # fmt: skip
    p.add_argument("--slice", help="for a 3-parameter surface: the slice of the starts, z=VALUE "
                   "(default: the suggested start's third coordinate)")  # fmt: skip
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--out", metavar="FILE.png", help="write the basins as a PNG image")
    p.set_defaults(handler=handle)


def _slice(text: str | None, surface) -> list[float]:
    if surface.ndim == 2:
        if text:
            raise CLIError("--slice is for 3-parameter surfaces")
        return []
    name = surface.variables[2]
    if not text:
        return [float(surface.suggested_start()[2])]
    key, eq, value = text.partition("=")
    if not eq or key.strip() != name:
        raise CLIError(f"--slice needs {name}=VALUE, got '{echo(text)}'")
    try:
        number = float(value)
    except ValueError:
        raise CLIError(f"--slice value must be a number, got '{echo(value)}'") from None
    lo, hi = surface.domain[2]
    if not lo <= number <= hi:
        raise CLIError(f"--slice {name} must be in [{lo:g}, {hi:g}], got {number:g}")
    return [number]


def handle(args: argparse.Namespace) -> int:
    grid = whole(args.grid, "--grid", MIN_GRID)
    if grid > MAX_GRID:
        raise CLIError(f"--grid must be at most {MAX_GRID}, got {grid}")
    steps = whole(args.steps, "--steps", 1)
    if args.out and not args.out.lower().endswith(".png"):
        raise CLIError(f"--out writes PNG: give a FILE.png, got '{echo(args.out)}'")
    surface = surface_from_args(args)
    if surface.ndim not in (2, 3):
        raise CLIError("basins need a surface of 2 or 3 parameters")
    slice_values = _slice(args.slice, surface)
    hyper, options = _settings(args.set)

    from saddlelab.core.basins import compute_basins
    from saddlelab.core.optim import OptimizerError

    try:
        basins = compute_basins(
            surface, args.optimizer, hyper, grid=grid, steps=steps, slice_values=slice_values,
            grad_noise=options.get("grad_noise", 0.0), clip_norm=options.get("clip_norm"),
        )  # fmt: skip
    except OptimizerError as error:
        raise CLIError(str(error)) from None
    record = as_dict(surface, basins)
    if args.json:
        print_json(record)
        return 0
    if args.out:
        from saddlelab.commands.basins_image import write_basins_png

        try:
            write_basins_png(args.out, surface, basins)
        except OSError as error:
            raise CLIError(f"cannot write {args.out}: {error.strerror or error}") from None
    _print_summary(record, basins, args.out)
    return 0


def as_dict(surface, basins) -> dict:
    config = basins.configs[0]
    stc = basins.steps_to_converge
    return {
        "surface": surface.id,
        "optimizer": config.optimizer,
        "params": {k: _plain(v) for k, v in config.params.items()},
        "domain": [[float(lo), float(hi)] for lo, hi in surface.domain],
        "grid": int(len(basins.xs)),
        "steps": int(basins.steps),
        "xs": [float(v) for v in basins.xs],
        "ys": [float(v) for v in basins.ys],
        "attractors": [a.to_dict() for a in basins.attractors],
        "label": basins.label.astype(int).tolist(),
        "steps_to_converge": [[int(v) if v >= 0 else None for v in row] for row in stc],
    }


def _plain(value):
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _print_summary(record: dict, basins, out: str | None) -> None:
    label = basins.label
    total = label.size
    lines = [f"{record['surface']}: {record['optimizer']}, {record['grid']} x {record['grid']} "
             f"starts, at most {record['steps']} steps"]  # fmt: skip
    for k, a in enumerate(basins.attractors):
        point = ", ".join(f"{v:.4g}" for v in a.point)
        share = np.count_nonzero(label == k) / total
        name = NAMES.get(a.classification, a.classification)
        lines.append(f"  {k}: {name} at ({point}): {share:.1%} of starts")
    for code, name in ((-1, "diverged"), (-2, "not converged")):
        lines.append(f"  {name}: {np.count_nonzero(label == code) / total:.1%}")
    if out:
        lines.append(f"wrote {out}")
    sys.stdout.write("\n".join(lines) + "\n")
