"""Command-line subcommands; each module adds its parser and a handler returning an exit status.

A handler that fails raises `CommandError`; `interviewer.cli.main` reports it in one place. It lives
here, not in a sibling module, so that no subcommand imports another."""

from __future__ import annotations


class CommandError(Exception):
    """A subcommand's failure as one line: printed as `interviewer <command>: <message>` on stderr,
    and `status` becomes the exit status (2 for a usage mistake, 1 for everything else)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
