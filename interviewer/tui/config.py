"""What the app is given: the user's choices (`AppSettings`) and its collaborators (`AppDeps`).

Both the CLI and the tests build these and call `make_app`; the tests swap in fakes here and
nowhere else.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from interviewer.core.interview.settings import DueOrder, InterviewSettings

if TYPE_CHECKING:
    from interviewer.core.bank.schema import Bank
    from interviewer.core.config_file import UiPreferences
    from interviewer.core.ports import (
        AnswerGrader,
        FeedbackWriter,
        SecondOpinionSource,
        TranscriptReader,
        TranscriptStore,
    )

FEEDBACK_OFF = "feedback off — set INTERVIEWER_LLM_BASE_URL (see `interviewer doctor`)"
JUDGE_OFF = (
    'judge = "llm" but no LLM endpoint is configured (see `interviewer doctor`): '
    "scored by the local grader"
)


@dataclass(frozen=True)
class AppSettings:
    interview: InterviewSettings = field(default_factory=InterviewSettings)
    start_directly: bool = False  # skip the start screen (`interviewer interview --count N`)
    draft_save_delay: float = 0.6  # seconds of quiet typing before a draft is written to the store
    theme: str | None = None  # the theme saved in config.toml ([tui] theme); None: Textual's


@dataclass(frozen=True)
class Services:
    """What is opened after the first paint, in the app's loading worker (`AppDeps.services`): the
    transcript store and the LLM pieces. Each of `warnings` (a store that would not open, a broken
    [llm] table) is shown as a notification, where the user sees it."""

    store: TranscriptStore | None = None
    feedback: FeedbackWriter | None = None
    opinions: SecondOpinionSource | None = None
    judge: str = "local"
    due_order: DueOrder | None = None
    warnings: tuple[str, ...] = ()


@dataclass
class AppDeps:
    """The app's collaborators. The two callables are slow and run in thread workers."""

    catalog: Callable[[], Sequence[Bank]]  # the question banks (parses YAML)
    grader_factory: Callable[[], AnswerGrader]  # loads the embedding model: seconds
    store: TranscriptStore | None = None  # None: an in-memory store for this run
    feedback: FeedbackWriter | None = None  # None: the score view says how to turn it on
    # The LLM's per-key-point verdicts, asked after the local score is shown ([llm] second_opinion
    # or judge = "llm" with an endpoint); None: not asked.
    opinions: SecondOpinionSource | None = None
    judge: str = "local"  # "llm": the LLM's verdicts set the score shown and stored ([llm] judge)
    due_order: DueOrder | None = None  # enables the "due and weakest first" order
    warm_up: Callable[[AnswerGrader, list[str]], None] | None = None  # prepare rubrics early
    clock: Callable[[], float] = time.monotonic  # time spent; tests freeze it for snapshots
    # Past transcripts for the Review and Progress screens, opened when one is first shown (may
    # raise TranscriptError). None: the palette does not offer them.
    open_reader: Callable[[], TranscriptReader] | None = None
    # Remembers the theme and the start screen's last choices (config.toml's [tui] tables); may
    # raise OSError. None: nothing is remembered (tests, snapshots).
    save_preferences: Callable[[UiPreferences], None] | None = None
    # Opens the store and the LLM pieces in the loading worker, after the first paint; what it
    # returns replaces store, feedback, opinions, judge and due_order above. None: as given.
    services: Callable[[], Services] | None = None
