"""The interview flow driven by the keyboard, on the fast hashing grader (flow, not quality)."""

from __future__ import annotations

from textual.widgets import Markdown, Static

from interviewer.core.grading.grader import Grader
from interviewer.core.transcripts.memory_store import InMemoryTranscriptStore
from interviewer.tui.app import InterviewApp
from interviewer.tui.screens.question import QuestionScreen
from interviewer.tui.screens.score import ScoreScreen
from interviewer.tui.screens.summary import SummaryScreen
from interviewer.tui.widgets.answer_editor import AnswerEditor
from interviewer.wiring import GradingContext

from .conftest import FIRST, SECOND, build_app, labelled_answer
from .helpers import answer_and_submit, screen_name, settle, type_answer


async def test_enter_on_the_start_screen_starts_with_the_defaults(
    fast_app: InterviewApp, store: InMemoryTranscriptStore
) -> None:
    async with fast_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert screen_name(pilot) == "StartScreen"
        await pilot.press("enter")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, QuestionScreen)
        assert screen.step.question.id == FIRST
        assert str(screen.query_one("#question-meta", Static).content).startswith("1/2 ·")
        assert screen.query_one(AnswerEditor).has_focus
    assert store.calls[0] == "start_session"
    assert store.sessions[1].question_ids == [FIRST, SECOND]


async def test_whole_interview_reaches_the_summary_and_stores_in_order(
    fast_app: InterviewApp, store: InMemoryTranscriptStore
) -> None:
    async with fast_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        for _ in range(3):  # the first question, its follow-up, the second (no follow-up)
            await answer_and_submit(pilot, labelled_answer(FIRST, "strong"))
            assert isinstance(pilot.app.screen, ScoreScreen)
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(pilot.app.screen, SummaryScreen)
        table = pilot.app.screen.query_one("#summary-questions")
        assert table.row_count == 2  # type: ignore[attr-defined]
    assert store.calls.count("submit_answer") == 3
    assert store.calls.count("save_score") == 3
    assert store.calls[-1] == "finish_session"
    for answer in store.answers.values():  # every stored answer was stored before its score
        assert answer.result is not None
    submits = [i for i, call in enumerate(store.calls) if call == "submit_answer"]
    scores = [i for i, call in enumerate(store.calls) if call == "save_score"]
    assert all(s < c for s, c in zip(submits, scores, strict=True))


async def test_enter_is_a_newline_and_every_submit_key_submits(
    context: GradingContext, hashing_grader: Grader
) -> None:
    app = build_app(context, lambda: hashing_grader, start_directly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"line one", "enter", *"line two")
        assert pilot.app.screen.query_one(AnswerEditor).text == "line one\nline two"
        for key in ("ctrl+s", "ctrl+j", "alt+enter"):
            await pilot.press(key)
            await settle(pilot)
            screen = pilot.app.screen
            assert isinstance(screen, ScoreScreen), key
            assert screen.attempt.text == "line one\nline two"
            await pilot.press("r")  # back to the same question, the answer kept
            await pilot.pause()
        attempts = app.interview.session.attempts[(FIRST, "main")]  # type: ignore[union-attr]
        assert len(attempts) == 3


async def test_an_empty_answer_is_not_submitted(fast_app: InterviewApp) -> None:
    async with fast_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "ctrl+s")
        await pilot.pause()
        assert screen_name(pilot) == "QuestionScreen"
        assert any("Nothing to submit" in n.message for n in pilot.app._notifications)


async def test_score_view_highlights_evidence_and_toggles_the_model_answer(
    fast_app: InterviewApp,
) -> None:
    async with fast_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await answer_and_submit(pilot, labelled_answer(FIRST, "strong"))
        screen = pilot.app.screen
        assert isinstance(screen, ScoreScreen)
        result = screen.attempt.result
        assert result is not None
        found = [p for p in result.key_points if p.evidence is not None]
        assert found, "the hashing grader finds some evidence in a strong answer"
        shown = screen.query_one("#answer-highlighted", Static).content
        assert "[1]" in str(shown) or "[2]" in str(shown) or "[3]" in str(shown)
        box = screen.query_one("#model-answer-box")
        assert not box.display
        await pilot.press("m")
        await pilot.pause()
        assert box.display
        assert "CircuitBreaker" in screen.query_one("#model-answer", Markdown).source
        await pilot.press("m")
        assert not box.display
        assert "feedback off" in str(screen.query_one("#feedback-off", Static).content)


async def test_retry_starts_from_the_previous_answer(fast_app: InterviewApp) -> None:
    async with fast_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await answer_and_submit(pilot, "Closed, open and half-open.")
        await pilot.press("r")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, QuestionScreen)
        assert screen.step.question.id == FIRST
        assert screen.query_one(AnswerEditor).text == "Closed, open and half-open."
        await answer_and_submit(pilot, " Failures over a threshold trip it.")
        score = pilot.app.screen
        assert isinstance(score, ScoreScreen)
        assert len(score.interview.session.attempts[(FIRST, "main")]) == 2


async def test_drafts_are_saved_after_a_pause_in_typing(
    fast_app: InterviewApp, store: InMemoryTranscriptStore
) -> None:
    async with fast_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await type_answer(pilot, "a draft")
        await pilot.pause(fast_app.settings.draft_save_delay + 0.3)
    assert store.sessions[1].drafts[(FIRST, "main")] == "a draft"
