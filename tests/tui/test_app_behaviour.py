"""Quitting, resuming, the clock, help, the palette and failures: the app around the flow."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from textual.widgets import Button, Markdown, Static

from interviewer.core.grading.grader import Grader
from interviewer.core.interview.session import InterviewSettings
from interviewer.core.ports import (
    FeedbackEvent,
    FeedbackEventKind,
    FeedbackRequest,
    TranscriptError,
    TranscriptReader,
)
from interviewer.core.result import Part, ScoreResult
from interviewer.core.rubric.schema import RubricMissing
from interviewer.core.transcripts.memory_store import InMemoryTranscriptStore
from interviewer.paths import Paths
from interviewer.tui.app import InterviewApp
from interviewer.tui.grader_handle import ModelState
from interviewer.tui.screens.dialogs import ConfirmScreen, HelpScreen
from interviewer.tui.screens.progress import ProgressScreen
from interviewer.tui.screens.question import QuestionScreen
from interviewer.tui.screens.review import ReviewScreen
from interviewer.tui.screens.score import ScoreScreen
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.widgets.answer_editor import AnswerEditor
from interviewer.wiring import GradingContext

from .conftest import FIRST, SECOND, TWO_QUESTIONS, SlowFactory, build_app
from .helpers import answer_and_submit, screen_name, settle, type_answer


async def test_quit_asks_when_an_answer_is_not_submitted_and_keeps_the_draft(
    context: GradingContext, hashing_grader: Grader, store: InMemoryTranscriptStore
) -> None:
    app = build_app(context, lambda: hashing_grader, store=store, start_directly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await type_answer(pilot, "half an answer")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(pilot.app.screen, QuestionScreen)
        assert pilot.app.screen.query_one(AnswerEditor).text == "half an answer"
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0
    assert store.sessions[1].drafts[(FIRST, "main")] == "half an answer"  # flushed before asking


async def test_quit_without_typed_text_asks_too(fast_app: InterviewApp) -> None:
    app = fast_app  # the start screen: help says ctrl+q asks first, and so it does (issue 16)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0


async def test_resume_restores_answers_and_drafts(
    context: GradingContext, hashing_grader: Grader, store: InMemoryTranscriptStore
) -> None:
    session = store.start_session(
        "architecture-system-design", [FIRST, SECOND], TWO_QUESTIONS.as_dict()
    )
    store.submit_answer(session, FIRST, "main", "an earlier answer", 30.0)
    store.save_draft(session, FIRST, "follow_up", "thresholds from p99 latency")
    app = build_app(context, lambda: hashing_grader, store=store)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        resume = pilot.app.screen.query_one("#resume", Button)
        assert resume.display
        assert "1/2 answered" in str(resume.label)
        await pilot.press("ctrl+r")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, QuestionScreen)
        assert screen.step.key == (FIRST, "follow_up")
        assert screen.query_one(AnswerEditor).text == "thresholds from p99 latency"
        await answer_and_submit(pilot, " and load tests.")
    assert store.calls.count("start_session") == 1  # resumed, not restarted
    last = store.answers[max(store.answers)]
    assert (last.session_id, last.part) == (session, "follow_up")
    assert last.text == "thresholds from p99 latency and load tests."


async def test_the_countdown_warns_but_keeps_the_answer(
    context: GradingContext, hashing_grader: Grader
) -> None:
    now = [1000.0]
    app = build_app(
        context,
        lambda: hashing_grader,
        settings=InterviewSettings(count=2, order=TWO_QUESTIONS.order, time_limit=60),
        start_directly=True,
        clock=lambda: now[0],
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        countdown = pilot.app.screen.query_one("#countdown", Static)
        assert str(countdown.content) == "1:00 left"
        await type_answer(pilot, "still typing")
        now[0] += 75
        await pilot.pause(1.2)  # the countdown ticks every second
        assert str(countdown.content) == "0:15 over time"
        assert countdown.has_class("-overtime")
        assert any("Time is up" in n.message for n in pilot.app._notifications)
        assert pilot.app.screen.query_one(AnswerEditor).text == "still typing"
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ScoreScreen)
        assert screen.attempt.seconds == 75.0


async def test_f1_shows_help_for_the_screen_with_its_keys(fast_app: InterviewApp) -> None:
    async with fast_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "f1")
        await pilot.pause()
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        source = help_screen.query_one(Markdown).source
        assert "Answer the question" in source
        assert "Submit the answer for scoring." in source
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(pilot) == "QuestionScreen"


async def test_palette_offers_our_commands(fast_app: InterviewApp) -> None:
    async with fast_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        titles = [c.title for c in pilot.app.get_system_commands(pilot.app.screen)]
        assert {"New interview", "Toggle model answer", "Theme"} <= set(titles)
        assert not {"Review transcripts", "Progress"} & set(titles)  # no transcripts to read


async def test_new_interview_from_a_question_asks_then_returns_to_start(
    fast_app: InterviewApp,
) -> None:
    async with fast_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await type_answer(pilot, "something")
        assert isinstance(pilot.app, InterviewApp)
        pilot.app.new_interview()
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, StartScreen)
        assert screen.query_one("#resume").display  # the abandoned interview can be resumed


async def test_first_screen_is_up_while_the_model_still_loads(
    context: GradingContext, slow_factory: SlowFactory
) -> None:
    app = build_app(context, slow_factory)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert slow_factory.started.wait(5)
        assert isinstance(pilot.app.screen, StartScreen)
        assert app.model_state is ModelState.LOADING
        state = str(pilot.app.screen.query_one("#model-state", Static).content)
        assert "loading" in state
        await pilot.press("enter")  # the user can start and type while the model loads
        await type_answer(pilot, "Closed, open and half-open states.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, ScoreScreen)
        assert screen.attempt.result is None  # scoring waits for the model
        slow_factory.release.set()
        await settle(pilot)
        assert app.model_state is ModelState.READY
        assert screen.attempt.result is not None


async def test_a_model_that_fails_to_load_still_keeps_answers(
    context: GradingContext, store: InMemoryTranscriptStore
) -> None:
    def broken() -> Grader:
        raise FileNotFoundError("embedding model folder not found: /nowhere")

    app = build_app(context, broken, store=store, start_directly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert app.model_state is ModelState.FAILED
        await answer_and_submit(pilot, "my answer")
        screen = pilot.app.screen
        assert isinstance(screen, ScoreScreen)
        overall = str(screen.query_one("#score-overall", Static).content)
        assert overall.startswith("Not scored")
        assert "/nowhere" in overall
    assert [a.text for a in store.answers.values()] == ["my answer"]


@dataclass
class FollowUpWithoutRubric:
    """Wraps a grader whose rubrics lack follow-ups (as a user's own bank might)."""

    inner: Grader

    def score(self, question: str, answer: str, part: Part = Part.MAIN) -> ScoreResult:
        if part == Part.FOLLOW_UP:
            raise RubricMissing(f"rubric {question} has no part 'follow_up'")
        return self.inner.score(question, answer, part)


async def test_a_follow_up_without_a_rubric_is_asked_but_not_scored(
    context: GradingContext, hashing_grader: Grader, store: InMemoryTranscriptStore
) -> None:
    app = build_app(
        context, lambda: FollowUpWithoutRubric(hashing_grader), store=store, start_directly=True
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await answer_and_submit(pilot, "main answer")
        await pilot.press("enter")
        await pilot.pause()
        await answer_and_submit(pilot, "follow-up answer")
        screen = pilot.app.screen
        assert isinstance(screen, ScoreScreen)
        assert "no rubric" in str(screen.query_one("#score-overall", Static).content)
    assert store.answers[2].text == "follow-up answer"
    assert store.answers[2].result is None


@dataclass
class ScriptedFeedback:
    """A FeedbackWriter that yields fixed events; `hold` keeps the stream open until cancelled."""

    events: list[FeedbackEvent]
    hold: bool = False
    requests: list[FeedbackRequest] = field(default_factory=list)

    @property
    def description(self) -> str:
        return "scripted"

    async def stream(self, request: FeedbackRequest) -> AsyncIterator[FeedbackEvent]:
        import asyncio

        self.requests.append(request)
        for event in self.events:
            yield event
        if self.hold:
            await asyncio.Event().wait()


async def test_feedback_streams_into_the_score_view_after_the_score(
    context: GradingContext, hashing_grader: Grader, store: InMemoryTranscriptStore
) -> None:
    chunk = FeedbackEventKind.CHUNK
    writer = ScriptedFeedback(
        [
            FeedbackEvent(chunk, "**Good** on states. "),
            FeedbackEvent(chunk, "Add fallbacks."),
            FeedbackEvent(FeedbackEventKind.DONE),
        ]
    )
    app = build_app(
        context, lambda: hashing_grader, store=store, feedback=writer, start_directly=True
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await answer_and_submit(pilot, "Closed, open and half-open states.")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ScoreScreen)
        assert screen.query_one("#feedback", Markdown).source == (
            "**Good** on states. Add fallbacks."
        )
    assert writer.requests[0].result.question == FIRST
    saved = store.answers[1]
    assert (saved.feedback, saved.feedback_complete) == ("**Good** on states. Add fallbacks.", True)


async def test_escape_stops_feedback_and_keeps_what_arrived(
    context: GradingContext, hashing_grader: Grader, store: InMemoryTranscriptStore
) -> None:
    writer = ScriptedFeedback([FeedbackEvent(FeedbackEventKind.CHUNK, "Partial ")], hold=True)
    app = build_app(
        context, lambda: hashing_grader, store=store, feedback=writer, start_directly=True
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await type_answer(pilot, "Closed, open and half-open states.")
        await pilot.press("ctrl+s")
        for _ in range(20):
            await pilot.pause(0.05)
            screen = pilot.app.screen
            if isinstance(screen, ScoreScreen) and screen.feedback_running:
                break
        assert isinstance(screen, ScoreScreen) and screen.feedback_running
        assert screen.attempt.result is not None  # the score is there before feedback ends
        await pilot.press("escape")
        await settle(pilot)
        assert not screen.feedback_running
        assert "stopped" in str(screen.query_one("#feedback-title", Static).content)
    saved = store.answers[1]
    assert (saved.feedback, saved.feedback_complete) == ("Partial ", False)
    assert saved.feedback_error == "stopped by the user"


async def test_f4_without_a_real_terminal_says_so(fast_app: InterviewApp) -> None:
    async with fast_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await type_answer(pilot, "kept")
        await pilot.press("f4")
        await pilot.pause()
        assert any("cannot hand over" in n.message for n in pilot.app._notifications)
        assert pilot.app.screen.query_one(AnswerEditor).text == "kept"


async def test_palette_opens_review_and_progress_over_the_transcripts(
    context: GradingContext, hashing_grader: Grader, tmp_path: Path
) -> None:
    from interviewer.adapters.store.sqlite import open_store

    store = open_store(Paths(tmp_path / "home"), bank_lookup=context.question)
    app = build_app(context, lambda: hashing_grader, store=store, reader=store)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        commands = {c.title: c for c in pilot.app.get_system_commands(pilot.app.screen)}
        for title, screen_type in (
            ("Review transcripts", ReviewScreen),
            ("Progress", ProgressScreen),
        ):
            commands[title].callback()
            await settle(pilot)
            assert isinstance(pilot.app.screen, screen_type)
            pilot.app.pop_screen()
            await pilot.pause()
        assert isinstance(pilot.app.screen, StartScreen)
    store.close()


async def test_a_reader_that_cannot_open_is_reported_not_raised(fast_app: InterviewApp) -> None:
    def broken() -> TranscriptReader:
        raise TranscriptError("database is locked", "locked")

    fast_app.deps.open_reader = broken
    async with fast_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        commands = {c.title: c for c in pilot.app.get_system_commands(pilot.app.screen)}
        commands["Review transcripts"].callback()
        await pilot.pause()
        assert isinstance(pilot.app.screen, StartScreen)
        assert any("database is locked" in n.message for n in pilot.app._notifications)


async def test_a_direct_start_that_matches_nothing_opens_the_start_screen(
    context: GradingContext, hashing_grader: Grader
) -> None:
    settings = InterviewSettings(categories=("No such category",))
    app = build_app(context, lambda: hashing_grader, settings=settings, start_directly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, StartScreen)
        assert pilot.app.screen.query_one("#start").has_focus
        assert any("No question matches" in n.message for n in pilot.app._notifications)
