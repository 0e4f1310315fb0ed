"""Command-line entry point: ``saddlelab [FILE]`` opens the window; sub-commands print analyses.

Kept light and thin on purpose: ``main`` and the parser only. Each sub-command lives in a
module of :mod:`saddlelab.commands`, with the helpers they share in
:mod:`saddlelab.commands.common` (which never import this module); nothing heavy (Qt, sympy,
scipy, numba) is imported until a sub-command needs it, so ``saddlelab analyze`` starts fast.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

import numpy as np

from saddlelab.commands import window
from saddlelab.commands.common import CLIError, silence_float_warnings


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CLIError(message)


def build_parser() -> argparse.ArgumentParser:
    from saddlelab import __version__
    from saddlelab.commands import analysis, basins, render, run

    parser = _Parser(
        prog="saddlelab",
        description="SaddleLab: see why neural-network training gets stuck. "
        "With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"saddlelab {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    for command in (analysis, run, render, basins):
        command.register(sub)
    return parser


def _value_options(parser: argparse.ArgumentParser) -> tuple[set[str], set[str]]:
    """Every option string of ``parser`` and its sub-commands, and those that take a value."""
    names: set[str] = set()
    valued: set[str] = set()
    parsers = [parser]
    while parsers:
        current = parsers.pop()
        for action in current._actions:
            names.update(action.option_strings)
            if action.option_strings and action.nargs != 0:
                valued.update(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
    return names, valued


def _join_dash_values(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """Let ``--expr -x^2-y^2`` mean ``--expr=-x^2-y^2`` (and so for every option's value).

    argparse takes a value that starts with '-' for an option unless it looks like a lone
    negative number, so an expression, a point or a domain starting with '-' would otherwise be
    refused. A following word that is itself one of the options is left alone (``--expr --vars``
    still reports the missing value).
    """
    names, valued = _value_options(parser)
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            return out + argv[i:]
        following = argv[i + 1] if i + 1 < len(argv) else ""
        if (
            arg in valued
            and len(following) > 1
            and following.startswith("-")
            and following.partition("=")[0] not in names
        ):
            out.append(f"{arg}={following}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if window.opens_window(argv, build_parser):  # no arguments, or a session file
            return window.launch(session_path=argv[0] if argv else None)
        parser = build_parser()
        argv = _join_dash_values(argv, parser)
        # Numbers that overflow or are undefined become statuses and messages, never warnings
        # on the terminal.
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            silence_float_warnings()
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
    except KeyboardInterrupt:
        sys.stderr.write("saddlelab: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
