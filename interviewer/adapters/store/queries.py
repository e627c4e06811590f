"""SQL that reads the transcript store: rows in, records out, in bulk (one query per table)."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from interviewer.core.result import ScoreResult, Verdict, Versions
from interviewer.core.transcripts.records import (
    Correction,
    QuestionSnapshot,
    SessionRecord,
    StoredAnswer,
    StoredDraft,
    StoredFeedback,
    StoredScore,
)


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _filter(column: str, ids: Sequence[int] | None) -> tuple[str, list[int]]:
    if ids is None:
        return "", []
    return f"WHERE {column} IN ({','.join('?' * len(ids))})", list(ids)


def load_records(
    db: sqlite3.Connection, session_ids: Sequence[int] | None = None
) -> list[SessionRecord]:
    """Sessions in full with one query per table, not one per answer."""
    where, args = _filter("id", session_ids)
    sessions = db.execute(
        f"SELECT id, uid, bank_id, settings, started_at, finished_at FROM sessions {where}"
        " ORDER BY id",
        args,
    ).fetchall()
    where, args = _filter("session_id", [row[0] for row in sessions])
    questions = _questions(db, where, args)
    answers = _answers(db, where, args)
    drafts = _drafts(db, where, args)
    return [
        SessionRecord(
            id=sid,
            uid=uid or "",
            bank_id=bank,
            settings=json.loads(settings),
            started_at=datetime.fromisoformat(started),
            finished_at=_when(finished),
            questions=questions[sid],
            answers=answers[sid],
            drafts=drafts[sid],
        )
        for sid, uid, bank, settings, started, finished in sessions
    ]


def _questions(
    db: sqlite3.Connection, where: str, args: list[int]
) -> dict[int, list[QuestionSnapshot]]:
    grouped: dict[int, list[QuestionSnapshot]] = defaultdict(list)
    rows = db.execute(
        "SELECT session_id, question_id, title, category, difficulty, prompt, model_answer,"
        f" follow_up FROM session_questions {where} ORDER BY session_id, position",
        args,
    )
    for sid, qid, title, category, difficulty, prompt, model_answer, follow_up in rows:
        grouped[sid].append(
            QuestionSnapshot(
                id=qid,
                title=title,
                category=category,
                difficulty=difficulty,
                prompt=prompt,
                model_answer=model_answer,
                follow_up=follow_up,
            )
        )
    return grouped


def _answers(db: sqlite3.Connection, where: str, args: list[int]) -> dict[int, list[StoredAnswer]]:
    rows = db.execute(
        "SELECT id, session_id, question_id, part, text, seconds, submitted_at FROM answers"
        f" {where} ORDER BY id",
        args,
    ).fetchall()
    ids = [row[0] for row in rows]
    scores, corrections, feedback = _scores(db, ids), _corrections(db, ids), _feedback(db, ids)
    grouped: dict[int, list[StoredAnswer]] = defaultdict(list)
    for aid, sid, qid, part, text, seconds, submitted in rows:
        grouped[sid].append(
            StoredAnswer(
                id=aid,
                question_id=qid,
                part=part,
                text=text,
                seconds=seconds,
                submitted_at=datetime.fromisoformat(submitted),
                scores=scores[aid],
                corrections=corrections[aid],
                feedback=feedback.get(aid),
            )
        )
    return grouped


def _scores(db: sqlite3.Connection, answer_ids: list[int]) -> dict[int, list[StoredScore]]:
    where, args = _filter("answer_id", answer_ids)
    grouped: dict[int, list[StoredScore]] = defaultdict(list)
    rows = db.execute(
        "SELECT answer_id, result, bank_version, rubric_version, model_version, params_version,"
        f" scored_at FROM scores {where} ORDER BY id",
        args,
    )
    for aid, result, bank, rubric, model, params, scored in rows:
        grouped[aid].append(
            StoredScore(
                result=ScoreResult.model_validate_json(result),
                versions=Versions(bank, rubric, model, params),
                scored_at=datetime.fromisoformat(scored),
            )
        )
    return grouped


def _corrections(db: sqlite3.Connection, answer_ids: list[int]) -> dict[int, list[Correction]]:
    where, args = _filter("answer_id", answer_ids)
    grouped: dict[int, list[Correction]] = defaultdict(list)
    rows = db.execute(
        "SELECT answer_id, key_point_index, key_point, verdict, corrected_at FROM corrections"
        f" {where} ORDER BY answer_id, key_point_index",
        args,
    )
    for aid, index, label, verdict, at in rows:
        grouped[aid].append(
            Correction(
                key_point_index=index,
                key_point=label,
                verdict=Verdict(verdict),
                corrected_at=datetime.fromisoformat(at),
            )
        )
    return grouped


def _feedback(db: sqlite3.Connection, answer_ids: list[int]) -> dict[int, StoredFeedback]:
    where, args = _filter("answer_id", answer_ids)
    rows = db.execute(
        f"SELECT answer_id, text, complete, model, error, saved_at FROM feedback {where}", args
    )
    return {
        aid: StoredFeedback(
            text=text,
            complete=bool(complete),
            model=model,
            error=error,
            saved_at=datetime.fromisoformat(at),
        )
        for aid, text, complete, model, error, at in rows
    }


def _drafts(db: sqlite3.Connection, where: str, args: list[int]) -> dict[int, list[StoredDraft]]:
    grouped: dict[int, list[StoredDraft]] = defaultdict(list)
    rows = db.execute(
        f"SELECT session_id, question_id, part, text, saved_at FROM drafts {where}"
        " ORDER BY saved_at",
        args,
    )
    for sid, qid, part, text, at in rows:
        grouped[sid].append(
            StoredDraft(question_id=qid, part=part, text=text, saved_at=datetime.fromisoformat(at))
        )
    return grouped


def load_answer(db: sqlite3.Connection, answer_id: int) -> StoredAnswer | None:
    """One answer with its scores, corrections and feedback."""
    found = _answers(db, "WHERE id = ?", [answer_id])
    return next((answer for answers in found.values() for answer in answers), None)


def latest_unfinished(db: sqlite3.Connection) -> int | None:
    """The newest unfinished session with something typed in it: an empty one has nothing to resume."""
    row = db.execute(
        "SELECT id FROM sessions s WHERE finished_at IS NULL AND ("
        " EXISTS (SELECT 1 FROM answers a WHERE a.session_id = s.id)"
        " OR EXISTS (SELECT 1 FROM drafts d WHERE d.session_id = s.id AND d.text != ''))"
        " ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return int(row[0]) if row else None


def session_by_uid(db: sqlite3.Connection, uid: str) -> int | None:
    row = db.execute("SELECT id FROM sessions WHERE uid = ?", (uid,)).fetchone()
    return int(row[0]) if row else None
