"""The store's write side: `TranscriptStore`'s writes (what the interview saves as it goes), the
user's corrections, imports and the fallback recovery. Each call is one transaction on the given
`Database`; the SQL is in `inserts`.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from interviewer.adapters.store import inserts as w
from interviewer.adapters.store import queries as q
from interviewer.adapters.store.database import Database
from interviewer.adapters.store.errors import StoreError
from interviewer.core.bank.schema import Question
from interviewer.core.result import ScoreResult, Verdict, Versions
from interviewer.core.transcripts.records import (
    Correction,
    QuestionSnapshot,
    SessionRecord,
    StoredFeedback,
)

BankLookup = Callable[[str], Question | None]


class StoreWrites:
    def __init__(
        self, db: Database, bank_lookup: BankLookup | None, clock: Callable[[], datetime]
    ) -> None:
        """`bank_lookup` gives the questions' text to keep with a new session (None: ids only)."""
        self.db = db
        self.bank_lookup = bank_lookup
        self.clock = clock

    # -- TranscriptStore --------------------------------------------------------------------------
    def start_session(
        self, bank_id: str, question_ids: list[str], settings: Mapping[str, Any]
    ) -> int:
        snapshots = [self._snapshot(qid) for qid in question_ids]
        uid, at = uuid.uuid4().hex, self.clock()
        return self.db.write(
            "start the session",
            lambda db: w.insert_session(db, uid, bank_id, snapshots, settings, at),
        )

    def save_draft(self, session_id: int, question_id: str, part: str, text: str) -> None:
        at = self.clock()
        entry = w.fallback_entry("draft", session_id, question_id, part, text, self.db.path)
        self.db.keep_typed(
            "autosave the draft",
            entry,
            lambda db: w.upsert_draft(db, session_id, question_id, part, text, at),
        )

    def submit_answer(
        self, session_id: int, question_id: str, part: str, text: str, seconds: float
    ) -> int:
        at = self.clock()
        entry = w.fallback_entry("answer", session_id, question_id, part, text, self.db.path)
        return self.db.keep_typed(
            "save the answer",
            {**entry, "seconds": seconds},
            lambda db: w.insert_answer(db, session_id, question_id, part, text, seconds, at),
        )

    def save_score(self, answer_id: int, result: ScoreResult, versions: Versions) -> None:
        """`versions` as `core.transcripts.records.versions_of` builds them."""
        at = self.clock()
        self.db.write(
            "save the score", lambda db: w.insert_score(db, answer_id, result, versions, at)
        )

    def save_feedback(
        self, answer_id: int, text: str, *, complete: bool, model: str, error: str | None = None
    ) -> None:
        feedback = StoredFeedback(
            text=text, complete=complete, model=model, error=error, saved_at=self.clock()
        )
        self.db.write("save the feedback", lambda db: w.upsert_feedback(db, answer_id, feedback))

    def finish_session(self, session_id: int) -> None:
        at = self.clock()
        self.db.write("finish the session", lambda db: w.mark_finished(db, session_id, at))

    # -- imports and corrections ------------------------------------------------------------------
    def import_session(self, record: SessionRecord) -> int:
        """A session from an export, under a new id; the same export twice is refused."""

        def body(db: sqlite3.Connection) -> int:
            existing = q.session_by_uid(db, record.uid)
            if existing is not None:
                raise StoreError(
                    f"This session is already stored as session {existing}.", "duplicate"
                )
            return w.insert_record(db, record)

        return self.db.write("import the session", body)

    def correct_verdict(
        self, answer_id: int, key_point_index: int, verdict: Verdict | str
    ) -> Correction:
        """Record the user's verdict for one key point of an answer's current score."""
        try:
            chosen = Verdict(verdict)
            if chosen is Verdict.INCORRECT:  # the verifier's call; a correction says what it earns
                raise ValueError
        except ValueError:
            raise ValueError(
                f"verdict must be covered, partial or missing, not {verdict!r}"
            ) from None
        answer = self.db.read("find the answer", lambda db: q.load_answer(db, answer_id))
        if answer is None:
            raise StoreError(f"There is no answer {answer_id}.", "not_found")
        if answer.score is None:
            raise ValueError(f"answer {answer_id} has no score to correct")
        points = answer.score.result.key_points
        if not 0 <= key_point_index < len(points):
            raise ValueError(
                f"answer {answer_id} has key points 1-{len(points)}, not {key_point_index + 1}"
            )
        correction = Correction(
            key_point_index=key_point_index,
            key_point=points[key_point_index].key_point,
            verdict=chosen,
            corrected_at=self.clock(),
        )
        self.db.write(
            "save the correction", lambda db: w.upsert_correction(db, answer_id, correction)
        )
        return correction

    # -- the fallback file ------------------------------------------------------------------------
    def recover_fallback(self) -> list[int]:
        """Move answers from the fallback file into new sessions; the file is renamed once done."""
        fallback = self.db.fallback
        entries = [e for e in fallback.entries() if e.get("kind") == "answer"]
        if not entries:
            return []
        ids = self.db.write(
            "recover the unsaved answers", lambda db: w.recover(db, entries, self._snapshot)
        )
        fallback.path.rename(
            fallback.path.with_suffix(f".recovered-{self.clock():%Y%m%d%H%M%S}.jsonl")
        )
        return ids

    def _snapshot(self, question_id: str) -> QuestionSnapshot:
        question = self.bank_lookup(question_id) if self.bank_lookup else None
        return QuestionSnapshot.of(question) if question else QuestionSnapshot(id=question_id)
