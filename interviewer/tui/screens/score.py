"""The score view: the score first (it stays in view), then the answer with its evidence and what a
strong answer says for each point missed, the model answer beside it on demand, and LLM feedback
streaming in underneath when it is configured. A key point's verdict can be corrected here (1-9
picks the point; c, p, x mark it), stored exactly like a correction made in Review.

Scoring runs in an app worker (so a result is recorded even if the user moves on); this screen only
shows it. Feedback streams in a worker of this screen: Esc stops it, and what arrived is kept.

With `[llm] second_opinion` or `judge = "llm"`, the LLM's own per-key-point verdicts are asked in
another worker once the local score is shown (Esc stops it too) and appear beside the local ones;
with the LLM as the judge they set the score shown and stored (the feedback waits for them, so it
speaks of that score). A failure is one line; the local score stands.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Markdown, Static

from interviewer.core.feedback.judge import Judge, judged_by_llm, with_second_opinion
from interviewer.core.feedback.prompt import feedback_request
from interviewer.core.ports import FeedbackEventKind, OpinionFailure, TranscriptError
from interviewer.core.result import Verdict
from interviewer.core.safe_text import StreamCleaner, clean, one_line
from interviewer.tui.config import FEEDBACK_OFF, JUDGE_OFF
from interviewer.tui.messages import ContinueChosen, RetryChosen, ScoreArrived
from interviewer.tui.screens.base import InterviewScreen
from interviewer.tui.widgets.score_card import ScoreCard, StrongAnswer
from interviewer.tui.widgets.status import StatusBar
from interviewer.views.highlight import highlight_answer

if TYPE_CHECKING:
    from textual.widgets.markdown import MarkdownStream

    from interviewer.core.interview.session import Attempt, Step
    from interviewer.core.ports import (
        FeedbackRequest,
        FeedbackWriter,
        KeyPointOpinion,
        SecondOpinionSource,
        TranscriptReader,
    )
    from interviewer.core.result import ScoreResult
    from interviewer.tui.run import InterviewRun

# Opens the transcript reader that stores corrections (None when there is none to open).
ReaderOpener = Callable[[], "TranscriptReader | None"]


class ScoreScreen(InterviewScreen):
    HELP = """# Your score

Each key point of the question has a row: ✔ covered, ◐ partial, ✘ missing (✗ stated incorrectly: the
verifier read it as contradicting what the rubric says), with the grader's
coverage from 0 to 1. The score, 0-100, is that coverage averaged over the key points (weighted by
each point's weight), so three points covered at 0.8 score 80; "2½ of 3 points" beside it counts
✔ as 1 and ◐ as ½. It measures how much of what a strong answer says yours says, not whether it is
correct. In your answer, the sentence that supports a point is highlighted in that point's colour
and marked with its number. Under it, each missed or partial point shows what a strong answer says.

- **m** shows the model answer beside yours (Markdown, diagrams and code as in the bank); the
  score stays in view.
- **1**-**9** picks a key point; **c**, **p**, **x** mark it covered, partial or missing when you
  disagree with the grader (shown with ✎). The correction is stored as in Review and feeds
  `interviewer eval --from-transcripts`.
- **r** answers the same question again, starting from what you wrote; the next score shows the
  change.
- **Enter** moves on: to the follow-up, or to the next question.
- **Esc** stops LLM feedback while it streams; what arrived is kept. It also stops the LLM's
  verdicts while they are asked (`[llm] second_opinion`, or `judge = "llm"`): they show beside
  each key point as "LLM: partial" (or, with the LLM as the judge, the local grader's as
  "local: covered"), and with the LLM as the judge they set the score.
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
            "c",
            "correct('covered')",
            "Covered",
            id="score.covered",
            tooltip="Mark the chosen key point covered.",
            show=False,
        ),
        Binding(
            "p",
            "correct('partial')",
            "Partial",
            id="score.partial",
            tooltip="Mark the chosen key point partial.",
            show=False,
        ),
        Binding(
            "x",
            "correct('missing')",
            "Missing",
            id="score.missing",
            tooltip="Mark the chosen key point missing.",
            show=False,
        ),
        *(
            Binding(str(n), f"pick({n - 1})", f"Key point {n}", show=False, id=f"score.pick{n}")
            for n in range(1, 10)
        ),
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
            "Stop LLM",
            id="score.cancel_feedback",
            tooltip="Stop the LLM feedback (what arrived is kept) and its verdicts.",
        ),
    ]

    def __init__(
        self,
        run: InterviewRun,
        step: Step,
        attempt: Attempt,
        feedback: FeedbackWriter | None = None,
        open_reader: ReaderOpener | None = None,
        *,
        opinions: SecondOpinionSource | None = None,
        judge: str = Judge.LOCAL,
    ) -> None:
        super().__init__()
        self.interview = run
        self.step = step
        self.attempt = attempt
        self.feedback = feedback
        self.open_reader = open_reader
        self.opinions = opinions
        self.judge_llm = judge == Judge.LLM
        self.result_shown = False
        self.feedback_running = False
        self.opinion_running = False
        self._feedback_text: list[str] = []

    def compose(self) -> ComposeResult:
        step, question = self.step, self.step.question
        # step.progress says "· follow-up" already: once is enough
        yield Static(one_line(f"{step.progress} · {question.title}"), id="score-meta", markup=False)
        with VerticalScroll(id="score-top"):
            yield ScoreCard(id="score-card")
        with Horizontal(id="score-split"):
            with VerticalScroll(id="score-body"):
                yield Static("Your answer", classes="section-title", id="answer-title")
                yield Static(Content(clean(self.attempt.text)), id="answer-highlighted")
                yield Static(
                    "What a strong answer says", classes="section-title", id="strong-title"
                )
                yield StrongAnswer(id="strong-answer")
                yield Static("Feedback", classes="section-title", id="feedback-title")
                if self.feedback is None:
                    yield Static(FEEDBACK_OFF, id="feedback-off", markup=False)
                else:
                    yield Markdown("", id="feedback")
            with VerticalScroll(id="model-pane"):
                yield Static("Model answer", classes="section-title", id="model-answer-title")
                yield Vertical(id="model-answer-box")  # the Markdown is mounted when first shown
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        for selector in ("#model-pane", "#model-answer-title", "#model-answer-box"):
            self.query_one(selector).display = False
        for selector in ("#strong-title", "#strong-answer"):
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
        retried, previous = self.previous_attempt()
        card.corrections = dict(self.attempt.corrections)
        card.show(result, retried=retried, previous=previous, hint=self._correction_hint(result))
        self.query_one("#answer-highlighted", Static).update(
            highlight_answer(self.attempt.text, result.key_points)
        )
        self._show_strong_answer()
        self.refresh_bindings()
        if self.opinions is not None and result.key_points:
            self.ask_opinion(self.opinions, result)
            if self.judge_llm:
                return  # the feedback waits for the verdicts that set the score
        elif self.judge_llm and result.key_points:
            card.note_opinion(JUDGE_OFF, failed=True)
        self._start_feedback()

    def _start_feedback(self) -> None:
        writer, result = self.feedback, self.attempt.result
        if writer is not None and result is not None and self.is_attached:
            request = feedback_request(self.step.question, self.attempt.text, result)
            self.stream_feedback(writer, request)

    def previous_attempt(self) -> tuple[bool, ScoreResult | None]:
        """Whether this answer is a retry, and the score of the attempt before it (None when that
        one was not scored)."""
        attempts = self.interview.session.attempts.get(self.step.key, [])
        index = next((i for i, a in enumerate(attempts) if a is self.attempt), -1)
        if index <= 0:
            return False, None
        return True, attempts[index - 1].result

    def _show_strong_answer(self) -> None:
        result = self.attempt.result
        if result is None:
            return
        strong = self.query_one(StrongAnswer)
        strong.show(result, self.query_one(ScoreCard).corrections)
        self.query_one("#strong-title").display = strong.display

    def _can_correct(self) -> bool:
        result = self.attempt.result
        return (
            self.open_reader is not None
            and self.attempt.answer_id is not None
            and result is not None
            and bool(result.key_points)
        )

    def _correction_hint(self, result: ScoreResult) -> str:
        if not self._can_correct():
            return ""
        last = min(len(result.key_points), 9)
        picks = "1 picks it" if last == 1 else f"1-{last} picks a point"
        return f"Disagree? {picks}, c/p/x marks it ✔/◐/✘ (saved as a correction)."

    # -- actions ----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_feedback":
            return self.feedback_running or self.opinion_running
        if action in ("correct", "pick"):
            return self._can_correct()
        return True

    async def action_toggle_model_answer(self) -> None:
        pane = self.query_one("#model-pane")
        box = self.query_one("#model-answer-box")
        shown = not pane.display
        if shown and not box.children:  # long answers make many widgets: build them on demand
            text = self.step.question.answer or "*No model answer in the bank.*"
            await box.mount(Markdown(clean(text), id="model-answer"))
        for selector in ("#model-pane", "#model-answer-title", "#model-answer-box"):
            self.query_one(selector).display = shown
        self.set_class(shown, "-model-answer")
        if shown:
            self.query_one("#model-pane").scroll_home(animate=False)

    def action_pick(self, index: int) -> None:
        self.query_one(ScoreCard).select(index)

    def action_correct(self, verdict: str) -> None:
        """Stores the user's verdict for the chosen key point, as Review does."""
        card = self.query_one(ScoreCard)
        answer_id = self.attempt.answer_id
        reader = self.open_reader() if self.open_reader is not None else None
        if reader is None or answer_id is None or card.result is None:
            self.notify(
                "This answer is not in the transcripts: nothing to correct.", severity="error"
            )
            return
        index = card.selected
        try:
            correction = reader.correct_verdict(answer_id, index, verdict)
        except (TranscriptError, ValueError) as error:
            self.notify(one_line(str(error)), severity="error", markup=False)
            return
        chosen = Verdict(correction.verdict)
        self.attempt.corrections[index] = chosen  # the summary counts it, as review does
        card.correct(index, chosen)
        self._show_strong_answer()
        self.notify(f"Key point {index + 1} marked {chosen.value}.")

    def action_retry(self) -> None:
        self.post_message(RetryChosen(self))

    def action_next(self) -> None:
        self.post_message(ContinueChosen(self))

    def action_cancel_feedback(self) -> None:
        self.workers.cancel_group(self, "opinion")
        self.workers.cancel_group(self, "feedback")

    # -- the LLM's verdicts -----------------------------------------------------------------------
    @work(exclusive=True, group="opinion", exit_on_error=False, description="LLM verdicts")
    async def ask_opinion(self, source: SecondOpinionSource, local: ScoreResult) -> None:
        """Asks the LLM for its per-key-point verdicts on the local result; shows them beside the
        local ones (or, with the LLM as the judge, lets them set the score). Never blocks the
        score: until they arrive, and if they fail, the local score is the one shown."""
        card = self.query_one(ScoreCard)
        asking = "the LLM is judging each key point" if self.judge_llm else "asking the LLM"
        card.note_opinion(f"LLM verdicts: {asking}… (Esc stops; the local score stands until then)")
        self._set_opinion_running(True)
        request = feedback_request(self.step.question, self.attempt.text, local)
        try:
            reply = await source.second_opinion(request)
        except asyncio.CancelledError:
            self._set_opinion_running(False)
            if self.is_attached:  # Esc; not moving on, which removes this screen
                card.note_opinion("LLM verdicts: stopped by the user; the local score stands")
            raise
        except Exception as error:  # the contract says never; a broken source still costs one line
            reply = OpinionFailure(f"unexpected {type(error).__name__}: {error}")
        self._set_opinion_running(False)
        self._opinion_arrived(local, reply)
        if self.judge_llm:
            self._start_feedback()

    def _opinion_arrived(
        self, local: ScoreResult, reply: list[KeyPointOpinion] | OpinionFailure
    ) -> None:
        card = self.query_one(ScoreCard)
        if isinstance(reply, OpinionFailure):
            card.note_opinion(f"LLM verdicts: {reply.message}; the local score stands", failed=True)
            return
        if self.attempt.result is not local:
            return  # scored again meanwhile: these verdicts were about another result
        try:
            shown = (
                judged_by_llm(local, reply) if self.judge_llm else with_second_opinion(local, reply)
            )
        except ValueError as error:  # a source that broke the one-per-key-point contract
            card.note_opinion(f"LLM verdicts: {error}; the local score stands", failed=True)
            return
        self.interview.record_score(self.attempt, shown)  # review, summary, exports show it
        card.note_opinion("")
        retried, previous = self.previous_attempt()
        card.show(shown, retried=retried, previous=previous, hint=card.hint)
        self._show_strong_answer()

    def _set_opinion_running(self, running: bool) -> None:
        self.opinion_running = running
        self.refresh_bindings()

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
        shown = StreamCleaner()  # LLM output is data: no terminal control reaches the screen
        async for event in writer.stream(request):
            if event.kind is FeedbackEventKind.CHUNK:
                self._feedback_text.append(event.text)
                await stream.write(shown.feed(event.text))
            elif event.kind is FeedbackEventKind.DONE:
                await stream.write(shown.flush())
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
                Content.assemble("Feedback ", (f"({one_line(error)})", "$warning"))
            )

    def _set_feedback_running(self, running: bool) -> None:
        self.feedback_running = running
        self.refresh_bindings()
