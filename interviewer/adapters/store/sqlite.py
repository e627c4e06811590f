"""The SQLite transcript store: `interviewer.core.ports.TranscriptStore` and `TranscriptReader` over
one database file (tests/store/test_store.py checks both ports with mypy).

Composition, not inheritance: one `Database` (connection, transactions, faults, fallback file) is
given to a `StoreReads` and a `StoreWrites`; this class builds the three and forwards the ports'
methods. See `database` for durability; faults (locked, read-only, full disk, corrupt file) raise
StoreError (a `TranscriptError`) with one actionable line, and answers and drafts that could not be
stored are first appended to the fallback file.

For the TUI: catch TranscriptError around every store call, show `error.message` once (notify with
severity="error"; for drafts only when the message changes), keep the answer in the editor and carry
on scoring. `store.problem` holds the error from opening, to show on the start screen.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from interviewer.adapters.store.database import Database
from interviewer.adapters.store.errors import FallbackLog, StoreError
from interviewer.adapters.store.reads import BankLookup, StoreReads
from interviewer.adapters.store.writes import StoreWrites
from interviewer.core.bank.schema import Question
from interviewer.core.interview.practice import PracticePlan, Review
from interviewer.core.ports import ResumableSession
from interviewer.core.result import ScoreResult, Verdict, Versions
from interviewer.core.transcripts.records import (
    Correction,
    KeyPointStat,
    SessionRecord,
    SessionSummary,
    TimelinePoint,
)
from interviewer.paths import Paths

__all__ = ["SqliteTranscriptStore", "StoreError", "open_store"]


def _now() -> datetime:
    return datetime.now(UTC)


class SqliteTranscriptStore:
    def __init__(
        self,
        database: sqlite3.Connection | str | Path,
        *,
        fallback_dir: Path | None = None,
        busy_timeout: float = 5.0,
        bank_lookup: BankLookup | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        """`database`: an open connection (switched to autocommit: transactions are explicit) or a
        file path, opened now and reopened on the next call if opening fails."""
        fallback = FallbackLog(fallback_dir or Paths.from_env().home / "fallback")
        if not isinstance(database, sqlite3.Connection):
            database = str(database)
        self.db = Database(database, fallback, busy_timeout)
        self.reads = StoreReads(self.db, bank_lookup, clock)
        self.writes = StoreWrites(self.db, bank_lookup, clock)

    @property
    def problem(self) -> StoreError | None:
        """Why the database could not be opened, until a call opens it."""
        return self.db.problem

    @property
    def path(self) -> str:
        return self.db.path

    @property
    def fallback(self) -> FallbackLog:
        return self.db.fallback

    def check(self) -> None:
        """Raise the StoreError that keeps the database from opening, if any (for the CLI)."""
        self.db.read("open the transcripts", lambda db: None)

    def close(self) -> None:
        self.db.close()

    # -- TranscriptStore --------------------------------------------------------------------------
    def start_session(
        self, bank_id: str, question_ids: list[str], settings: Mapping[str, Any]
    ) -> int:
        return self.writes.start_session(bank_id, question_ids, settings)

    def save_draft(self, session_id: int, question_id: str, part: str, text: str) -> None:
        self.writes.save_draft(session_id, question_id, part, text)

    def submit_answer(
        self, session_id: int, question_id: str, part: str, text: str, seconds: float
    ) -> int:
        return self.writes.submit_answer(session_id, question_id, part, text, seconds)

    def save_score(self, answer_id: int, result: ScoreResult, versions: Versions) -> None:
        self.writes.save_score(answer_id, result, versions)

    def save_feedback(
        self, answer_id: int, text: str, *, complete: bool, model: str, error: str | None = None
    ) -> None:
        self.writes.save_feedback(answer_id, text, complete=complete, model=model, error=error)

    def finish_session(self, session_id: int) -> None:
        self.writes.finish_session(session_id)

    def unfinished_session(self) -> ResumableSession | None:
        return self.reads.unfinished_session()

    # -- TranscriptReader -------------------------------------------------------------------------
    def sessions(self, ids: Sequence[int] | None = None) -> list[SessionRecord]:
        return self.reads.sessions(ids)

    def load_session(self, session_id: int) -> SessionRecord:
        return self.reads.load_session(session_id)

    def list_sessions(
        self, category: str | None = None, question: str | None = None
    ) -> list[SessionSummary]:
        return self.reads.list_sessions(category, question)

    def import_session(self, record: SessionRecord) -> int:
        return self.writes.import_session(record)

    def correct_verdict(
        self, answer_id: int, key_point_index: int, verdict: Verdict | str
    ) -> Correction:
        return self.writes.correct_verdict(answer_id, key_point_index, verdict)

    def labelled_rows(self) -> Iterator[dict[str, object]]:
        return self.reads.labelled_rows()

    def history(self) -> dict[str, list[Review]]:
        return self.reads.history()

    def practice_plan(self, now: datetime | None = None) -> PracticePlan:
        return self.reads.practice_plan(now)

    def due_order(self, question_ids: Sequence[str]) -> list[str]:
        return self.reads.due_order(question_ids)

    def timeline(self) -> list[TimelinePoint]:
        return self.reads.timeline()

    def weakest_key_points(self, limit: int = 10) -> list[KeyPointStat]:
        return self.reads.weakest_key_points(limit)

    # -- the fallback file ------------------------------------------------------------------------
    def recover_fallback(self) -> list[int]:
        return self.writes.recover_fallback()


def open_store(
    paths: Paths | None = None, bank_lookup: BankLookup | None = None
) -> SqliteTranscriptStore:
    """The user's store. Never raises: a database that cannot be opened leaves `store.problem` set,
    every call retries it, and answers go to the fallback file meanwhile. Without a `bank_lookup`
    the user's banks are read on first need, so sessions keep the questions' text as asked."""
    paths = paths or Paths.from_env()
    with suppress(OSError):
        paths.database.parent.mkdir(parents=True, exist_ok=True)
    return SqliteTranscriptStore(
        paths.database,
        fallback_dir=paths.home / "fallback",
        bank_lookup=bank_lookup or _banks_of(paths),
    )


def _banks_of(paths: Paths) -> BankLookup:
    """A lookup that loads the banks once, when first asked (opening the store stays cheap)."""
    loaded: dict[str, Question] = {}

    def lookup(question_id: str) -> Question | None:
        if not loaded:
            from interviewer.core.bank.loading import load_banks

            banks = load_banks(paths.bank_dirs()).banks
            loaded.update({q.id: q for bank in banks for q in bank.questions})
        return loaded.get(question_id)

    return lookup
