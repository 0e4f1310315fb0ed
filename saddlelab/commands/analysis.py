"""The analysis sub-commands: ``surfaces``, ``analyze`` and ``critical-points``.

Their names, options and ``--json`` keys are a contract (issue 2) that scripts and the other
parts of SaddleLab rely on. ``analyze`` imports neither Qt nor scipy, so it starts fast.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from saddlelab.commands.common import (
    CLIError,
    add_surface_arguments,
    parse_point,
    print_json,
    print_notes,
    surface_from_args,
    surface_notes,
)
from saddlelab.core.numbers import count


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``surfaces``, ``analyze`` and ``critical-points`` to the CLI."""
    p = subparsers.add_parser("surfaces", help="list the built-in surfaces")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run_surfaces)

    p = subparsers.add_parser(
        "analyze",
        help="gradient, Hessian, eigenvalues and classification at a point",
        description="Second-order analysis at one point. Where the loss is undefined (NaN or "
        "infinite) the answer is that one line (JSON: defined false and the message).",
    )
    add_surface_arguments(p)
    p.add_argument("--at", required=True, help="the point, e.g. --at 0,0 or --at -1,2")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run_analyze)

    p = subparsers.add_parser(
        "critical-points", help="every critical point in the domain, classified"
    )
    add_surface_arguments(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run_critical_points)


def _num(x: float | None, width: int = 0) -> str:
    if x is None or not np.isfinite(x):
        text = "n/a"
    else:
        text = f"{x:.6g}"
        text = "0" if text == "-0" else text
    return text.rjust(width) if width else text


def _vec(v, width: int = 0) -> str:
    return "(" + ", ".join(_num(float(x), width) for x in v) + ")"


def run_surfaces(args: argparse.Namespace) -> int:
    from saddlelab.core import catalogue

    entries = catalogue.entries()
    if args.json:
        print_json(
            [
                {
                    "id": e.id,
                    "name": e.name,
                    "expression": e.expression,
                    "variables": list(e.variables),
                    "domain": [list(b) for b in e.domain],
                    "start": list(e.start),
                    "parameters": dict(e.parameters),
                    "description": e.description,
                }
                for e in entries
            ]
        )
        return 0
    width = max(len(e.id) for e in entries)
    out = []
    for e in entries:
        out.append(f"{e.id.ljust(width)}  {len(e.variables)}-D  {e.name}")
        out.append(f"{'':{width}}       L = {e.expression}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def run_analyze(args: argparse.Namespace) -> int:
    from saddlelab.core.analysis import AnalysisError, analyze
    from saddlelab.core.undefined import point_verdict

    surface = surface_from_args(args)
    point = parse_point(args.at, surface.ndim)
    notes, facts = surface_notes(args, surface)
    verdict = point_verdict(surface, point)  # L undefined here: that is the answer
    try:
        a = None if verdict else analyze(surface, point)
    except AnalysisError as error:
        raise CLIError(f"cannot analyze {surface.id} at {args.at}: {error}") from None
    if args.json:
        if a is None:
            print_json({"surface": surface.id, "variables": list(surface.variables),
                        "point": point, "defined": False, "message": verdict, **facts})  # fmt: skip
        else:
            print_json({**a.to_dict(), **facts})
        return 0
    print_notes(notes)
    sys.stdout.write((verdict if a is None else format_analysis(a, surface)) + "\n")
    return 0


def format_analysis(a, surface) -> str:
    """The human-readable ``analyze`` report: aligned labels, tolerances shown."""
    d = len(a.variables)
    rows: list[tuple[str, str]] = [
        ("surface", f"{a.surface_id}  ({surface.name})"),
        ("point", ", ".join(f"{v} = {_num(x)}" for v, x in zip(a.variables, a.point, strict=True))),
        ("loss", _num(a.loss)),
        ("gradient", _vec(a.gradient)),
        (
            "gradient norm",
            f"{_num(a.gradient_norm)}  ({'critical' if a.is_critical else 'not critical'}: "
            f"|g| <= {_num(a.grad_tolerance)} counts as zero)",
        ),
    ]
    hw = max(len(_num(float(x))) for x in a.hessian.ravel())
    for i in range(d):
        rows.append(("hessian" if i == 0 else "", "[" + _vec(a.hessian[i], hw)[1:-1] + "]"))
    ew = max(len(_num(float(x))) for x in a.eigenvalues)
    for i in range(d):
        rows.append(
            (
                "eigenvalues" if i == 0 else "",
                f"λ{i + 1} = {_num(float(a.eigenvalues[i]), ew)}   along "
                f"{_vec(a.eigenvectors[i], 7)}",
            )
        )
    rows += [
        (
            "tolerance",
            f"|λ| <= {_num(a.eigen_tolerance)} counts as zero "
            "(1e-6 x max|λ|, at least 1e-8 x max(1, |L| / max(1, ‖θ‖)²))",
        ),
        ("curvature", a.curvature),
        ("classification", a.classification),
        ("minimum ratio", _num(a.minimum_ratio)),
        ("escape directions", ", ".join(_vec(v) for v in a.escape_directions) or "none"),
        ("condition number", _num(a.condition_number)),
        ("eta_opt", _num(a.eta_opt) + ("" if a.eta_opt is None else "  (1/λmax)")),
        (
            "eta_max_stable",
            _num(a.eta_max_stable) + ("" if a.eta_max_stable is None else "  (2/λmax)"),
        ),
        ("taylor model", a.taylor.text()),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"{label.ljust(width)}  {value}" for label, value in rows]
    return "\n".join(lines) + "\n\n" + a.sentence()


def run_critical_points(args: argparse.Namespace) -> int:
    from saddlelab.core.critical import find_critical_points

    surface = surface_from_args(args)
    notes, facts = surface_notes(args, surface)
    result = find_critical_points(surface)
    if args.json:
        print_json({**result.to_dict(), **facts})
        return 0
    print_notes(notes)
    sys.stdout.write(format_critical_points(result, surface) + "\n")
    return 0


def format_critical_points(result, surface) -> str:
    """The human-readable ``critical-points`` table."""
    domain = ", ".join(
        f"{v} in [{_num(lo)}, {_num(hi)}]"
        for v, (lo, hi) in zip(result.variables, result.domain, strict=True)
    )
    head = [f"{result.surface_id}  ({surface.name})", f"domain: {domain}"]
    if not result.points:
        return "\n".join([*head, "no critical points in the domain"])
    counts = ", ".join(f"{n} {k}" for k, n in sorted(result.counts().items()))
    head.append(f"{count(len(result), 'critical point')}: {counts}")
    cols = ["#", "point", "loss", "classification", "eigenvalues", "min ratio"]
    table = []
    for i, c in enumerate(result, start=1):
        mark = "" if c.isolated else " *"
        table.append(
            [
                str(i),
                _vec(c.point),
                _num(c.loss),
                c.classification + mark,
                _vec(c.eigenvalues),
                _num(c.minimum_ratio),
            ]
        )
    widths = [max(len(r[k]) for r in [cols, *table]) for k in range(len(cols))]
    lines = head + [""]
    for row in [cols, *table]:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    if result.has_continuum:
        lines.append(
            "\n* part of a curve or surface of critical points (not isolated): "
            "representatives are shown, spaced about 1/12 of the domain diagonal apart"
        )
    if result.truncated or result.cancelled:
        lines.append(f"({result.note()})")
    lines.append(
        "eigenvalues with |λ| <= 1e-6 x max|λ| (at least 1e-8 x max(1, |L|)) count as zero"
    )
    return "\n".join(lines)
