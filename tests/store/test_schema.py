"""Migrations: from an empty file, and from every earlier schema version with data in it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from interviewer.adapters.store import schema
from interviewer.adapters.store.schema import MIGRATIONS, applied, migrate
from interviewer.adapters.store.sqlite import SqliteTranscriptStore, StoreError
from interviewer.core.result import Versions
from interviewer.core.transcripts.records import upgraded_versions, versions_of
from tests.store.helpers import (
    CACHE,
    CIRCUIT,
    CIRCUIT_ANSWER,
    VERSIONS,
    circuit_result,
    fill_session,
    raw,
)

NAMES = [m.__name__ for m in MIGRATIONS]


def test_an_empty_database_gets_every_migration_recorded_in_order(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    store = SqliteTranscriptStore(db_path)
    assert store.problem is None
    db = raw(db_path)
    assert applied(db) == NAMES
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert migrate(db) == []  # idempotent: nothing left to apply


def _old_session(db: sqlite3.Connection, version: int) -> None:
    """A session as schema `version` (its first `version` migrations) wrote it: a scored answer and
    a draft; question ids as JSON before m003, as rows after; no uid before m004."""
    uid = ", uid" if version >= 4 else ""
    ids = "" if version >= 3 else ", question_ids"
    values = [json.dumps([CIRCUIT, CACHE])] if version < 3 else []
    values += ["0" * 32] if version >= 4 else []
    marks = ", ?" * len(values)
    db.execute(
        f"INSERT INTO sessions (id, bank_id, settings, started_at{ids}{uid})"
        f" VALUES (1, 'architecture-system-design', '{{}}', '2025-01-02T10:00:00+00:00'{marks})",
        values,
    )
    if version >= 3:
        db.executemany(
            "INSERT INTO session_questions (session_id, position, question_id) VALUES (1, ?, ?)",
            [(0, CIRCUIT), (1, CACHE)],
        )
    db.execute(
        "INSERT INTO answers (id, session_id, question_id, part, text, seconds, submitted_at)"
        " VALUES (1, 1, ?, 'main', ?, 30, '2025-01-02T10:01:00+00:00')",
        (CIRCUIT, CIRCUIT_ANSWER),
    )
    result = circuit_result()
    db.execute(
        "INSERT INTO scores (answer_id, score, result, rubric_version, scored_at)"
        " VALUES (1, ?, ?, '1', '2025-01-02T10:01:01+00:00')",
        (result.score, result.model_dump_json()),
    )
    db.execute(
        "INSERT INTO drafts VALUES (1, ?, 'main', 'unsent words', '2025-01-02T10:02:00+00:00')",
        (CACHE,),
    )


@pytest.mark.parametrize("version", range(len(MIGRATIONS)))
def test_every_earlier_version_upgrades_and_keeps_its_data(
    version: int, db_path: Path, lookup: object
) -> None:
    db_path.parent.mkdir(parents=True)
    db = raw(db_path)
    migrate(db, upto=version)
    assert applied(db) == NAMES[:version]
    if version >= 1:
        _old_session(db, version)
    db.close()

    store = SqliteTranscriptStore(db_path, bank_lookup=lookup)  # type: ignore[arg-type]
    assert store.problem is None
    assert applied(raw(db_path)) == NAMES
    if version == 0:
        assert store.sessions() == []
        return
    record = store.load_session(1)
    assert [q.id for q in record.questions] == [CIRCUIT, CACHE]
    assert record.questions[0].title == "Circuit breaker pattern"  # text read from the bank
    assert record.uid and len(record.uid) == 32
    assert record.answers[0].score is not None
    assert record.answers[0].score.result == circuit_result()
    assert record.answers[0].score.versions == Versions(rubric=f"{CIRCUIT}/v1")  # m006's format
    resumed = store.unfinished_session()
    assert resumed is not None
    assert resumed.drafts == {(CACHE, "main"): "unsent words"}


def test_a_database_from_a_newer_version_is_refused_clearly(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db = raw(db_path)
    migrate(db)
    db.execute("INSERT INTO schema_migrations VALUES ('m999_from_the_future', 'x')")
    store = SqliteTranscriptStore(db_path)
    assert store.problem is not None
    assert store.problem.kind == "newer"
    assert "newer version of interviewer" in store.problem.message
    with pytest.raises(StoreError, match="newer version"):
        store.check()


def test_a_failing_migration_leaves_the_previous_version(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each migration and its record commit together: a crash mid-upgrade is never half-applied."""
    db_path.parent.mkdir(parents=True)
    db = raw(db_path)
    migrate(db, upto=2)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("disk I/O error")

    broken.__name__ = NAMES[2]
    monkeypatch.setattr(schema, "MIGRATIONS", [*MIGRATIONS[:2], broken, *MIGRATIONS[3:]])
    with pytest.raises(sqlite3.OperationalError):
        migrate(db)
    assert applied(db) == NAMES[:2]
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "half_done" not in tables


# A score's versions as each writer saved them before m006: the interview screen (bank id alone,
# bare rubric number), `review --rescore` (`versions_of`, today's format), and nothing known.
OLD_VERSIONS = [
    ("architecture-system-design", "3", "all-MiniLM-L6-v2", ""),
    ("architecture-system-design@0123456789ab", f"{CIRCUIT}/v2", "all-MiniLM-L6-v2", "ba98765432"),
    ("", "", "", ""),
]
NEW_VERSIONS = [
    Versions("architecture-system-design@", f"{CIRCUIT}/v3", "all-MiniLM-L6-v2", ""),
    Versions(*OLD_VERSIONS[1]),
    Versions(),
]


def test_m006_rewrites_old_score_versions_into_the_one_format(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db = raw(db_path)
    migrate(db, upto=NAMES.index("m006_one_versions_format"))
    db.execute(
        "INSERT INTO sessions (id, uid, bank_id, settings, started_at)"
        " VALUES (1, ?, 'architecture-system-design', '{}', '2025-01-02T10:00:00+00:00')",
        ("0" * 32,),
    )
    db.execute(
        "INSERT INTO answers (id, session_id, question_id, part, text, seconds, submitted_at)"
        " VALUES (1, 1, ?, 'main', ?, 30, '2025-01-02T10:01:00+00:00')",
        (CIRCUIT, CIRCUIT_ANSWER),
    )
    result = circuit_result()
    db.executemany(
        "INSERT INTO scores (answer_id, score, result, bank_version, rubric_version,"
        " model_version, params_version, scored_at)"
        " VALUES (1, ?, ?, ?, ?, ?, ?, '2025-01-02T10:01:01+00:00')",
        [(result.score, result.model_dump_json(), *old) for old in OLD_VERSIONS],
    )
    db.close()

    store = SqliteTranscriptStore(db_path)
    assert store.problem is None
    scores = store.load_session(1).answers[0].scores
    assert [score.versions for score in scores] == NEW_VERSIONS
    # The migration's SQL and the rule imports use agree; today's writer is already in that format.
    assert [upgraded_versions(Versions(*old), CIRCUIT) for old in OLD_VERSIONS] == NEW_VERSIONS
    assert upgraded_versions(VERSIONS, CIRCUIT) == VERSIONS
    assert versions_of(None, result).rubric == f"{CIRCUIT}/v1"


def test_an_export_from_before_m006_imports_in_the_one_format(tmp_path: Path) -> None:
    source = SqliteTranscriptStore(sqlite3.connect(":memory:"), fallback_dir=tmp_path)
    record = source.load_session(fill_session(source))
    old = Versions("architecture-system-design", "1", "hand-made")
    answers = [
        a.model_copy(update={"scores": [s.model_copy(update={"versions": old}) for s in a.scores]})
        for a in record.answers
    ]
    exported = record.model_copy(update={"answers": answers})

    target = SqliteTranscriptStore(sqlite3.connect(":memory:"), fallback_dir=tmp_path)
    imported = target.load_session(target.import_session(exported))
    assert {(a.question_id, a.score.versions) for a in imported.answers if a.score} == {
        (a.question_id, Versions("architecture-system-design@", f"{a.question_id}/v1", "hand-made"))
        for a in imported.answers
    }
