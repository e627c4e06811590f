"""What goes wrong with the transcript database, said so a user can act on it, and the fallback file
that keeps typed answers when the database cannot take them.

The fallback is append-only JSON Lines under `INTERVIEWER_HOME/fallback/`: one line per answer or
draft, flushed and fsynced before the caller hears about the failure. `interviewer review --recover`
moves its answers into the database once it works again.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from interviewer.core.ports import TranscriptError

FALLBACK_FILE = "unsaved-answers.jsonl"


class StoreError(TranscriptError):
    """A transcript database fault, as one line for the user.

    `kind` is one of locked, read_only, full, corrupt, cannot_open, newer, not_found, duplicate,
    other. `fallback` is the file the text went to instead, when it went somewhere.
    """

    def __init__(self, message: str, kind: str = "other", fallback: Path | None = None) -> None:
        super().__init__(message, kind)
        self.fallback = fallback

    def __str__(self) -> str:
        return self.message


def _advice(kind: str, path: str, timeout: float, detail: str) -> str:
    if kind == "locked":
        return (
            f"the transcript database {path} is locked by another program (waited {timeout:g} s);"
            " close other interviewer windows and try again"
        )
    if kind == "read_only":
        return (
            f"the transcript database {path} is read-only; check the permissions of the file"
            " and its folder"
        )
    if kind == "full":
        return f"the disk holding {path} is full; free some space"
    if kind == "corrupt":
        return (
            f"the transcript database {path} is damaged ({detail}); move it aside"
            f" (mv '{path}' '{path}.broken') and a new one is created on the next start"
        )
    if kind == "cannot_open":
        return _cannot_open(path)
    if kind == "io":
        return f"the disk failed while using the transcript database {path} ({detail})"
    return f"transcript database error ({detail}) in {path}"


def _cannot_open(path: str) -> str:
    """Why SQLite could not open `path`, as far as the file system tells."""
    where = Path(path)
    if where.is_dir():
        return (
            f"{path} is a folder, not the transcript database file; move it aside"
            " (a new database is created on the next start) or set INTERVIEWER_HOME elsewhere"
        )
    if not where.parent.is_dir():
        return f"cannot open the transcript database {path}: its folder {where.parent} is missing"
    if not os.access(where.parent, os.W_OK) or (where.exists() and not os.access(where, os.W_OK)):
        return f"cannot open the transcript database {path}: it or its folder is not writable"
    return f"cannot open the transcript database {path}: its folder is missing or not writable"


_KINDS = (
    ("SQLITE_BUSY", "locked"),
    ("SQLITE_LOCKED", "locked"),
    ("SQLITE_READONLY", "read_only"),
    ("SQLITE_FULL", "full"),
    ("SQLITE_NOTADB", "corrupt"),
    ("SQLITE_CORRUPT", "corrupt"),
    ("SQLITE_CANTOPEN", "cannot_open"),
    ("SQLITE_IOERR", "io"),
)


def kind_of(error: BaseException) -> str:
    if isinstance(error, sqlite3.Error):
        name = getattr(error, "sqlite_errorname", "") or ""
        for prefix, kind in _KINDS:
            if name.startswith(prefix):
                return kind
        text = str(error).lower()
        if "locked" in text:
            return "locked"
        if "readonly" in text or "read-only" in text:
            return "read_only"
    if isinstance(error, OSError) and error.errno == 28:  # ENOSPC
        return "full"
    return "other"


def describe(error: BaseException, path: str, action: str, timeout: float) -> StoreError:
    """A StoreError saying what could not be done, why, and what to do about it."""
    kind = kind_of(error)
    message = f"Could not {action}: {_advice(kind, path, timeout, str(error))}."
    return StoreError(message, kind)


class FallbackLog:
    """Append-only JSONL that an answer is written to when the database will not take it."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FALLBACK_FILE

    def append(self, entry: dict[str, Any]) -> Path:
        line = json.dumps({"at": datetime.now(UTC).isoformat(), **entry}, ensure_ascii=False)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return self.path

    def entries(self) -> list[dict[str, Any]]:
        """Every readable line; a torn last line (killed mid-write) is skipped."""
        if not self.path.exists():
            return []
        rows: list[dict[str, Any]] = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict):
                rows.append(row)
        return rows

    def keep(self, failure: StoreError, entry: dict[str, Any]) -> StoreError:
        """Write `entry` and return the error to raise, saying where the text went."""
        try:
            where = self.append({**entry, "error": failure.message})
        except OSError as error:
            return StoreError(
                f"{failure.message} The fallback file {self.path} could not be written either"
                f" ({error.strerror}): copy your answer somewhere safe now.",
                failure.kind,
            )
        return StoreError(
            f"{failure.message} Your text was kept in {where}.", failure.kind, fallback=where
        )
