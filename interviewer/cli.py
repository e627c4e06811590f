"""The `interviewer` command. Subcommands import their heavy dependencies lazily."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from interviewer import __version__
from interviewer.commands import CommandError

# Each name is a module in interviewer.commands with `add_parser(subparsers)`; its handler is set
# with `set_defaults(handler=...)` and returns an exit status, or raises CommandError.
COMMANDS = (
    "interview",
    "bank",
    "score",
    "eval",
    "tune",
    "review",
    "export",
    "stats",
    "doctor",
)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that command's module is imported (a faster first paint)."""
    parser = argparse.ArgumentParser(
        prog="interviewer",
        description="An AI-graded mock interviewer for architecture and system-design interviews.",
    )
    parser.add_argument("--version", action="version", version=f"interviewer {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in (only,) if only in COMMANDS else COMMANDS:
        try:
            module = importlib.import_module(f"interviewer.commands.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"interviewer.commands.{name}":
                continue  # not built yet
            raise
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    first = arguments[0] if arguments else None
    parser = build_parser(first if first in COMMANDS else None)
    args = parser.parse_args(arguments)
    if args.command is None:
        return _default(parser)
    try:
        status: int = args.handler(args)
    except CommandError as error:
        from interviewer.core.safe_text import one_line  # the message may quote untrusted input

        print(one_line(f"interviewer {args.command}: {error.message}"), file=sys.stderr)
        return error.status
    except KeyboardInterrupt:
        return 130
    return status


def _default(parser: argparse.ArgumentParser) -> int:
    """With no command: the interview TUI when it is available, else the bank and the usage."""
    try:
        importlib.import_module("interviewer.commands.interview")
    except ModuleNotFoundError:
        status = main(["bank", "list"])
        parser.print_usage()
        return status
    return main(["interview"])


if __name__ == "__main__":
    sys.exit(main())
