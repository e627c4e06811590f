"""The ports the UI talks to. Adapters implement them; tests use small in-memory versions.

Kept tiny on purpose (one or two methods each, or a short cohesive set for the store), so the TUI
never depends on SQLite, torch or openai directly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from interviewer.core.result import ScoreResult


class AnswerGrader(Protocol):
    """What the UI needs of the grader (interviewer.core.grading.grader.Grader satisfies it)."""

    def score(self, question: str, answer: str, part: str = "main") -> ScoreResult: ...


# -- transcripts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Versions:
    """What produced a score, stored beside it so old grades can be explained and re-scored."""

    bank: str = ""
    rubric: str = ""
    model: str = ""
    params: str = ""


@dataclass(frozen=True)
class ResumableSession:
    session_id: int
    bank_id: str
    question_ids: list[str]
    answered: dict[tuple[str, str], str]  # (question id, part) -> submitted answer text
    drafts: dict[tuple[str, str], str]  # (question id, part) -> last autosaved draft
    settings: Mapping[str, Any] = field(default_factory=dict)


class TranscriptStore(Protocol):
    """Durable transcripts. Every call commits before it returns: nothing typed is lost."""

    def start_session(
        self, bank_id: str, question_ids: list[str], settings: Mapping[str, Any]
    ) -> int: ...

    def save_draft(self, session_id: int, question_id: str, part: str, text: str) -> None: ...

    def submit_answer(
        self, session_id: int, question_id: str, part: str, text: str, seconds: float
    ) -> int: ...

    def save_score(self, answer_id: int, result: ScoreResult, versions: Versions) -> None: ...

    def save_feedback(
        self, answer_id: int, text: str, *, complete: bool, model: str, error: str | None = None
    ) -> None: ...

    def finish_session(self, session_id: int) -> None: ...

    def unfinished_session(self) -> ResumableSession | None: ...


# -- LLM feedback ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackRequest:
    question_title: str
    question_prompt: str
    model_answer: str
    answer: str
    result: ScoreResult


class FeedbackEventKind(StrEnum):
    CHUNK = "chunk"  # text: the next piece of Markdown
    DONE = "done"
    ERROR = "error"  # text: one line a user can act on; what came before is kept, incomplete


@dataclass(frozen=True)
class FeedbackEvent:
    kind: FeedbackEventKind
    text: str = ""


class FeedbackWriter(Protocol):
    """Streams narrative feedback. Never raises: faults arrive as one ERROR event, then it stops."""

    @property
    def description(self) -> str: ...  # e.g. "llama3 at http://127.0.0.1:11434/v1"

    def stream(self, request: FeedbackRequest) -> AsyncIterator[FeedbackEvent]: ...
