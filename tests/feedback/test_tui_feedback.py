"""LLM feedback in the interview app, from the real test server through the real `openai` client.

The score comes first and never waits for the LLM; feedback streams in under it; Esc stops it and
keeps what arrived; a hanging endpoint does not hold up the next question.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Markdown, Static

from interviewer.adapters.llm import LLMFeedback
from interviewer.core.feedback.config import LLMConfig
from interviewer.core.grading.embedding import HashingEmbedder
from interviewer.core.grading.grader import Grader
from interviewer.core.interview.session import InterviewSettings, Order
from interviewer.core.transcripts.memory_store import InMemoryAnswer, InMemoryTranscriptStore
from interviewer.paths import Paths
from interviewer.tui.app import InterviewApp, make_app
from interviewer.tui.config import AppDeps, AppSettings
from interviewer.tui.screens.question import QuestionScreen
from interviewer.tui.screens.score import ScoreScreen
from interviewer.tui.widgets.answer_editor import AnswerEditor
from interviewer.wiring import GradingContext, load_context
from tests.feedback.chat_server import ChatServer, Fault, Script

FIRST, SECOND = "circuit-breaker-pattern", "design-a-url-shortener"
ANSWER = "Closed, open and half-open states; it trips after repeated failures."


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> GradingContext:
    return load_context(Paths(tmp_path_factory.mktemp("home")))


def _app(
    context: GradingContext, writer: LLMFeedback, store: InMemoryTranscriptStore
) -> InterviewApp:
    grader = Grader(HashingEmbedder(), context.rubrics.rubrics, context.prompts(), context.params)
    deps = AppDeps(
        catalog=lambda: context.banks.banks,
        grader_factory=lambda: grader,
        store=store,
        feedback=writer,
        due_order=lambda ids: [i for i in (FIRST, SECOND) if i in ids],
        clock=lambda: 1000.0,
    )
    settings = InterviewSettings(count=2, order=Order.DUE)
    return make_app(AppSettings(interview=settings, start_directly=True), deps)


def _writer(server: ChatServer, timeout: float = 30) -> LLMFeedback:
    return LLMFeedback(LLMConfig(base_url=server.base_url, model="tiny-test", timeout=timeout))


async def _until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    """Waits for the app to reach a state (a guard against hanging, not a timing)."""
    for _ in range(400):
        if condition():
            return
        await pilot.pause(0.025)
    raise AssertionError(f"never happened: {what}")


async def _submit(pilot: Pilot[None], text: str) -> ScoreScreen:
    def editor_ready() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, QuestionScreen) and bool(screen.query(AnswerEditor))

    await _until(pilot, editor_ready, "a question with its editor")
    pilot.app.screen.query_one(AnswerEditor).insert(text)
    await pilot.press("ctrl+s")
    await _until(pilot, lambda: isinstance(pilot.app.screen, ScoreScreen), "the score view")
    screen = pilot.app.screen
    assert isinstance(screen, ScoreScreen)
    await _until(pilot, lambda: screen.attempt.result is not None, "a score")
    return screen


def _feedback(screen: ScoreScreen) -> str:
    return screen.query_one("#feedback", Markdown).source


def _stored(store: InMemoryTranscriptStore, number: int = 1) -> InMemoryAnswer:
    return store.answers[number]


async def test_feedback_streams_into_the_score_view(
    chat_server: ChatServer, context: GradingContext
) -> None:
    store = InMemoryTranscriptStore()
    async with _app(context, _writer(chat_server), store).run_test(size=(100, 40)) as pilot:
        screen = await _submit(pilot, ANSWER)
        await _until(pilot, lambda: "save_feedback" in store.calls, "feedback saved")
        await pilot.pause()
        assert _feedback(screen) == Script().reply
        headings = [str(h.render()) for h in screen.query("#feedback MarkdownH2")]
        assert headings == ["What went well", "What was missed or shaky", "How to improve"]
    answer = _stored(store)
    assert answer.feedback == Script().reply and answer.feedback_complete
    assert answer.feedback_error is None
    (sent,) = chat_server.chat_requests()
    assert ANSWER in sent.body["messages"][1]["content"]


async def test_esc_stops_feedback_and_keeps_what_arrived(
    chat_server: ChatServer, context: GradingContext
) -> None:
    chat_server.script.fault = Fault.HANG_MID_STREAM
    store = InMemoryTranscriptStore()
    async with _app(context, _writer(chat_server), store).run_test(size=(100, 40)) as pilot:
        screen = await _submit(pilot, ANSWER)
        partial = Script().reply[:36]  # three chunks of twelve characters, then silence
        await _until(pilot, lambda: _feedback(screen) == partial, "the first chunks")
        assert screen.feedback_running
        await pilot.press("escape")
        await _until(pilot, lambda: "save_feedback" in store.calls, "feedback saved")
        assert not screen.feedback_running
        assert "stopped by the user" in str(screen.query_one("#feedback-title", Static).render())
        assert _feedback(screen) == partial
    answer = _stored(store)
    assert answer.feedback == partial and not answer.feedback_complete
    assert answer.feedback_error == "stopped by the user"


async def test_a_fault_shows_one_line_and_the_session_goes_on(
    chat_server: ChatServer, context: GradingContext
) -> None:
    chat_server.script.fault, chat_server.script.fault_times = Fault.CUT, 1
    store = InMemoryTranscriptStore()
    async with _app(context, _writer(chat_server), store).run_test(size=(100, 40)) as pilot:
        screen = await _submit(pilot, ANSWER)
        await _until(pilot, lambda: "save_feedback" in store.calls, "feedback saved")
        title = str(screen.query_one("#feedback-title", Static).render())
        assert "Feedback stopped: the stream stopped half way" in title
        await pilot.press("enter")
        await _submit(pilot, "It falls back to a cached value.")
        await _until(pilot, lambda: store.calls.count("save_feedback") == 2, "second feedback")
    first, second = _stored(store, 1), _stored(store, 2)
    assert first.feedback == Script().reply[:36] and not first.feedback_complete
    assert first.feedback_error is not None and "stopped half way" in first.feedback_error
    assert second.feedback == Script().reply and second.feedback_complete


async def test_a_hanging_endpoint_does_not_block_the_next_question(
    chat_server: ChatServer, context: GradingContext
) -> None:
    chat_server.script.fault, chat_server.script.fault_times = Fault.HANG, 1
    store = InMemoryTranscriptStore()
    async with _app(context, _writer(chat_server, timeout=60), store).run_test(
        size=(100, 40)
    ) as pilot:
        screen = await _submit(pilot, ANSWER)  # the score is there while the LLM says nothing
        assert screen.feedback_running and _feedback(screen) == ""
        await pilot.press("enter")
        follow_up = await _submit(pilot, "It falls back to a cached value.")
        assert follow_up is not screen
        await _until(pilot, lambda: _feedback(follow_up) == Script().reply, "the next feedback")
        await asyncio.sleep(0)
    first = _stored(store, 1)
    assert first.feedback == "" and not first.feedback_complete  # the hung one, stopped
    assert _stored(store, 2).feedback == Script().reply
