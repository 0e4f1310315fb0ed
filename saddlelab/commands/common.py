"""What the CLI's sub-commands share: the one-line error, JSON output, surface and point
arguments. The entry point (:mod:`saddlelab.cli`) imports the commands; they never import it."""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import Any

import numpy as np

from saddlelab.core.limits import echo
from saddlelab.export.data import json_text


def silence_float_warnings() -> None:
    """Hide numpy's floating-point RuntimeWarnings ("overflow encountered in ...") in every
    thread: overflow and undefined values become NaN, statuses and messages, and are never
    printed on the terminal. Other warnings still show."""
    warnings.filterwarnings("ignore", message=r".*encountered in ", category=RuntimeWarning)


class CLIError(Exception):
    """A problem with what the user asked for: printed as one line, exit status 2."""


def whole(text: str, option: str, minimum: int = 0) -> int:
    """A whole number >= ``minimum`` within the engine's limits, or CLIError naming ``option``."""
    from saddlelab.core.limits import whole_number

    try:
        return whole_number(text, option, minimum)
    except ValueError as error:
        raise CLIError(str(error)) from None


def print_json(value: Any) -> None:
    """Print standard JSON (``allow_nan=False``: null, never NaN or Infinity)."""
    sys.stdout.write(json_text(value))


def add_surface_arguments(parser: argparse.ArgumentParser) -> None:
    """SURFACE as a built-in id, or ``--expr/--vars/--domain`` for a typed one."""
    parser.add_argument("surface", nargs="?", help="built-in surface id (see 'saddlelab surfaces')")
    parser.add_argument("--expr", help='a typed loss, e.g. "(1 - w1*w2)^2" (use with --vars)')
    parser.add_argument("--vars", help="the variables of --expr, e.g. x,y or x,y,z")
    parser.add_argument("--domain", help='the domain of --expr, e.g. "x=-2:2,y=-2:2"')


def surface_from_args(args: argparse.Namespace):
    """Build the Surface the arguments name, or raise CLIError with a clear message."""
    from saddlelab.core import catalogue
    from saddlelab.core.expression_error import ExpressionError
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
        kind = "bad domain" if str(error).startswith("domain") else "bad expression"
        raise CLIError(f"{kind}: {error}") from None


def surface_spec(args: argparse.Namespace):
    """The expression, variables, domain and parameters the arguments name, read without
    building the surface (no sympy); None where the arguments are wrong (building the surface
    then says what is wrong)."""
    from types import SimpleNamespace

    from saddlelab.core import catalogue
    from saddlelab.core.domain import parse_domain
    from saddlelab.core.expression_error import ExpressionError

    if args.surface and not args.expr:
        try:
            e = catalogue.entry(args.surface)
        except catalogue.UnknownSurfaceError:
            return None
        return SimpleNamespace(expression=e.expression, variables=tuple(e.variables),
                               domain=tuple(e.domain), parameters=dict(e.parameters))  # fmt: skip
    if not (args.expr and args.vars) or args.surface:
        return None
    variables = tuple(v.strip() for v in args.vars.split(","))
    try:
        domain = parse_domain(args.domain or "", variables)
    except ExpressionError:
        return None
    return SimpleNamespace(expression=args.expr, variables=variables, domain=domain, parameters={})


def surface_notes(args: argparse.Namespace, surface) -> tuple[list[str], dict]:
    """What to tell the user about the surface they asked for, as lines and as JSON keys:
    where its loss is undefined, and which variables of a typed one got the default range.

    The JSON keys (``undefined``: share, where, regions, message; ``notes``) are added to a
    command's record only when there is something to say, so the records of surfaces
    defined everywhere keep their documented keys.
    """
    from saddlelab.core.domain import default_range_note, domain_defaults
    from saddlelab.core.undefined import undefined_region

    region = undefined_region(surface)
    notes = [region.sentence()] if region.any else []
    missing = domain_defaults(args.domain, surface.variables) if args.expr else []
    if missing:
        notes.append(default_range_note(missing))
    facts = {"undefined": region.to_dict(), "notes": notes} if notes else {}
    return notes, facts


def print_notes(notes: list[str]) -> None:
    """Notes before a report, one line each (``note: L is undefined on ...``)."""
    for note in notes:
        sys.stdout.write(f"note: {note}\n")


def parse_point(text: str, ndim: int, option: str = "--at") -> np.ndarray:
    """Parse ``A,B[,C]`` into ``ndim`` finite floats, or raise CLIError."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != ndim:
        raise CLIError(f"{option} needs {ndim} coordinates, got {len(parts)}: '{echo(text)}'")
    try:
        values = np.array([float(p) for p in parts])
    except ValueError:
        raise CLIError(f"{option} coordinates must be numbers: '{echo(text)}'") from None
    if not np.all(np.isfinite(values)):
        raise CLIError(f"{option} coordinates must be finite numbers: '{echo(text)}'")
    return values
