"""The store's read side: what review, export, stats, the practice plan and the evaluation ask of
it, and the interview's resume point. Each call reads in one transaction on the given `Database`.

Everything is derived from whole `SessionRecord`s loaded in bulk (a few queries for all sessions),
so the summaries, the progress plot, the weakest key points and the FSRS schedule all apply the
user's corrections the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from interviewer.adapters.store import queries as q
from interviewer.adapters.store.database import Database
from interviewer.adapters.store.errors import StoreError
from interviewer.core.bank.schema import Question
from interviewer.core.interview.practice import PracticePlan, Review, history_from
from interviewer.core.ports import ResumableSession, ResumedAnswer
from interviewer.core.transcripts.records import (
    KeyPointStat,
    SessionRecord,
    SessionSummary,
    TimelinePoint,
    labelled_row,
    score_timeline,
    weakest_key_points,
)

BankLookup = Callable[[str], Question | None]


class StoreReads:
    def __init__(
        self, db: Database, bank_lookup: BankLookup | None, clock: Callable[[], datetime]
    ) -> None:
        """`bank_lookup` fills in the text of questions stored without it (older sessions)."""
        self.db = db
        self.bank_lookup = bank_lookup
        self.clock = clock

    # -- sessions ---------------------------------------------------------------------------------
    def sessions(self, ids: Sequence[int] | None = None) -> list[SessionRecord]:
        records = self.db.read("read the transcripts", lambda db: q.load_records(db, ids))
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

    def unfinished_session(self) -> ResumableSession | None:
        """The newest unfinished session with anything typed: its answers and its last drafts."""
        found = self.db.read("find the unfinished session", q.latest_unfinished)
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
            history=_history(record),
        )

    def _filled(self, record: SessionRecord) -> SessionRecord:
        return record.with_questions(self.bank_lookup) if self.bank_lookup else record

    # -- labels, progress and practice -----------------------------------------------------------
    def labelled_rows(self) -> Iterator[dict[str, object]]:
        """Corrected answers in the eval set's JSONL shape, for `interviewer eval --from-transcripts`."""
        for record in self.sessions():
            for answer in record.answers:
                if (row := labelled_row(answer)) is not None:
                    yield row

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


def _history(record: SessionRecord) -> dict[tuple[str, str], list[ResumedAnswer]]:
    """Every answer per (question, part), oldest first, with its time and current score."""
    history: dict[tuple[str, str], list[ResumedAnswer]] = {}
    for answer in record.answers:
        stored = answer.score
        points = stored.result.key_points if stored else []
        corrections = {
            i: fixed.verdict for i in range(len(points)) if (fixed := answer.correction(i))
        }
        history.setdefault((answer.question_id, answer.part), []).append(
            ResumedAnswer(
                answer.text,
                answer.seconds,
                answer.id,
                stored.result if stored else None,
                corrections,
            )
        )
    return history


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
