"""One interview in progress: the pure session plus the transcript store, kept in step.

Every store call is made from the UI thread (SQLite connections belong to the thread that opened
them) and is guarded: a failing disk is reported, the interview goes on in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from interviewer.core.interview.session import Attempt, InterviewSession, InterviewSettings, Step
from interviewer.core.ports import ResumableSession
from interviewer.core.transcripts.records import versions_of

if TYPE_CHECKING:
    from interviewer.core.bank.schema import Bank, Question
    from interviewer.core.ports import TranscriptStore
    from interviewer.core.result import ScoreResult

T = TypeVar("T")


class InterviewRun:
    def __init__(
        self,
        session: InterviewSession,
        store: TranscriptStore,
        bank: Bank,
        on_store_error: Callable[[str], None] | None = None,
    ) -> None:
        self.session = session
        self.store = store
        self.bank = bank
        self.session_id: int | None = None
        self.on_store_error = on_store_error
        self.saved_drafts: dict[tuple[str, str], str] = {}
        self.last_error: str | None = None

    @classmethod
    def start(
        cls,
        store: TranscriptStore,
        bank: Bank,
        questions: list[Question],
        settings: InterviewSettings,
        on_store_error: Callable[[str], None] | None = None,
    ) -> InterviewRun:
        run = cls(InterviewSession(questions, settings), store, bank, on_store_error)
        ids = [q.id for q in questions]
        run.session_id = run._guard(lambda: store.start_session(bank.id, ids, settings.as_dict()))
        return run

    @classmethod
    def resume(
        cls,
        store: TranscriptStore,
        bank: Bank,
        saved: ResumableSession,
        settings: InterviewSettings,
        on_store_error: Callable[[str], None] | None = None,
    ) -> InterviewRun:
        """Continues a stored session: answered steps are skipped, drafts come back."""
        by_id = {q.id: q for q in bank.questions}
        questions = [by_id[i] for i in saved.question_ids if i in by_id]
        session = InterviewSession(questions, settings)
        for key, text in saved.answered.items():
            session.attempts.setdefault(key, []).append(Attempt(text=text, seconds=0.0))
            session.drafts[key] = text
        session.drafts.update(saved.drafts)
        session.skip_answered()
        run = cls(session, store, bank, on_store_error)
        run.session_id = saved.session_id
        run.saved_drafts = dict(saved.drafts)
        return run

    def _guard(self, call: Callable[[], T]) -> T | None:
        """Runs a store call; a failure is reported once per distinct message, never raised."""
        try:
            result = call()
        except Exception as error:  # the store is durable storage, not a reason to crash
            message = str(error)
            if message != self.last_error and self.on_store_error is not None:
                self.on_store_error(message)
            self.last_error = message
            return None
        self.last_error = None
        return result

    def save_draft(self, step: Step, text: str) -> None:
        """Writes the draft to the store if it changed since the last write."""
        self.session.set_draft(step, text)
        session_id = self.session_id
        if session_id is None or self.saved_drafts.get(step.key) == text:
            return
        q, part = step.key
        self._guard(lambda: self.store.save_draft(session_id, q, part, text))
        self.saved_drafts[step.key] = text

    def submit(self, step: Step, text: str, now: float) -> Attempt:
        """Records the answer durably before anything else happens to it."""
        attempt = self.session.submit(text, now)
        session_id = self.session_id
        if session_id is not None:
            q, part = step.key
            attempt.answer_id = self._guard(
                lambda: self.store.submit_answer(session_id, q, part, text, attempt.seconds)
            )
            self.saved_drafts[step.key] = text
        return attempt

    def record_score(self, attempt: Attempt, result: ScoreResult) -> None:
        attempt.result = result
        answer_id = attempt.answer_id
        if answer_id is None:
            return
        versions = versions_of(self.bank, result)
        self._guard(lambda: self.store.save_score(answer_id, result, versions))

    def save_feedback(
        self, attempt: Attempt, text: str, complete: bool, model: str, error: str | None
    ) -> None:
        answer_id = attempt.answer_id
        if answer_id is None:
            return
        self._guard(
            lambda: self.store.save_feedback(
                answer_id, text, complete=complete, model=model, error=error
            )
        )

    def finish(self) -> None:
        session_id = self.session_id
        if session_id is not None:
            self._guard(lambda: self.store.finish_session(session_id))
