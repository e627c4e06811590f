"""The `interviewer` command. Subcommands import their heavy dependencies lazily."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

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
    "rubric",
)

# A command whose verbs live in separate modules (no subcommand imports another): the group's
# parser is made here and each module adds its verb with `add_verb(verbs)`.
GROUPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "rubric": (
        "draft and check the scoring rubrics of a bank",
        "`interviewer rubric VERB --help` for each",
        (
            "rubric",  # `rubric draft`: interviewer/commands/rubric.py
            "rubric_check",  # `rubric check`: interviewer/commands/rubric_check.py
        ),
    ),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that command's module is imported (a faster first paint)."""
    parser = argparse.ArgumentParser(
        prog="interviewer",
        description="An AI-graded mock interviewer for architecture and system-design interviews.",
    )
    parser.add_argument("--version", action="version", version=f"interviewer {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in (only,) if only in COMMANDS else COMMANDS:
        if name in GROUPS:
            _add_group(subparsers, name)
            continue
        if (module := _command_module(name)) is not None:
            module.add_parser(subparsers)
    return parser


def _command_module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"interviewer.commands.{name}")
    except ModuleNotFoundError as error:
        if error.name == f"interviewer.commands.{name}":
            return None  # not built yet
        raise


def _add_group(subparsers: argparse._SubParsersAction[argparse.ArgumentParser], name: str) -> None:
    help_text, description, modules = GROUPS[name]
    group = subparsers.add_parser(name, help=help_text, description=description)
    verbs = group.add_subparsers(dest="verb", required=True, metavar="VERB")
    for module_name in modules:
        if (module := _command_module(module_name)) is not None:
            module.add_verb(verbs)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments:  # the TUI: straight to it, without importing every command (first paint)
        return _default()
    first = arguments[0]
    parser = build_parser(first if first in COMMANDS else None)
    args = parser.parse_args(arguments)
    if args.command is None:
        return _default()
    try:
        status: int = args.handler(args)
    except CommandError as error:
        from interviewer.core.safe_text import one_line  # the message may quote untrusted input

        print(one_line(f"interviewer {args.command}: {error.message}"), file=sys.stderr)
        return error.status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `interviewer bank show --json | head`: the reader left; not an error
        _quiet_closed_stdout()
        return 141
    return status


def _quiet_closed_stdout() -> None:
    """Points stdout at /dev/null so the interpreter's final flush does not report the closed pipe."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _default() -> int:
    """With no command: the interview TUI when it is available, else the bank and the usage."""
    try:
        importlib.import_module("interviewer.commands.interview")
    except ModuleNotFoundError:
        status = main(["bank", "list"])
        build_parser().print_usage()
        return status
    return main(["interview"])


if __name__ == "__main__":
    sys.exit(main())
