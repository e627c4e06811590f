"""Messages the workers post back to the UI thread: small, named for what happened."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from interviewer.core.bank.schema import Bank
    from interviewer.core.interview.session import Attempt, Step
    from interviewer.core.result import ScoreResult
    from interviewer.tui.run import InterviewRun


@dataclass
class CatalogLoaded(Message):
    banks: list[Bank]


@dataclass
class CatalogFailed(Message):
    error: str


@dataclass
class ModelLoaded(Message):
    seconds: float


@dataclass
class ModelFailed(Message):
    error: str


@dataclass
class AnswerScored(Message):
    run: InterviewRun
    step: Step
    attempt: Attempt
    result: ScoreResult


@dataclass
class AnswerNotScored(Message):
    run: InterviewRun
    step: Step
    attempt: Attempt
    reason: str
