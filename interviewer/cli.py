"""The `interviewer` command. Subcommands import their heavy dependencies lazily."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from interviewer import __version__
from interviewer.commands import bank


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interviewer",
        description="An AI-graded mock interviewer for architecture and system-design interviews.",
    )
    parser.add_argument("--version", action="version", version=f"interviewer {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    bank.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _default(parser)
    try:
        status: int = args.handler(args)
    except KeyboardInterrupt:
        return 130
    return status


def _default(parser: argparse.ArgumentParser) -> int:
    """With no command: the interview (once the TUI exists); until then the bank and the usage."""
    status = main(["bank", "list"])
    parser.print_usage()
    return status


if __name__ == "__main__":
    sys.exit(main())
