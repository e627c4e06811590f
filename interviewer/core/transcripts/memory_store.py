"""A TranscriptStore that lives in memory: the fallback when there is no database, and for tests.

It keeps the same promises as the durable store within one process (drafts survive moving between
screens, an unfinished session can be resumed) so the TUI has one code path with or without SQLite.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from interviewer.core.ports import ResumableSession, ResumedAnswer, TranscriptError

if TYPE_CHECKING:
    from interviewer.core.result import ScoreResult, Versions


@dataclass
class InMemoryAnswer:
    """A submitted answer as this store keeps it (records.StoredAnswer is the read side)."""

    answer_id: int
    session_id: int
    question_id: str
    part: str
    text: str
    seconds: float
    result: ScoreResult | None = None
    versions: Versions | None = None
    feedback: str | None = None
    feedback_complete: bool = False
    feedback_error: str | None = None


@dataclass
class StoredSession:
    session_id: int
    bank_id: str
    question_ids: list[str]
    settings: dict[str, Any]
    drafts: dict[tuple[str, str], str] = field(default_factory=dict)
    finished: bool = False


class InMemoryTranscriptStore:
    """Implements interviewer.core.ports.TranscriptStore with dictionaries."""

    def __init__(self) -> None:
        self.sessions: dict[int, StoredSession] = {}
        self.answers: dict[int, InMemoryAnswer] = {}
        self.calls: list[str] = []  # the order of calls, so tests can check "submit before score"

    def start_session(
        self, bank_id: str, question_ids: list[str], settings: Mapping[str, Any]
    ) -> int:
        self.calls.append("start_session")
        session_id = len(self.sessions) + 1
        self.sessions[session_id] = StoredSession(
            session_id, bank_id, list(question_ids), dict(settings)
        )
        return session_id

    def _session(self, session_id: int) -> StoredSession:
        """The session, or the TranscriptError a store raises for one never created (id 0: the
        interview's start_session failed)."""
        session = self.sessions.get(session_id)
        if session is None:
            raise TranscriptError(f"There is no session {session_id} to save to.", "not_found")
        return session

    def save_draft(self, session_id: int, question_id: str, part: str, text: str) -> None:
        self.calls.append("save_draft")
        self._session(session_id).drafts[(question_id, part)] = text

    def submit_answer(
        self, session_id: int, question_id: str, part: str, text: str, seconds: float
    ) -> int:
        self.calls.append("submit_answer")
        session = self._session(session_id)
        answer_id = len(self.answers) + 1
        self.answers[answer_id] = InMemoryAnswer(
            answer_id, session_id, question_id, part, text, seconds
        )
        session.drafts[(question_id, part)] = text
        return answer_id

    def save_score(self, answer_id: int, result: ScoreResult, versions: Versions) -> None:
        self.calls.append("save_score")
        answer = self.answers[answer_id]
        answer.result = result
        answer.versions = versions

    def save_feedback(
        self, answer_id: int, text: str, *, complete: bool, model: str, error: str | None = None
    ) -> None:
        self.calls.append("save_feedback")
        answer = self.answers[answer_id]
        answer.feedback, answer.feedback_complete, answer.feedback_error = text, complete, error

    def finish_session(self, session_id: int) -> None:
        self.calls.append("finish_session")
        self.sessions[session_id].finished = True

    def unfinished_session(self) -> ResumableSession | None:
        """The latest session not finished, with its last answer per part and its drafts."""
        open_sessions = [s for s in self.sessions.values() if not s.finished]
        if not open_sessions:
            return None
        session = max(open_sessions, key=lambda s: s.session_id)
        answered: dict[tuple[str, str], str] = {}
        history: dict[tuple[str, str], list[ResumedAnswer]] = {}
        for answer in sorted(self.answers.values(), key=lambda a: a.answer_id):
            if answer.session_id == session.session_id:
                key = (answer.question_id, answer.part)
                answered[key] = answer.text
                history.setdefault(key, []).append(
                    ResumedAnswer(answer.text, answer.seconds, answer.answer_id, answer.result)
                )
        return ResumableSession(
            session_id=session.session_id,
            bank_id=session.bank_id,
            question_ids=list(session.question_ids),
            answered=answered,
            drafts=dict(session.drafts),
            settings=dict(session.settings),
            history=history,
        )
