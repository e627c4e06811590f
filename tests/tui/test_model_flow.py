"""The whole interview with the real packaged model: a strong and a weak answer are told apart."""

from __future__ import annotations

import pytest
from textual.widgets import Markdown, Static

from interviewer.core.grading.grader import Grader
from interviewer.core.result import Verdict
from interviewer.core.transcripts.memory_store import InMemoryTranscriptStore
from interviewer.tui.screens.question import QuestionScreen
from interviewer.tui.screens.score import ScoreScreen
from interviewer.tui.screens.summary import SummaryScreen
from interviewer.wiring import GradingContext

from .conftest import FIRST, SECOND, build_app, labelled_answer
from .helpers import answer_and_submit, settle

FOLLOW_UP_ANSWER = (
    "I start from the dependency's production metrics: its normal error rate and p99 latency, and "
    "set the failure-rate threshold well above that noise, say 50 percent over a sliding window "
    "with a minimum number of calls. The open duration should match how long the service takes to "
    "recover. Then I validate the numbers with load tests and chaos experiments, alert on state "
    "transitions, and keep the thresholds in config so I can tune them without a redeploy."
)


@pytest.mark.model
async def test_strong_and_weak_answers_get_different_verdicts_through_the_tui(
    context: GradingContext, real_grader: Grader
) -> None:
    store = InMemoryTranscriptStore()
    app = build_app(context, lambda: real_grader, store=store)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # start with the defaults
        await answer_and_submit(pilot, labelled_answer(FIRST, "strong"))
        strong = pilot.app.screen
        assert isinstance(strong, ScoreScreen)
        strong_result = strong.attempt.result
        assert strong_result is not None
        assert "[1]" in str(strong.query_one("#answer-highlighted", Static).content)
        await pilot.press("m")
        await pilot.pause()
        assert "HALF-OPEN" in strong.query_one("#model-answer", Markdown).source

        await pilot.press("enter")
        follow_up = pilot.app.screen
        assert isinstance(follow_up, QuestionScreen)
        assert follow_up.step.key == (FIRST, "follow_up")
        await answer_and_submit(pilot, FOLLOW_UP_ANSWER)
        follow_up_score = pilot.app.screen
        assert isinstance(follow_up_score, ScoreScreen)
        follow_up_result = follow_up_score.attempt.result
        assert follow_up_result is not None and follow_up_result.part == "follow_up"

        await pilot.press("enter")
        await answer_and_submit(pilot, labelled_answer(SECOND, "off-topic"))
        weak = pilot.app.screen
        assert isinstance(weak, ScoreScreen)
        weak_result = weak.attempt.result
        assert weak_result is not None
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SummaryScreen)

    strong_verdicts = [p.verdict for p in strong_result.key_points]
    weak_verdicts = [p.verdict for p in weak_result.key_points]
    assert strong_verdicts.count(Verdict.COVERED) >= 2
    assert strong_verdicts.count(Verdict.COVERED) > weak_verdicts.count(Verdict.COVERED)
    assert weak_verdicts.count(Verdict.MISSING) >= 2
    assert strong_result.score >= weak_result.score + 25
    assert Verdict.COVERED in [p.verdict for p in follow_up_result.key_points]
    assert [a.result is not None for a in store.answers.values()] == [True, True, True]
