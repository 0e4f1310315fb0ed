"""Command-line entry point: ``saddlelab`` opens the window; sub-commands print analyses.

Kept light on purpose: nothing heavy (Qt, sympy, scipy, numba) is imported until a
sub-command needs it, so ``saddlelab analyze`` starts fast.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np


class CLIError(Exception):
    """A problem with what the user asked for: printed as one line, exit status 2."""


def jsonable(value: Any) -> Any:
    """Convert numpy values to plain JSON types; NaN and infinities become ``None``."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def print_json(value: Any) -> None:
    """Print standard JSON (``allow_nan=False``: null, never NaN or Infinity)."""
    sys.stdout.write(json.dumps(jsonable(value), indent=2, allow_nan=False) + "\n")


def add_surface_arguments(parser: argparse.ArgumentParser) -> None:
    """SURFACE as a built-in id, or ``--expr/--vars/--domain`` for a typed one."""
    parser.add_argument("surface", nargs="?", help="built-in surface id (see 'saddlelab surfaces')")
    parser.add_argument("--expr", help='a typed loss, e.g. "(1 - w1*w2)^2" (use with --vars)')
    parser.add_argument("--vars", help="the variables of --expr, e.g. x,y or x,y,z")
    parser.add_argument("--domain", help='the domain of --expr, e.g. "x=-2:2,y=-2:2"')


def surface_from_args(args: argparse.Namespace):
    """Build the Surface the arguments name, or raise CLIError with a clear message."""
    from saddlelab.core import catalogue
    from saddlelab.core.expressions import ExpressionError
    from saddlelab.core.surface import Surface

    if args.surface and args.expr:
        raise CLIError("give either a built-in SURFACE or --expr, not both")
    if args.surface:
        if args.vars or args.domain:
            raise CLIError("--vars and --domain go with --expr, not with a built-in surface")
        try:
            return catalogue.load(args.surface)
        except catalogue.UnknownSurfaceError as error:
            raise CLIError(str(error)) from None
    if not args.expr:
        raise CLIError("name a built-in SURFACE or give --expr with --vars")
    if not args.vars:
        raise CLIError("--expr needs --vars, e.g. --vars x,y")
    variables = [v.strip() for v in args.vars.split(",")]
    try:
        return Surface.from_expression(args.expr, variables, args.domain or None)
    except ExpressionError as error:
        raise CLIError(f"bad expression: {error}") from None


def parse_point(text: str, ndim: int, option: str = "--at") -> np.ndarray:
    """Parse ``A,B[,C]`` into ``ndim`` finite floats, or raise CLIError."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != ndim:
        raise CLIError(f"{option} needs {ndim} coordinates, got {len(parts)}: '{text}'")
    try:
        values = np.array([float(p) for p in parts])
    except ValueError:
        raise CLIError(f"{option} coordinates must be numbers: '{text}'") from None
    if not np.all(np.isfinite(values)):
        raise CLIError(f"{option} coordinates must be finite numbers: '{text}'")
    return values


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CLIError(message)


def build_parser() -> argparse.ArgumentParser:
    from saddlelab import __version__
    from saddlelab.commands import analysis, run

    parser = _Parser(
        prog="saddlelab",
        description="SaddleLab: see why neural-network training gets stuck. "
        "With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"saddlelab {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    analysis.register(sub)
    run.register(sub)
    return parser


_COORDINATE_OPTIONS = ("--at", "--start")


def _join_negative_coordinates(argv: list[str]) -> list[str]:
    """Let ``--at -1,2`` mean ``--at=-1,2``.

    argparse takes a value that starts with '-' for an option unless it is a lone number, so a
    point with a negative first coordinate would otherwise be refused.
    """
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        following = argv[i + 1] if i + 1 < len(argv) else ""
        if arg in _COORDINATE_OPTIONS and len(following) > 1 and following[0] == "-":
            if following[1].isdigit() or following[1] == ".":
                out.append(f"{arg}={following}")
                i += 2
                continue
        out.append(arg)
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    argv = _join_negative_coordinates(list(sys.argv[1:] if argv is None else argv))
    if not argv:
        from saddlelab.commands import window

        return window.launch()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        return int(args.handler(args) or 0)
    except CLIError as error:
        sys.stderr.write(f"saddlelab: error: {error}\n")
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
