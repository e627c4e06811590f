"""Snapshots of each screen at 100x40 and at the 80x24 minimum (pytest-textual-snapshot).

A fixed grader (scores by sentence position) keeps them independent of rubric and tuning edits;
the clock is frozen so timers read 0:00. Review and Progress read a real SQLite store whose clock
steps a minute per write from a fixed date, shown in UTC.
Update after a deliberate UI change with `pytest tests/tui/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from interviewer.adapters.store.sqlite import SqliteTranscriptStore
from interviewer.core.result import Flag, Verdict
from interviewer.tui.app import InterviewApp
from interviewer.tui.screens.review import ReviewScreen
from interviewer.tui.widgets.answer_editor import AnswerEditor
from interviewer.wiring import GradingContext
from tests.store.helpers import (
    CIRCUIT,
    CIRCUIT_ANSWER,
    VERSIONS,
    circuit_result,
    fill_session,
    result_for,
)

from .conftest import FixedGrader, build_app
from .helpers import answer_and_submit, settle, type_answer, until

SIZES = [pytest.param((100, 40), id="100x40"), pytest.param((80, 24), id="80x24")]
ANSWER = (
    "A circuit breaker has three states. Closed lets calls through while it counts failures.\n"
    "When failures cross a threshold it opens and fails fast without calling the service.\n"
    "After a timeout it goes half-open and lets a few trial requests through.\n"
    "I would also return a cached fallback while it is open."
)
SnapCompare = Callable[..., bool]


@pytest.fixture
def app(context: GradingContext) -> InterviewApp:
    grader = FixedGrader(context)
    return build_app(context, lambda: grader)


class SteppingClock:
    """The store's clock: each reading a minute after the last, from a fixed Monday morning."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def in_utc() -> Iterator[None]:
    """Dates are shown in local time: make that UTC for the test."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


FALLBACK_SAYS = "While it is open, calls get a fallback: a cached value or a default response."


@pytest.fixture
def transcripts(
    context: GradingContext, tmp_path: Path, in_utc: None
) -> Iterator[SqliteTranscriptStore]:
    """Two sessions two days apart: the store tests' filled session, then a better first answer."""
    clock = SteppingClock()
    store = SqliteTranscriptStore(
        tmp_path / "transcripts.sqlite3",
        fallback_dir=tmp_path / "fallback",
        bank_lookup=context.question,
        clock=clock,
    )
    first = store.load_session(fill_session(store)).answers[0]
    # what the score view showed with it: a flag, and what a strong answer says for the point missed
    shown = circuit_result()
    missed = shown.key_points[2].model_copy(update={"expected": (FALLBACK_SAYS,)})
    shown = shown.model_copy(
        update={"key_points": [*shown.key_points[:2], missed], "flags": [Flag.TERM_LIST]}
    )
    store.save_score(first.id, shown, VERSIONS)
    clock.now += timedelta(days=2)
    session = store.start_session("architecture-system-design", [CIRCUIT], {"count": 1})
    answer = store.submit_answer(session, CIRCUIT, "main", CIRCUIT_ANSWER, 80.0)
    better = [
        ("Knows the three states", Verdict.COVERED, 0.95, CIRCUIT_ANSWER.split(". ")[2]),
        ("Knows why it fails fast", Verdict.COVERED, 0.8, CIRCUIT_ANSWER.split(". ")[1] + "."),
        ("Knows fallbacks", Verdict.PARTIAL, 0.4, None),
    ]
    store.save_score(answer, result_for(CIRCUIT, CIRCUIT_ANSWER, better), VERSIONS)
    store.finish_session(session)
    yield store
    store.close()


@pytest.fixture
def looking_back(context: GradingContext, transcripts: SqliteTranscriptStore) -> InterviewApp:
    grader = FixedGrader(context)
    return build_app(context, lambda: grader, reader=transcripts)


async def _on_start(pilot: Pilot[None]) -> None:
    await settle(pilot)


async def _on_question(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await type_answer(pilot, "A circuit breaker has three states: closed, open and half-open.")
    pilot.app.screen.query_one(AnswerEditor).cursor_blink = False


async def _on_score(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await answer_and_submit(pilot, ANSWER)


async def _on_summary(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("enter")
    for text in (ANSWER, "Use the p99 latency and error rate as a baseline.", "A hash of the URL."):
        await answer_and_submit(pilot, text)
        await pilot.press("enter")
        await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_start_screen(snap_compare: SnapCompare, app: InterviewApp, size: tuple[int, int]) -> None:
    """Bank, categories (all ticked), difficulties, count 2, order, time limit, Start focused,
    the model state above the footer."""
    assert snap_compare(app, run_before=_on_start, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_question_screen(
    snap_compare: SnapCompare, app: InterviewApp, size: tuple[int, int]
) -> None:
    """Progress 1/2, category and difficulty, the clock at 0:00, the prompt, a typed answer."""
    assert snap_compare(app, run_before=_on_question, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_score_view(snap_compare: SnapCompare, app: InterviewApp, size: tuple[int, int]) -> None:
    """The score with its bar, one row per key point, missed points, and the answer with each
    point's evidence highlighted in that point's colour behind its [n] marker."""
    assert snap_compare(app, run_before=_on_score, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_summary(snap_compare: SnapCompare, app: InterviewApp, size: tuple[int, int]) -> None:
    """Per question scores (with the follow-up), per category bars, weakest points, advice."""
    assert snap_compare(app, run_before=_on_summary, terminal_size=size)


def _review_shows(pilot: Pilot[None], session: int) -> Callable[[], bool]:
    def shown() -> bool:
        screen = pilot.app.screen
        if not isinstance(screen, ReviewScreen) or screen.record is None:
            return False
        return screen.record.id == session and bool(screen.query("#review-heading"))

    return shown


async def _on_review(pilot: Pilot[None]) -> None:
    await settle(pilot)
    assert isinstance(pilot.app, InterviewApp)
    pilot.app.open_review()
    await until(pilot, _review_shows(pilot, 2), "the newest session")
    await pilot.press("down")  # the older session: a follow-up, feedback and a model answer
    await until(pilot, _review_shows(pilot, 1), "the older session")
    await settle(pilot)


async def _on_progress(pilot: Pilot[None]) -> None:
    await settle(pilot)
    assert isinstance(pilot.app, InterviewApp)
    pilot.app.open_progress()
    await settle(pilot)


async def _on_help(pilot: Pilot[None]) -> None:
    await _on_question(pilot)
    await pilot.press("f1")
    await pilot.pause()


async def _on_confirm(pilot: Pilot[None]) -> None:
    await _on_question(pilot)
    await pilot.press("ctrl+q")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_review(
    snap_compare: SnapCompare, looking_back: InterviewApp, size: tuple[int, int]
) -> None:
    """Sessions newest first with date, answered count, mean and bank; the chosen one on the right:
    each answer under its title and score, its flags, the evidence highlighted and numbered, its
    key points with verdicts, what a strong answer says for the one missed, and collapsed feedback
    and model answer."""
    assert snap_compare(looking_back, run_before=_on_review, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_progress(
    snap_compare: SnapCompare, looking_back: InterviewApp, size: tuple[int, int]
) -> None:
    """The category picker, the score over time per category (two days), the weakest key points
    and the practice plan with how many are due."""
    assert snap_compare(looking_back, run_before=_on_progress, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: SnapCompare, app: InterviewApp, size: tuple[int, int]) -> None:
    """F1 on the question screen: what the screen is for, then its keys and the app's."""
    assert snap_compare(app, run_before=_on_help, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_confirm(snap_compare: SnapCompare, app: InterviewApp, size: tuple[int, int]) -> None:
    """Quitting with an answer typed but not sent: the question, the kept draft, Stay and Quit."""
    assert snap_compare(app, run_before=_on_confirm, terminal_size=size)
