"""SQL that writes the transcript store (`queries` is the SQL that reads it). No transactions or
error handling here: `Database.run` wraps every call in one transaction and turns sqlite faults
into StoreError."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from interviewer.core.result import Part, ScoreResult, Versions
from interviewer.core.transcripts.records import (
    Correction,
    QuestionSnapshot,
    SessionRecord,
    StoredFeedback,
    upgraded_versions,
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def insert_session(
    db: sqlite3.Connection,
    uid: str,
    bank_id: str,
    questions: Sequence[QuestionSnapshot],
    settings: Mapping[str, Any],
    started_at: datetime,
    finished_at: datetime | None = None,
) -> int:
    cursor = db.execute(
        "INSERT INTO sessions (uid, bank_id, settings, started_at, finished_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            uid,
            bank_id,
            json.dumps(dict(settings), default=str),
            started_at.isoformat(),
            _iso(finished_at),
        ),
    )
    session_id = int(cursor.lastrowid or 0)
    db.executemany(
        "INSERT INTO session_questions (session_id, position, question_id, title, category,"
        " difficulty, prompt, model_answer, follow_up) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                session_id,
                position,
                q.id,
                q.title,
                q.category,
                q.difficulty,
                q.prompt,
                q.model_answer,
                q.follow_up,
            )
            for position, q in enumerate(questions)
        ],
    )
    return session_id


def insert_answer(
    db: sqlite3.Connection,
    session_id: int,
    question_id: str,
    part: str,
    text: str,
    seconds: float,
    at: datetime,
) -> int:
    """The answer, and its draft gone in the same transaction: it is no longer a draft."""
    cursor = db.execute(
        "INSERT INTO answers (session_id, question_id, part, text, seconds, submitted_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (session_id, question_id, part, text, seconds, at.isoformat()),
    )
    db.execute(
        "DELETE FROM drafts WHERE session_id = ? AND question_id = ? AND part = ?",
        (session_id, question_id, part),
    )
    return int(cursor.lastrowid or 0)


def upsert_draft(
    db: sqlite3.Connection, session_id: int, question_id: str, part: str, text: str, at: datetime
) -> None:
    db.execute(
        "INSERT INTO drafts (session_id, question_id, part, text, saved_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (session_id, question_id, part)"
        " DO UPDATE SET text = excluded.text, saved_at = excluded.saved_at",
        (session_id, question_id, part, text, at.isoformat()),
    )


def insert_score(
    db: sqlite3.Connection, answer_id: int, result: ScoreResult, versions: Versions, at: datetime
) -> None:
    db.execute(
        "INSERT INTO scores (answer_id, score, result, bank_version, rubric_version,"
        " model_version, params_version, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            answer_id,
            result.score,
            result.model_dump_json(),
            versions.bank,
            versions.rubric,
            versions.model,
            versions.params,
            at.isoformat(),
        ),
    )


def mark_finished(db: sqlite3.Connection, session_id: int, at: datetime) -> None:
    db.execute(
        "UPDATE sessions SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
        (at.isoformat(), session_id),
    )


def upsert_feedback(db: sqlite3.Connection, answer_id: int, feedback: StoredFeedback) -> None:
    """One feedback per answer: a stream saved in pieces keeps only its latest text."""
    db.execute(
        "INSERT OR REPLACE INTO feedback (answer_id, text, complete, model, error, saved_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            answer_id,
            feedback.text,
            int(feedback.complete),
            feedback.model,
            feedback.error,
            feedback.saved_at.isoformat(),
        ),
    )


def upsert_correction(db: sqlite3.Connection, answer_id: int, correction: Correction) -> None:
    db.execute(
        "INSERT OR REPLACE INTO corrections"
        " (answer_id, key_point_index, key_point, verdict, corrected_at) VALUES (?, ?, ?, ?, ?)",
        (
            answer_id,
            correction.key_point_index,
            correction.key_point,
            correction.verdict.value,
            correction.corrected_at.isoformat(),
        ),
    )


def insert_record(db: sqlite3.Connection, record: SessionRecord) -> int:
    """A whole exported session, with new database ids (and an older export's score versions in
    today's format)."""
    session_id = insert_session(
        db,
        record.uid,
        record.bank_id,
        record.questions,
        record.settings,
        record.started_at,
        record.finished_at,
    )
    for answer in record.answers:
        answer_id = insert_answer(
            db,
            session_id,
            answer.question_id,
            answer.part,
            answer.text,
            answer.seconds,
            answer.submitted_at,
        )
        for score in answer.scores:
            versions = upgraded_versions(score.versions, score.result.question)
            insert_score(db, answer_id, score.result, versions, score.scored_at)
        for correction in answer.corrections:
            upsert_correction(db, answer_id, correction)
        if answer.feedback is not None:
            upsert_feedback(db, answer_id, answer.feedback)
    for draft in record.drafts:
        upsert_draft(db, session_id, draft.question_id, draft.part, draft.text, draft.saved_at)
    return session_id


def fallback_entry(
    kind: str, session_id: int, question_id: str, part: str, text: str, path: str
) -> dict[str, Any]:
    return {
        "kind": kind,
        "session_id": session_id,
        "question_id": question_id,
        "part": part,
        "text": text,
        "database": path,
    }


def recover(
    db: sqlite3.Connection,
    entries: list[dict[str, Any]],
    snapshot: Callable[[str], QuestionSnapshot],
) -> list[int]:
    by_session: dict[object, list[dict[str, Any]]] = {}
    for entry in entries:
        by_session.setdefault(entry.get("session_id"), []).append(entry)
    ids = []
    for original, group in by_session.items():
        question_ids = list(dict.fromkeys(str(e["question_id"]) for e in group))
        first = datetime.fromisoformat(str(group[0]["at"]))
        settings = {"recovered_from_session": original}
        sid = insert_session(
            db, uuid.uuid4().hex, "recovered", [snapshot(i) for i in question_ids], settings, first
        )
        for e in group:
            at = datetime.fromisoformat(str(e["at"]))
            insert_answer(
                db,
                sid,
                str(e["question_id"]),
                str(e.get("part", Part.MAIN)),
                str(e["text"]),
                float(e.get("seconds", 0.0)),
                at,
            )
        ids.append(sid)
    return ids
