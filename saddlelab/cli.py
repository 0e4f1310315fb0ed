"""Command-line entry point: ``saddlelab`` opens the window; sub-commands print analyses.

Kept light and thin on purpose: ``main`` and the parser only. Each sub-command lives in a
module of :mod:`saddlelab.commands`, with the helpers they share in
:mod:`saddlelab.commands.common` (which never import this module); nothing heavy (Qt, sympy,
scipy, numba) is imported until a sub-command needs it, so ``saddlelab analyze`` starts fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from saddlelab.commands.common import CLIError


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
