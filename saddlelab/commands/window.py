"""``saddlelab`` with no arguments: open the main window."""

from __future__ import annotations


def launch() -> int:
    from saddlelab.cli import build_parser

    build_parser().print_help()
    return 0
