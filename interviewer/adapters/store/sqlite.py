"""The SQLite transcript store: implements `interviewer.core.ports.TranscriptStore` plus the read side
that review, export, stats and the practice plan need.

Durability: WAL journal, `synchronous=FULL`, one short `BEGIN IMMEDIATE` transaction per call, so a
call that returned is on disk and a process killed at any instant leaves every earlier call intact.
Two app instances share the file safely: writers queue on SQLite's lock for up to `busy_timeout`.
Faults (locked, read-only, full disk, corrupt file) raise StoreError with one actionable line; answers
and drafts that could not be stored are first appended to the fallback file (see store_errors).

For the TUI: catch StoreError around every store call, show `error.message` once (notify with
severity="error"; for drafts only when the message changes), keep the answer in the editor and carry
on scoring. `store.problem` holds the error from opening, to show on the start screen.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from interviewer.adapters.store import queries as q
from interviewer.adapters.store import writes as w
from interviewer.adapters.store.errors import FallbackLog, StoreError, describe
from interviewer.adapters.store.reads import StoreReads
from interviewer.adapters.store.schema import NewerSchemaError, migrate
from interviewer.core.bank.schema import Question
from interviewer.core.ports import ResumableSession, Versions
from interviewer.core.result import ScoreResult
from interviewer.core.transcripts.records import QuestionSnapshot, StoredFeedback
from interviewer.paths import Paths

T = TypeVar("T")
BankLookup = Callable[[str], Question | None]

__all__ = ["SqliteTranscriptStore", "StoreError", "open_store"]


def _now() -> datetime:
    return datetime.now(UTC)


class SqliteTranscriptStore(StoreReads):
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
        self.busy_timeout = busy_timeout
        self.bank_lookup = bank_lookup
        self.clock = clock
        self.fallback = FallbackLog(fallback_dir or Paths.from_env().home / "fallback")
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        self.problem: StoreError | None = None
        if isinstance(database, sqlite3.Connection):
            database.isolation_level = None
            self.path = _file_of(database)
            self._given: sqlite3.Connection | None = database
        else:
            self.path, self._given = str(database), None
        try:
            self._run("open the transcripts", lambda db: None, write=False)
        except StoreError as error:
            self.problem = error

    # -- plumbing ---------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        db = self._given or sqlite3.connect(
            self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
        )
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            db.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            migrate(db)
        except BaseException:
            if self._given is None:
                db.close()
            raise
        return db

    def _run(self, action: str, body: Callable[[sqlite3.Connection], T], *, write: bool) -> T:
        """`body` in one transaction (a write one takes the lock up front, so it never deadlocks on
        upgrading a read lock); sqlite faults become a StoreError saying what could not be done."""
        with self._lock:
            try:
                if self._db is None:
                    self._db = self._connect()
                    self.problem = None
                return self._transaction(self._db, body, write)
            except NewerSchemaError as error:
                raise StoreError(
                    f"Could not {action}: {self.path} was written by a newer version of interviewer"
                    f" ({error}); upgrade interviewer to use it.",
                    "newer",
                ) from None
            except (sqlite3.Error, OSError) as error:
                failure = describe(error, self.path, action, self.busy_timeout)
                if failure.kind not in ("locked", "read_only", "full") and self._given is None:
                    self._drop()
                raise failure from error

    @staticmethod
    def _transaction(
        db: sqlite3.Connection, body: Callable[[sqlite3.Connection], T], write: bool
    ) -> T:
        db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            result = body(db)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                with suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            raise
        return result

    def _drop(self) -> None:
        if self._db is not None:
            with suppress(sqlite3.Error):
                self._db.close()
        self._db = None

    def check(self) -> None:
        """Raise the StoreError that keeps the database from opening, if any (for the CLI)."""
        self._read("open the transcripts", lambda db: None)

    def close(self) -> None:
        with self._lock:
            self._drop()

    # -- TranscriptStore --------------------------------------------------------------------------
    def start_session(
        self, bank_id: str, question_ids: list[str], settings: Mapping[str, Any]
    ) -> int:
        snapshots = [self._snapshot(qid) for qid in question_ids]
        return self._run(
            "start the session",
            lambda db: w.insert_session(
                db, uuid.uuid4().hex, bank_id, snapshots, settings, self.clock()
            ),
            write=True,
        )

    def save_draft(self, session_id: int, question_id: str, part: str, text: str) -> None:
        at = self.clock()
        entry = w.fallback_entry("draft", session_id, question_id, part, text, self.path)
        self._keep_typed(
            "autosave the draft",
            entry,
            lambda db: w.upsert_draft(db, session_id, question_id, part, text, at),
        )

    def submit_answer(
        self, session_id: int, question_id: str, part: str, text: str, seconds: float
    ) -> int:
        at = self.clock()
        entry = w.fallback_entry("answer", session_id, question_id, part, text, self.path)
        return self._keep_typed(
            "save the answer",
            {**entry, "seconds": seconds},
            lambda db: w.insert_answer(db, session_id, question_id, part, text, seconds, at),
        )

    def _keep_typed(
        self, action: str, entry: dict[str, Any], body: Callable[[sqlite3.Connection], T]
    ) -> T:
        """Typed text goes to the database, or else to the fallback file before the error is
        raised. A session id below 1 means `start_session` failed: straight to the fallback."""
        try:
            if entry["session_id"] < 1:
                raise StoreError(
                    f"Could not {action}: the session was never stored"
                    f" ({self.problem or 'start_session failed'}).",
                    self.problem.kind if self.problem else "other",
                )
            return self._run(action, body, write=True)
        except StoreError as error:
            raise self.fallback.keep(error, entry) from error

    def save_score(self, answer_id: int, result: ScoreResult, versions: Versions) -> None:
        at = self.clock()
        self._run(
            "save the score",
            lambda db: w.insert_score(db, answer_id, result, versions, at),
            write=True,
        )

    def save_feedback(
        self, answer_id: int, text: str, *, complete: bool, model: str, error: str | None = None
    ) -> None:
        feedback = StoredFeedback(
            text=text, complete=complete, model=model, error=error, saved_at=self.clock()
        )
        self._run(
            "save the feedback", lambda db: w.upsert_feedback(db, answer_id, feedback), write=True
        )

    def finish_session(self, session_id: int) -> None:
        at = self.clock().isoformat()
        self._run(
            "finish the session",
            lambda db: db.execute(
                "UPDATE sessions SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
                (at, session_id),
            ),
            write=True,
        )

    def unfinished_session(self) -> ResumableSession | None:
        """The newest unfinished session with anything typed: its answers and its last drafts."""
        found = self._read("find the unfinished session", q.latest_unfinished)
        if found is None:
            return None
        record = self.load_session(found)
        return ResumableSession(
            session_id=record.id,
            bank_id=record.bank_id,
            question_ids=[question.id for question in record.questions],
            answered={(a.question_id, a.part): a.text for a in record.answers},
            drafts={(d.question_id, d.part): d.text for d in record.drafts},
            settings=record.settings,
        )

    # -- helpers ----------------------------------------------------------------------------------
    def _snapshot(self, question_id: str) -> QuestionSnapshot:
        question = self.bank_lookup(question_id) if self.bank_lookup else None
        return QuestionSnapshot.of(question) if question else QuestionSnapshot(id=question_id)

    def recover_fallback(self) -> list[int]:
        """Move answers from the fallback file into new sessions; the file is renamed once done."""
        entries = [e for e in self.fallback.entries() if e.get("kind") == "answer"]
        if not entries:
            return []
        ids = self._run(
            "recover the unsaved answers",
            lambda db: w.recover(db, entries, self._snapshot),
            write=True,
        )
        self.fallback.path.rename(
            self.fallback.path.with_suffix(f".recovered-{self.clock():%Y%m%d%H%M%S}.jsonl")
        )
        return ids


def _file_of(db: sqlite3.Connection) -> str:
    for _, name, file in db.execute("PRAGMA database_list"):
        if name == "main":
            return str(file) or ":memory:"
    return ":memory:"


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
