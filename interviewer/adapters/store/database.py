"""The transcript database runner: one connection behind a lock, one transaction per call, sqlite
faults turned into StoreError, and the fallback file for typed text the database would not take.

The store's read and write parts are each given the same `Database`; neither knows the other.

Durability: WAL journal, `synchronous=FULL`, one short transaction per call (`BEGIN IMMEDIATE` for a
write), so a call that returned is on disk and a process killed at any instant leaves every earlier
call intact. Two processes share the file safely: writers queue on SQLite's lock for up to
`busy_timeout`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

from interviewer.adapters.store.errors import FallbackLog, StoreError, describe
from interviewer.adapters.store.schema import NewerSchemaError, migrate

T = TypeVar("T")
Body = Callable[[sqlite3.Connection], T]

# Faults that say nothing about the connection itself: it is kept for the next call. A read-only
# fault is not one of them: a file SQLite opened read-only stays so on that connection even once the
# permissions are fixed, so the next call opens it again.
_TRANSIENT = ("locked", "full")


class Database:
    def __init__(
        self,
        database: sqlite3.Connection | str,
        fallback: FallbackLog,
        busy_timeout: float = 5.0,
    ) -> None:
        """`database`: an open connection (switched to autocommit: transactions are explicit) or a
        file path, opened now and reopened on the next call if opening fails (see `problem`)."""
        self.busy_timeout = busy_timeout
        self.fallback = fallback
        self.problem: StoreError | None = None
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        if isinstance(database, sqlite3.Connection):
            database.isolation_level = None
            self.path = _file_of(database)
            self._given: sqlite3.Connection | None = database
        else:
            self.path, self._given = database, None
        try:
            self.read("open the transcripts", lambda db: None)
        except StoreError as error:
            self.problem = error

    def run(self, action: str, body: Body[T], *, write: bool) -> T:
        """`body` in one transaction (a write one takes the lock up front, so it never deadlocks on
        upgrading a read lock); sqlite faults become a StoreError saying what could not be done."""
        with self._lock:
            try:
                if self._db is None:
                    self._db = self._connect()
                    self.problem = None
                return _transaction(self._db, body, write)
            except NewerSchemaError as error:
                raise StoreError(
                    f"Could not {action}: {self.path} was written by a newer version of interviewer"
                    f" ({error}); upgrade interviewer to use it.",
                    "newer",
                ) from None
            except (sqlite3.Error, OSError) as error:
                failure = describe(error, self.path, action, self.busy_timeout)
                if failure.kind not in _TRANSIENT and self._given is None:
                    self._drop()
                raise failure from error

    def read(self, action: str, body: Body[T]) -> T:
        return self.run(action, body, write=False)

    def write(self, action: str, body: Body[T]) -> T:
        return self.run(action, body, write=True)

    def keep_typed(self, action: str, entry: dict[str, Any], body: Body[T]) -> T:
        """Typed text goes to the database, or else to the fallback file before the error is
        raised. A session id below 1 means `start_session` failed: straight to the fallback."""
        try:
            if entry["session_id"] < 1:
                raise StoreError(
                    f"Could not {action}: the session was never stored"
                    f" ({self.problem or 'start_session failed'}).",
                    self.problem.kind if self.problem else "other",
                )
            return self.write(action, body)
        except StoreError as error:
            raise self.fallback.keep(error, entry) from error

    def close(self) -> None:
        with self._lock:
            self._drop()

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

    def _drop(self) -> None:
        if self._db is not None:
            with suppress(sqlite3.Error):
                self._db.close()
        self._db = None


def _transaction(db: sqlite3.Connection, body: Body[T], write: bool) -> T:
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


def _file_of(db: sqlite3.Connection) -> str:
    for _, name, file in db.execute("PRAGMA database_list"):
        if name == "main":
            return str(file) or ":memory:"
    return ":memory:"
