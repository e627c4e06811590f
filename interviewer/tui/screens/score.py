"""The score view: the score first, then the answer with its evidence, the model answer on demand,
and LLM feedback streaming in underneath when it is configured.

Scoring runs in an app worker (so a result is recorded even if the user moves on); this screen only
shows it. Feedback streams in a worker of this screen: Esc stops it, and what arrived is kept.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Markdown, Static

from interviewer.core.feedback.prompt import feedback_request
from interviewer.core.ports import FeedbackEventKind
from interviewer.core.result import Part
from interviewer.tui.config import FEEDBACK_OFF
from interviewer.tui.messages import ContinueChosen, RetryChosen, ScoreArrived
from interviewer.tui.screens.base import InterviewScreen
from interviewer.tui.widgets.score_card import ScoreCard
from interviewer.tui.widgets.status import StatusBar
from interviewer.views.highlight import highlight_answer

if TYPE_CHECKING:
    from textual.widgets.markdown import MarkdownStream

    from interviewer.core.interview.session import Attempt, Step
    from interviewer.core.ports import FeedbackRequest, FeedbackWriter
    from interviewer.tui.run import InterviewRun


class ScoreScreen(InterviewScreen):
    HELP = """# Your score

The score is the share of the question's key points your answer covers, 0-100. Each key point has
a row: ✔ covered, ◐ partial, ✘ missing, with the grader's coverage from 0 to 1. In your answer, the
sentence that supports a point is highlighted in that point's colour and marked with its number.

- **m** shows the model answer (Markdown, diagrams and code as in the bank).
- **r** answers the same question again, starting from what you wrote.
- **Enter** moves on: to the follow-up, or to the next question.
- **Esc** stops LLM feedback while it streams; what arrived is kept.
"""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "m",
            "toggle_model_answer",
            "Model answer",
            id="score.model_answer",
            tooltip="Show or hide the model answer.",
        ),
        Binding("r", "retry", "Retry", id="score.retry", tooltip="Answer this question again."),
        Binding(
            "enter",
            "next",
            "Continue",
            id="score.continue",
            tooltip="On to the follow-up or the next question.",
        ),
        Binding(
            "n",
            "next",
            "Continue",
            id="score.continue_n",
            show=False,
            tooltip="On to the follow-up or the next question.",
        ),
        Binding(
            "escape",
            "cancel_feedback",
            "Stop feedback",
            id="score.cancel_feedback",
            tooltip="Stop the LLM feedback; what arrived is kept.",
        ),
    ]

    def __init__(
        self,
        run: InterviewRun,
        step: Step,
        attempt: Attempt,
        feedback: FeedbackWriter | None = None,
    ) -> None:
        super().__init__()
        self.interview = run
        self.step = step
        self.attempt = attempt
        self.feedback = feedback
        self.result_shown = False
        self.feedback_running = False
        self._feedback_text: list[str] = []

    def compose(self) -> ComposeResult:
        step, question = self.step, self.step.question
        part = " · follow-up" if step.part is Part.FOLLOW_UP else ""
        yield Static(f"{step.progress} · {question.title}{part}", id="score-meta", markup=False)
        with VerticalScroll(id="score-body"):
            yield ScoreCard(id="score-card")
            yield Static("Your answer", classes="section-title")
            yield Static(Content(self.attempt.text), id="answer-highlighted")
            yield Static("Model answer", classes="section-title", id="model-answer-title")
            yield Vertical(id="model-answer-box")  # the Markdown is mounted when first shown
            yield Static("Feedback", classes="section-title", id="feedback-title")
            if self.feedback is None:
                yield Static(FEEDBACK_OFF, id="feedback-off", markup=False)
            else:
                yield Markdown("", id="feedback")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        for selector in ("#model-answer-title", "#model-answer-box"):
            self.query_one(selector).display = False
        self.query_one("#score-body").focus()
        if self.attempt.result is not None or self.attempt.unscored is not None:
            self.show_result()

    def on_score_arrived(self, message: ScoreArrived) -> None:
        if message.attempt is self.attempt and not self.result_shown:
            self.show_result()

    def show_result(self) -> None:
        """Shows the score when the scoring worker reports (or at mount if it already has), then
        starts the feedback."""
        self.result_shown = True
        card = self.query_one(ScoreCard)
        result = self.attempt.result
        if result is None:
            card.show_unscored(self.attempt.unscored or "no score")
            return
        card.show(result)
        self.query_one("#answer-highlighted", Static).update(
            highlight_answer(self.attempt.text, result.key_points)
        )
        writer = self.feedback
        if writer is not None:
            request = feedback_request(self.step.question, self.attempt.text, result)
            self.stream_feedback(writer, request)

    # -- actions ----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_feedback":
            return self.feedback_running
        return True

    async def action_toggle_model_answer(self) -> None:
        box = self.query_one("#model-answer-box")
        shown = not box.display
        if shown and not box.children:  # long answers make many widgets: build them on demand
            text = self.step.question.answer or "*No model answer in the bank.*"
            await box.mount(Markdown(text, id="model-answer"))
        for selector in ("#model-answer-title", "#model-answer-box"):
            self.query_one(selector).display = shown
        if shown:
            self.query_one("#model-answer-title").scroll_visible(top=True)

    def action_retry(self) -> None:
        self.post_message(RetryChosen(self))

    def action_next(self) -> None:
        self.post_message(ContinueChosen(self))

    def action_cancel_feedback(self) -> None:
        self.workers.cancel_group(self, "feedback")

    # -- feedback ---------------------------------------------------------------------------------
    @work(exclusive=True, group="feedback", exit_on_error=False, description="LLM feedback")
    async def stream_feedback(self, writer: FeedbackWriter, request: FeedbackRequest) -> None:
        self._set_feedback_running(True)
        stream = Markdown.get_stream(self.query_one("#feedback", Markdown))
        try:
            complete, error = await self._pump(writer, request, stream)
        except asyncio.CancelledError:
            self._finish_feedback(writer, complete=False, error="stopped by the user")
            raise
        await stream.stop()
        self._finish_feedback(writer, complete=complete, error=error)

    async def _pump(
        self, writer: FeedbackWriter, request: FeedbackRequest, stream: MarkdownStream
    ) -> tuple[bool, str | None]:
        async for event in writer.stream(request):
            if event.kind is FeedbackEventKind.CHUNK:
                self._feedback_text.append(event.text)
                await stream.write(event.text)
            elif event.kind is FeedbackEventKind.DONE:
                return True, None
            else:
                return False, event.text or "feedback failed"
        return True, None

    def _finish_feedback(
        self, writer: FeedbackWriter, *, complete: bool, error: str | None
    ) -> None:
        self._set_feedback_running(False)
        text = "".join(self._feedback_text)
        self.interview.save_feedback(self.attempt, text, complete, writer.description, error)
        if error is not None and self.is_attached:
            self.query_one("#feedback-title", Static).update(
                Content.assemble("Feedback ", (f"({error})", "$warning"))
            )

    def _set_feedback_running(self, running: bool) -> None:
        self.feedback_running = running
        self.refresh_bindings()
