"""Issue 16: a verdict corrected on the score view counts in the interview summary (per question,
per category, overall and the weakest key points), as `interviewer review` counts it, also after
the interview is quit and resumed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from interviewer.adapters.store.sqlite import SqliteTranscriptStore, open_store
from interviewer.core.interview.session import (
    Attempt,
    InterviewSettings,
    Order,
    corrected_score,
    summarise,
)
from interviewer.core.result import Verdict
from interviewer.paths import Paths
from interviewer.tui.screens.dialogs import ConfirmScreen
from interviewer.tui.screens.score import ScoreScreen
from interviewer.tui.screens.summary import SummaryScreen
from interviewer.wiring import GradingContext

from .conftest import FIRST, TWO_QUESTIONS, FixedGrader, build_app
from .helpers import answer_and_submit, settle, until

ANSWER = (
    "A circuit breaker has three states. Closed lets calls through while it counts failures.\n"
    "When failures cross a threshold it opens and fails fast without calling the service.\n"
    "After a timeout it goes half-open and lets a few trial requests through."
)
ONE_QUESTION = InterviewSettings(count=1, order=Order.DUE)


@pytest.fixture
def transcripts(tmp_path: Path, context: GradingContext) -> Iterator[SqliteTranscriptStore]:
    store = open_store(Paths(tmp_path / "home"), bank_lookup=context.question)
    yield store
    store.close()


async def _score_view(pilot: object) -> ScoreScreen:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await until(
        pilot,
        lambda: isinstance(pilot.app.screen, ScoreScreen) and pilot.app.screen.result_shown,
        "the score is shown",
    )
    screen = pilot.app.screen
    assert isinstance(screen, ScoreScreen)
    return screen


async def test_the_summary_counts_corrections_made_on_the_score_view(
    context: GradingContext, transcripts: SqliteTranscriptStore
) -> None:
    grader = FixedGrader(context)
    app = build_app(
        context, lambda: grader, settings=ONE_QUESTION, store=transcripts, reader=transcripts
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await answer_and_submit(pilot, ANSWER)
        screen = await _score_view(pilot)
        result = screen.attempt.result
        assert result is not None and result.key_points[2].verdict is Verdict.MISSING
        missed = result.key_points[2].key_point
        await pilot.press("3", "c", "2", "c")  # the missing and the partial point: covered
        await pilot.pause()
        corrected = corrected_score(result, {1: Verdict.COVERED, 2: Verdict.COVERED})
        assert corrected > result.score + 10
        await pilot.press("enter")  # the follow-up
        await settle(pilot)
        await answer_and_submit(pilot, "Set the thresholds from a latency baseline.")
        await _score_view(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen), "the summary")
        summary_screen = pilot.app.screen
        assert isinstance(summary_screen, SummaryScreen)
        await pilot.pause()
        summary = summarise(summary_screen.interview.session)
        table = summary_screen.query_one("#summary-questions", DataTable)
        assert str(table.get_row_at(0)[2]) == f"{corrected:.0f}"  # not the grader's
        assert summary.overall == corrected
        overall = str(summary_screen.query_one("#summary-overall", Static).content)
        assert f"{corrected:.0f}/100" in overall
        weakest = str(summary_screen.query_one("#summary-weakest", Static).content)
        assert missed not in weakest  # corrected to covered: no longer a weak point
    session = transcripts.sessions()[0]
    assert session.mean_score() == summary.overall  # what `interviewer review` says


async def test_a_resumed_summary_keeps_corrections_made_before_the_quit(
    context: GradingContext, tmp_path: Path
) -> None:
    paths = Paths(tmp_path / "home")
    grader = FixedGrader(context)
    store = open_store(paths, bank_lookup=context.question)
    app = build_app(context, lambda: grader, settings=TWO_QUESTIONS, store=store, reader=store)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await answer_and_submit(pilot, ANSWER)
        screen = await _score_view(pilot)
        result = screen.attempt.result
        assert result is not None
        await pilot.press("3", "c")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        if isinstance(pilot.app.screen, ConfirmScreen):
            await pilot.press("y")
    store.close()

    reopened = open_store(paths, bank_lookup=context.question)
    saved = reopened.unfinished_session()
    assert saved is not None
    (first,) = saved.history[(FIRST, "main")]
    assert dict(first.corrections) == {2: Verdict.COVERED}
    app = build_app(context, lambda: grader, settings=TWO_QUESTIONS, store=reopened)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        interview = getattr(pilot.app.screen, "interview", None)
        assert interview is not None
        summary = summarise(interview.session)
        assert summary.questions[0].main == corrected_score(result, {2: Verdict.COVERED})
    reopened.close()


def test_an_attempt_counts_its_corrections() -> None:
    from interviewer.core.result import KeyPointResult, ScoreResult

    points = [
        KeyPointResult(key_point=f"p{i}", coverage=c, verdict=v, evidence=None, similarity=c)
        for i, (c, v) in enumerate([(0.9, Verdict.COVERED), (0.1, Verdict.MISSING)])
    ]
    attempt = Attempt("text", 10.0, 1, ScoreResult(question="q", score=50, key_points=points))
    assert attempt.score == 50
    attempt.corrections[1] = Verdict.PARTIAL
    assert attempt.score == 70.0  # (0.9 + 0.5) / 2
    assert attempt.verdicts() == [Verdict.COVERED, Verdict.PARTIAL]
    assert Attempt("text", 1.0).score is None


async def test_the_quit_dialog_on_a_follow_up_names_the_follow_up(
    context: GradingContext, transcripts: SqliteTranscriptStore
) -> None:
    """Issue 16, bug 8: text typed for a follow-up is named as the follow-up's, not the question's."""
    from .helpers import type_answer

    grader = FixedGrader(context)
    app = build_app(context, lambda: grader, settings=ONE_QUESTION, store=transcripts)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await answer_and_submit(pilot, ANSWER)
        await _score_view(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await type_answer(pilot, "Thresholds from a baseline")
        await pilot.press("ctrl+q")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert "Follow-up · " in dialog.question
        await pilot.press("n")
