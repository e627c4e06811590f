"""The store's read side and corrections: what review, export, stats and the practice plan ask of it.

Everything is derived from whole `SessionRecord`s loaded in bulk (a few queries for all sessions), so
the summaries, the progress plot, the weakest key points and the FSRS schedule all apply the user's
corrections the same way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TypeVar

from interviewer.adapters.store import queries as q
from interviewer.adapters.store import writes as w
from interviewer.adapters.store.errors import StoreError
from interviewer.core.bank.schema import Question
from interviewer.core.interview.practice import PracticePlan, Review, history_from
from interviewer.core.result import Verdict
from interviewer.core.transcripts.records import (
    Correction,
    KeyPointStat,
    SessionRecord,
    SessionSummary,
    TimelinePoint,
    labelled_row,
    score_timeline,
    weakest_key_points,
)

T = TypeVar("T")


class StoreReads:
    """Mixed into SqliteTranscriptStore, which provides the transaction runner and the lookup."""

    bank_lookup: Callable[[str], Question | None] | None
    clock: Callable[[], datetime]

    def _run(self, action: str, body: Callable[[sqlite3.Connection], T], *, write: bool) -> T:
        raise NotImplementedError

    def _read(self, action: str, body: Callable[[sqlite3.Connection], T]) -> T:
        return self._run(action, body, write=False)

    # -- sessions ---------------------------------------------------------------------------------
    def sessions(self, ids: Sequence[int] | None = None) -> list[SessionRecord]:
        records = self._read("read the transcripts", lambda db: q.load_records(db, ids))
        return [self._filled(record) for record in records]

    def load_session(self, session_id: int) -> SessionRecord:
        found = self.sessions([session_id])
        if not found:
            raise StoreError(
                f"There is no session {session_id} (see `interviewer review`).", "not_found"
            )
        return found[0]

    def list_sessions(
        self, category: str | None = None, question: str | None = None
    ) -> list[SessionSummary]:
        """Newest first; `category` and `question` keep sessions that asked such a question."""
        summaries = [_summary(record) for record in reversed(self.sessions())]
        if category is not None:
            wanted = category.casefold()
            summaries = [s for s in summaries if wanted in (c.casefold() for c in s.categories)]
        if question is not None:
            summaries = [s for s in summaries if question in s.question_ids]
        return summaries

    def _filled(self, record: SessionRecord) -> SessionRecord:
        return record.with_questions(self.bank_lookup) if self.bank_lookup else record

    def import_session(self, record: SessionRecord) -> int:
        """A session from an export, under a new id; the same export twice is refused."""

        def body(db: sqlite3.Connection) -> int:
            existing = q.session_by_uid(db, record.uid)
            if existing is not None:
                raise StoreError(
                    f"This session is already stored as session {existing}.", "duplicate"
                )
            return w.insert_record(db, record)

        return self._run("import the session", body, write=True)

    # -- corrections ------------------------------------------------------------------------------
    def correct_verdict(
        self, answer_id: int, key_point_index: int, verdict: Verdict | str
    ) -> Correction:
        """Record the user's verdict for one key point of an answer's current score."""
        try:
            chosen = Verdict(verdict)
        except ValueError:
            raise ValueError(
                f"verdict must be covered, partial or missing, not {verdict!r}"
            ) from None
        session_id = self._read("find the answer", lambda db: q.answer_session(db, answer_id))
        answer = (
            next((a for a in self.load_session(session_id).answers if a.id == answer_id), None)
            if session_id
            else None
        )
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
        self._run(
            "save the correction",
            lambda db: w.upsert_correction(db, answer_id, correction),
            write=True,
        )
        return correction

    def labelled_rows(self) -> Iterator[dict[str, object]]:
        """Corrected answers in the eval set's JSONL shape, for `interviewer eval --from-transcripts`."""
        for record in self.sessions():
            for answer in record.answers:
                if (row := labelled_row(answer)) is not None:
                    yield row

    # -- progress and practice --------------------------------------------------------------------
    def history(self) -> dict[str, list[Review]]:
        return history_from(self.sessions())

    def practice_plan(self, now: datetime | None = None) -> PracticePlan:
        """`store.practice_plan().order(question_ids)` is the start screen's "due and weakest first"."""
        return PracticePlan(self.history(), now or self.clock())

    def due_order(self, question_ids: Sequence[str]) -> list[str]:
        """The start screen's "due and weakest first" order (`interviewer.core.interview.session.DueOrder`).
        Unreadable transcripts must not block practice: the given order is kept then."""
        try:
            return self.practice_plan().order(question_ids)
        except StoreError:
            return list(question_ids)

    def timeline(self) -> list[TimelinePoint]:
        return score_timeline(self.sessions())

    def weakest_key_points(self, limit: int = 10) -> list[KeyPointStat]:
        return weakest_key_points(self.sessions(), limit)


def _summary(record: SessionRecord) -> SessionSummary:
    question_ids = [s.id for s in record.questions] or list(
        dict.fromkeys(a.question_id for a in record.answers)
    )
    return SessionSummary(
        id=record.id,
        started_at=record.started_at,
        finished_at=record.finished_at,
        bank_id=record.bank_id,
        questions=len(question_ids),
        answered=len(record.first_attempts()),
        mean_score=record.mean_score(),
        categories=sorted({s.category for s in record.questions if s.category}),
        question_ids=question_ids,
    )
