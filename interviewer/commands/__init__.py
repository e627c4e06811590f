"""Command-line subcommands; each module adds its parser and a handler returning an exit status.

A handler that fails raises `CommandError`; `interviewer.cli.main` reports it in one place. It lives
here, not in a sibling module, so that no subcommand imports another."""

from __future__ import annotations

from pathlib import Path


class CommandError(Exception):
    """A subcommand's failure as one line: printed as `interviewer <command>: <message>` on stderr,
    and `status` becomes the exit status (2 for a usage mistake, 1 for everything else)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def model_folder(value: str) -> str:
    """argparse type of `--model`: `published`, or a folder that exists (else a one-line usage
    error, not a traceback once the model is first used)."""
    import argparse

    if value != "published" and not Path(value).expanduser().is_dir():
        raise argparse.ArgumentTypeError(f"no model folder at {value!r}")
    return value


def rubrics_folder(value: str) -> Path:
    """argparse type of `--rubrics`: a folder that exists (a typo must not silently fall back to
    drafted rubrics)."""
    import argparse

    path = Path(value).expanduser()
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"no rubrics folder at {value!r}")
    return path


def is_database(out: Path, database: Path) -> bool:
    """Whether writing `out` would write the transcript database or its journal (by any name: a
    path spelled another way, a symbolic or a hard link)."""
    targets = [
        database,
        *(database.with_name(database.name + s) for s in ("-wal", "-shm", "-journal")),
    ]
    for target in targets:
        try:
            if out.resolve() == target.resolve() or out.samefile(target):
                return True
        except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop (Python 3.11)
            continue
    return False


def positive_int(value: str) -> int:
    """argparse type of a count or a width: a whole number, 1 or more (`--limit -1` would slice
    the table from the end)."""
    import argparse

    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number
