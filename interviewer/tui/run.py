"""One interview in progress: the pure session plus the transcript store, kept in step.

Every store call is made from the UI thread (SQLite connections belong to the thread that opened
them) and is guarded: a failing disk is reported, the interview goes on in memory.

Nothing typed is lost when the session could not be created at the start (the database locked,
read-only, damaged, the disk full): creating it is tried again on each submit (and on a draft save,
at most every `START_RETRY_SECONDS`), so answers go to the database once it is back; until then
typed text goes to the store with session id 0, which the SQLite store keeps in its fallback file
(`interviewer review --recover` moves the answers in). A submitted answer that went nowhere at all
is reported through `on_answer_lost`, loudly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from interviewer.core.interview.session import Attempt, InterviewSession, InterviewSettings, Step
from interviewer.core.ports import ResumableSession, ResumedAnswer

if TYPE_CHECKING:
    from interviewer.core.bank.schema import Bank, Question
    from interviewer.core.ports import TranscriptStore
    from interviewer.core.result import ScoreResult

T = TypeVar("T")

START_RETRY_SECONDS = 10.0  # a draft save retries creating the session at most this often
NO_SESSION = 0  # the session id for text typed while the session could not be created


class InterviewRun:
    def __init__(
        self,
        session: InterviewSession,
        store: TranscriptStore,
        bank: Bank,
        on_store_error: Callable[[str], None] | None = None,
        on_answer_lost: Callable[[str], None] | None = None,
    ) -> None:
        self.session = session
        self.store = store
        self.bank = bank
        self.session_id: int | None = None
        self.on_store_error = on_store_error
        self.on_answer_lost = on_answer_lost
        self.saved_drafts: dict[tuple[str, str], str] = {}
        self.last_error: str | None = None
        # What start_session is called with until it works (None once the session exists).
        self.pending_start: tuple[str, list[str], dict[str, Any]] | None = None
        self.monotonic: Callable[[], float] = time.monotonic
        self._next_start_try = 0.0

    @classmethod
    def start(
        cls,
        store: TranscriptStore,
        bank: Bank,
        questions: list[Question],
        settings: InterviewSettings,
        on_store_error: Callable[[str], None] | None = None,
        on_answer_lost: Callable[[str], None] | None = None,
    ) -> InterviewRun:
        run = cls(
            InterviewSession(questions, settings), store, bank, on_store_error, on_answer_lost
        )
        run.pending_start = (bank.id, [q.id for q in questions], settings.as_dict())
        run.ensure_session()
        return run

    @classmethod
    def resume(
        cls,
        store: TranscriptStore,
        bank: Bank,
        saved: ResumableSession,
        settings: InterviewSettings,
        on_store_error: Callable[[str], None] | None = None,
        on_answer_lost: Callable[[str], None] | None = None,
    ) -> InterviewRun:
        """Continues a stored session: answered steps are skipped, drafts come back."""
        by_id = {q.id: q for q in bank.questions}
        questions = [by_id[i] for i in saved.question_ids if i in by_id]
        session = InterviewSession(questions, settings)
        for key, text in saved.answered.items():
            earlier = saved.history.get(key) or [ResumedAnswer(text, 0.0)]
            session.restore(
                key,
                [
                    Attempt(
                        a.text, a.seconds, a.answer_id, a.result, corrections=dict(a.corrections)
                    )
                    for a in earlier
                ],
            )
        session.drafts.update(saved.drafts)
        session.skip_answered()
        run = cls(session, store, bank, on_store_error, on_answer_lost)
        run.session_id = saved.session_id
        run.saved_drafts = dict(saved.drafts)
        return run

    def _guard(self, call: Callable[[], T], *, report: bool = False) -> T | None:
        """Runs a store call; a failure is reported once per distinct message (every time with
        `report`), never raised."""
        try:
            result = call()
        except Exception as error:  # the store is durable storage, not a reason to crash
            message = str(error)
            if (report or message != self.last_error) and self.on_store_error is not None:
                self.on_store_error(message)
            self.last_error = message
            return None
        self.last_error = None
        return result

    def ensure_session(self, *, throttle: bool = False) -> int:
        """The stored session's id, creating the session if an earlier try failed; NO_SESSION
        while it cannot be created. `throttle`: try at most every START_RETRY_SECONDS (a locked
        database makes each try wait for the store's busy timeout)."""
        if self.session_id is not None:
            return self.session_id
        if self.pending_start is None or (throttle and self.monotonic() < self._next_start_try):
            return NO_SESSION
        bank_id, ids, settings = self.pending_start
        self.session_id = self._guard(lambda: self.store.start_session(bank_id, ids, settings))
        if self.session_id is None:
            self._next_start_try = self.monotonic() + START_RETRY_SECONDS
            return NO_SESSION
        self.pending_start = None
        self.saved_drafts.clear()  # what went to the fallback file goes to the session now
        return self.session_id

    def save_draft(self, step: Step, text: str) -> None:
        """Writes the draft to the store if it changed since the last write."""
        self.session.set_draft(step, text)
        if self.saved_drafts.get(step.key) == text:
            return
        session_id = self.ensure_session(throttle=True)
        q, part = step.key
        self._guard(lambda: self.store.save_draft(session_id, q, part, text))
        self.saved_drafts[step.key] = text

    def submit(self, step: Step, text: str, now: float) -> Attempt:
        """Records the answer durably before anything else happens to it: in the session (created
        now if that failed before), else wherever the store keeps text it cannot take (the
        fallback file); an answer kept nowhere is reported through `on_answer_lost`."""
        attempt = self.session.submit(text, now)
        session_id = self.ensure_session()
        q, part = step.key
        try:
            attempt.answer_id = self.store.submit_answer(session_id, q, part, text, attempt.seconds)
        except Exception as error:  # reported below; the interview goes on
            self._answer_not_stored(error, text)
        else:
            self.last_error = None
        self.saved_drafts[step.key] = text
        return attempt

    def _answer_not_stored(self, error: Exception, text: str) -> None:
        message = str(error)
        self.last_error = message
        if getattr(error, "fallback", None) is not None:  # kept in the fallback file
            if self.on_store_error is not None:
                self.on_store_error(message)
            return
        lost = (
            message
            if "somewhere safe" in message
            else f"Your answer was NOT saved ({message}): copy it somewhere safe now."
        )
        if self.on_answer_lost is not None:
            self.on_answer_lost(lost)
        elif self.on_store_error is not None:
            self.on_store_error(lost)

    def record_score(self, attempt: Attempt, result: ScoreResult) -> None:
        from interviewer.core.transcripts.records import versions_of  # pydantic: not at start-up

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
