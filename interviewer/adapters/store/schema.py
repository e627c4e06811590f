"""The transcript database's schema, as an ordered list of named migrations recorded in the database.

Each migration runs in its own write transaction and is recorded in `schema_migrations` in that same
transaction, so a crash mid-upgrade leaves the database at the previous version, never half-way.
Two processes upgrading at once are safe: the second re-reads what is applied once it holds the lock.
Append new migrations at the end; never edit or reorder a released one.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

Migration = Callable[[sqlite3.Connection], None]


def m001_sessions_answers_scores(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            bank_id TEXT NOT NULL,
            question_ids TEXT NOT NULL,          -- JSON list, in the order asked
            settings TEXT NOT NULL DEFAULT '{}', -- JSON
            started_at TEXT NOT NULL,
            finished_at TEXT
        );
        CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            part TEXT NOT NULL,
            text TEXT NOT NULL,
            seconds REAL NOT NULL,
            submitted_at TEXT NOT NULL
        );
        CREATE TABLE drafts (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            part TEXT NOT NULL,
            text TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (session_id, question_id, part)
        );
        CREATE TABLE scores (
            id INTEGER PRIMARY KEY,
            answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
            score REAL NOT NULL,
            result TEXT NOT NULL,                -- ScoreResult JSON: key points, evidence, flags
            bank_version TEXT NOT NULL DEFAULT '',
            rubric_version TEXT NOT NULL DEFAULT '',
            model_version TEXT NOT NULL DEFAULT '',
            params_version TEXT NOT NULL DEFAULT '',
            scored_at TEXT NOT NULL
        );
        CREATE TABLE feedback (
            answer_id INTEGER PRIMARY KEY REFERENCES answers(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            complete INTEGER NOT NULL,
            model TEXT NOT NULL DEFAULT '',
            error TEXT,
            saved_at TEXT NOT NULL
        );
        """,
    )


def m002_corrections(db: sqlite3.Connection) -> None:
    """The user's own verdicts: labelled data for eval and tune."""
    db.execute(
        """
        CREATE TABLE corrections (
            answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
            key_point_index INTEGER NOT NULL,
            key_point TEXT NOT NULL,
            verdict TEXT NOT NULL CHECK (verdict IN ('covered', 'partial', 'missing')),
            corrected_at TEXT NOT NULL,
            PRIMARY KEY (answer_id, key_point_index)
        )
        """
    )


def m003_question_snapshots(db: sqlite3.Connection) -> None:
    """Questions as asked (title, category, model answer) so reviews survive bank edits; the old
    JSON id list moves into rows with empty text, which readers fill from the bank."""
    db.execute(
        """
        CREATE TABLE session_questions (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            question_id TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            category TEXT NOT NULL DEFAULT '',
            difficulty TEXT NOT NULL DEFAULT '',
            prompt TEXT NOT NULL DEFAULT '',
            model_answer TEXT NOT NULL DEFAULT '',
            follow_up TEXT,
            PRIMARY KEY (session_id, position)
        )
        """
    )
    rows = db.execute("SELECT id, question_ids FROM sessions").fetchall()
    for session_id, ids in rows:
        db.executemany(
            "INSERT INTO session_questions (session_id, position, question_id) VALUES (?, ?, ?)",
            [(session_id, position, qid) for position, qid in enumerate(json.loads(ids))],
        )
    db.execute("ALTER TABLE sessions DROP COLUMN question_ids")


def m004_session_uid(db: sqlite3.Connection) -> None:
    """A global id per session, so importing the same export twice is caught."""
    db.execute("ALTER TABLE sessions ADD COLUMN uid TEXT")
    for (session_id,) in db.execute("SELECT id FROM sessions").fetchall():
        db.execute("UPDATE sessions SET uid = ? WHERE id = ?", (uuid.uuid4().hex, session_id))
    db.execute("CREATE UNIQUE INDEX sessions_uid ON sessions(uid)")


def m005_indexes(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE INDEX answers_session ON answers(session_id);
        CREATE INDEX answers_question ON answers(question_id);
        CREATE INDEX scores_answer ON scores(answer_id);
        CREATE INDEX sessions_unfinished ON sessions(finished_at, id);
        """,
    )


def m006_one_versions_format(db: sqlite3.Connection) -> None:
    """Score versions in one format (`core.transcripts.records.versions_of`): bank
    `<id>@<content hash>`, rubric `<question>/v<n>`. The interview screen used to save the bank id
    alone and a bare rubric number; that bank's content hash was never recorded, so it stays empty
    (`<id>@`). Self-contained on purpose: a released migration must not change with the code."""
    db.execute(
        "UPDATE scores SET bank_version = bank_version || '@'"
        " WHERE bank_version != '' AND instr(bank_version, '@') = 0"
    )
    rows = db.execute(
        "SELECT id, result, rubric_version FROM scores"
        " WHERE rubric_version != '' AND rubric_version NOT GLOB '*[^0-9]*'"
    ).fetchall()
    db.executemany(
        "UPDATE scores SET rubric_version = ? WHERE id = ?",
        [(f"{json.loads(result)['question']}/v{rubric}", sid) for sid, result, rubric in rows],
    )


MIGRATIONS: list[Migration] = [
    m001_sessions_answers_scores,
    m002_corrections,
    m003_question_snapshots,
    m004_session_uid,
    m005_indexes,
    m006_one_versions_format,
]


class NewerSchemaError(Exception):
    """The database was written by a newer interviewer; upgrading it here could lose data."""


def _script(db: sqlite3.Connection, sql: str) -> None:
    """Run statements one by one: `executescript` would commit the migration's transaction early."""
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


def applied(db: sqlite3.Connection) -> list[str]:
    """Names of the applied migrations; creating the table only when missing keeps a read-only
    database readable."""
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if not exists:
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
    return [name for (name,) in db.execute("SELECT name FROM schema_migrations ORDER BY rowid")]


def migrate(db: sqlite3.Connection, upto: int | None = None) -> list[str]:
    """Apply the pending migrations (the first `upto` only, for tests); returns the names applied.

    The connection must be in autocommit mode (isolation_level=None): transactions are explicit.
    """
    known = [m.__name__ for m in MIGRATIONS]
    if unknown := [name for name in applied(db) if name not in known]:
        raise NewerSchemaError(f"unknown migrations {', '.join(unknown)}")
    done: list[str] = []
    for migration in MIGRATIONS[:upto]:
        name = migration.__name__
        if name in applied(db):  # cheap check without the write lock
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            if name not in applied(db):  # another process may have applied it meanwhile
                migration(db)
                db.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    (name, datetime.now(UTC).isoformat()),
                )
                done.append(name)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return done
