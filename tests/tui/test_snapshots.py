"""Snapshots of each screen at 100x40 and at the 80x24 minimum (pytest-textual-snapshot).

A fixed grader (scores by sentence position) keeps them independent of rubric and tuning edits;
the clock is frozen so timers read 0:00.
Update after a deliberate UI change with `pytest tests/tui/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from interviewer.tui.app import InterviewApp
from interviewer.tui.widgets.answer_editor import AnswerEditor
from interviewer.wiring import GradingContext

from .conftest import FixedGrader, build_app
from .helpers import answer_and_submit, settle, type_answer

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
