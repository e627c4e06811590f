"""A follow-up its bank gives no key points (a user's own bank) is asked, kept, and shown as
practice on the score card, not as a failure."""

from __future__ import annotations

from textual.widgets import Static

from interviewer.core.grading.embedding import HashingEmbedder
from interviewer.core.grading.grader import Grader
from interviewer.core.transcripts.memory_store import InMemoryTranscriptStore
from interviewer.tui.screens.score import ScoreScreen
from interviewer.wiring import GradingContext

from .conftest import build_app
from .helpers import answer_and_submit, settle


async def test_a_follow_up_with_no_key_points_says_practice(
    context: GradingContext, store: InMemoryTranscriptStore
) -> None:
    rubrics = {
        q: r.model_copy(update={"follow_up": None}) for q, r in context.rubrics.rubrics.items()
    }
    grader = Grader(HashingEmbedder(), rubrics, context.prompts(), context.params)
    app = build_app(context, lambda: grader, store=store, start_directly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await answer_and_submit(pilot, "Closed, open and half-open states, with a fallback.")
        await pilot.press("enter")
        await pilot.pause()
        await answer_and_submit(pilot, "I would start from the error budget.")
        screen = pilot.app.screen
        assert isinstance(screen, ScoreScreen)
        overall = str(screen.query_one("#score-overall", Static).content)
        assert overall.startswith("Practice: ")
        assert "for practice and is not graded" in overall
        assert "Not scored" not in overall
        assert not screen.query_one("#score-points").display
    assert store.answers[1].result is not None  # the main part was graded
    assert store.answers[2].text == "I would start from the error budget."
    assert store.answers[2].result is None
