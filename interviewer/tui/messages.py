"""The TUI's messages, small and named for what happened.

Three directions: workers report to the app (the catalog, the model, a score); screens tell the app
what the user chose (they never call the app); the app tells the screen it is showing that new data
arrived (these do not bubble back up).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from textual.screen import Screen

    from interviewer.core.bank.schema import Bank
    from interviewer.core.interview.session import Attempt, InterviewSettings, Step
    from interviewer.core.ports import ResumableSession
    from interviewer.core.result import ScoreResult
    from interviewer.tui.config import Services
    from interviewer.tui.run import InterviewRun


# -- workers -> app -------------------------------------------------------------------------------
@dataclass
class CatalogLoaded(Message):
    banks: list[Bank]
    services: Services | None = None  # opened in the same worker (`AppDeps.services`)


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


# -- screens -> app -------------------------------------------------------------------------------
@dataclass
class ScreenChoice(Message):
    """What the user chose on `screen`. The app acts only on choices from the screen it shows, so a
    repeated key (Enter held down) cannot start or skip twice before the screen changes."""

    screen: Screen[None]


@dataclass
class InterviewChosen(ScreenChoice):
    """The start form was sent: ask questions picked with these settings."""

    settings: InterviewSettings


@dataclass
class ResumeChosen(ScreenChoice):
    """Continue the unfinished interview the start screen offered."""

    saved: ResumableSession


@dataclass
class AnswerSubmitted(ScreenChoice):
    """The user sent an answer to `step`; the app stores it first, then scores it."""

    step: Step
    text: str


@dataclass
class RetryChosen(ScreenChoice):
    """Answer the current question again (the draft is what was submitted)."""


@dataclass
class ContinueChosen(ScreenChoice):
    """On to the follow-up or the next question."""


@dataclass
class NewInterviewChosen(ScreenChoice):
    """Back to the start screen (the app asks first when an answer is typed but not sent)."""


@dataclass
class SkipChosen(ScreenChoice):
    """Pass on `step` without answering (a main question's follow-up is passed too)."""

    step: Step


@dataclass
class ShowAnswerChosen(ScreenChoice):
    """The user does not know `step`: record that as the answer and show the model answer."""

    step: Step


@dataclass
class EndChosen(ScreenChoice):
    """End the interview now and go to the summary (the app asks first about unsent text)."""


# -- app -> the screen it shows -------------------------------------------------------------------
@dataclass
class CatalogReady(Message, bubble=False):
    """The banks are parsed: the start screen can build its form."""

    banks: list[Bank]
    resumable: ResumableSession | None
    due_available: bool = False  # the store can rank questions "due and weakest first"


@dataclass
class ScoreArrived(Message, bubble=False):
    """`attempt` got its score (or the reason it has none)."""

    attempt: Attempt
