"""Every seam of the core: the ports that adapters implement and tests fake in memory.

Kept tiny on purpose (one or two methods each, or a short cohesive set for the store), so the core
and the TUI never depend on SQLite, torch or openai directly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from interviewer.core.terms import Part

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from interviewer.core.interview.practice import PracticePlan
    from interviewer.core.result import ScoreResult, Verdict, Versions
    from interviewer.core.transcripts.records import (
        Correction,
        KeyPointStat,
        SessionRecord,
        SessionSummary,
        TimelinePoint,
    )


# -- grading --------------------------------------------------------------------------------------


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; rows of the result follow the input order."""

    @property
    def name(self) -> str: ...

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


class Verifier(Protocol):
    """Judges (answer span, evidence statement) pairs for the grader's verification stage."""

    @property
    def name(self) -> str: ...

    def judge(
        self, question: str, pairs: Sequence[tuple[str, str]]
    ) -> npt.NDArray[np.float32]: ...  # (n, 4): supports, contradicts, mentions, unrelated


class AnswerGrader(Protocol):
    """What the UI needs of the grader (interviewer.core.grading.grader.Grader satisfies it)."""

    def score(self, question: str, answer: str, part: Part = Part.MAIN) -> ScoreResult: ...


# -- transcripts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResumedAnswer:
    """One answer submitted before the quit, as the resumed interview needs it for its summary."""

    text: str
    seconds: float
    answer_id: int | None = None
    result: ScoreResult | None = None  # the current score, if it was scored
    corrections: Mapping[int, Verdict] = field(default_factory=dict)  # the user's, by key point


@dataclass(frozen=True)
class ResumableSession:
    session_id: int
    bank_id: str
    question_ids: list[str]
    answered: dict[tuple[str, str], str]  # (question id, part) -> submitted answer text
    drafts: dict[tuple[str, str], str]  # (question id, part) -> last autosaved draft
    settings: Mapping[str, Any] = field(default_factory=dict)
    # (question id, part) -> every answer submitted, oldest first, with its time and score
    history: dict[tuple[str, str], list[ResumedAnswer]] = field(default_factory=dict)


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


class TranscriptError(Exception):
    """A transcript store fault, as one line a user can act on (the SQLite store's StoreError is one).

    `kind` is one of locked, read_only, full, corrupt, cannot_open, newer, not_found, duplicate,
    other."""

    def __init__(self, message: str, kind: str = "other") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


class TranscriptReader(Protocol):
    """The read side of the transcripts, and the user's corrections to past verdicts: what review,
    export, stats, the practice plan and the evaluation ask of the store. Faults raise
    TranscriptError."""

    def sessions(self, ids: Sequence[int] | None = None) -> list[SessionRecord]: ...

    def load_session(self, session_id: int) -> SessionRecord: ...

    def list_sessions(
        self, category: str | None = None, question: str | None = None
    ) -> list[SessionSummary]: ...

    def import_session(self, record: SessionRecord) -> int: ...

    def correct_verdict(
        self, answer_id: int, key_point_index: int, verdict: Verdict | str
    ) -> Correction: ...

    def labelled_rows(self) -> Iterator[dict[str, object]]: ...

    def practice_plan(self, now: datetime | None = None) -> PracticePlan: ...

    def due_order(self, question_ids: Sequence[str]) -> list[str]: ...

    def timeline(self) -> list[TimelinePoint]: ...

    def weakest_key_points(self, limit: int = 10) -> list[KeyPointStat]: ...


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


@dataclass(frozen=True)
class KeyPointOpinion:
    """The LLM's own verdict on one key point, with the passage it says shows it."""

    key_point: str
    verdict: Verdict
    quote: str
    quote_in_answer: bool  # False: the quote is not in the answer, so the verdict is unsupported


@dataclass(frozen=True)
class OpinionFailure:
    message: str  # one line a user can act on


class SecondOpinionSource(Protocol):
    """The LLM's own verdict on each key point of a scored answer, one per key point in order
    (`prompt.parse_second_opinion`). Never raises: a fault is one OpinionFailure line."""

    async def second_opinion(
        self, request: FeedbackRequest
    ) -> list[KeyPointOpinion] | OpinionFailure: ...
