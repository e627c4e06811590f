"""The question screen: the prompt, the progress, an optional countdown and the answer editor.

Drafts go to the session on every keystroke and to the store after a pause in typing (and at once
on submit), so moving between screens, quitting or a kill right after submitting never loses text.
Time keeps counting past a limit: it only warns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Footer, Static, TextArea

from interviewer.core.result import Part
from interviewer.core.safe_text import clean, one_line
from interviewer.tui.messages import AnswerSubmitted, EndChosen, ShowAnswerChosen, SkipChosen
from interviewer.tui.screens.base import InterviewScreen
from interviewer.tui.widgets.answer_editor import AnswerEditor, edit_externally
from interviewer.tui.widgets.status import StatusBar

if TYPE_CHECKING:
    from interviewer.core.interview.session import Step
    from interviewer.tui.run import InterviewRun


def clock_text(seconds: float) -> str:
    seconds = abs(int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class QuestionScreen(InterviewScreen):
    HELP = """# Answer the question

Write as you would speak to an interviewer: explain, give trade-offs and examples. The grader looks
for the question's key points in what you write and shows where it found each one.

- **Enter** starts a new line. **ctrl+s** submits; so does **ctrl+j** (every terminal sends it)
  and **alt+enter** where the terminal reports it (kitty-protocol terminals; tmux does not).
- **F4** opens the answer in `$VISUAL`/`$EDITOR`; save and quit the editor to come back.
- The clock shows time spent, or time left when there is a limit. Running out only warns.
- Drafts are saved as you type; quitting asks first when an answer is not submitted.
- **F2** skips the question (and its follow-up); **F3** says "I don't know": it is recorded as
  your answer and the model answer is shown; **F8** ends the interview and goes to the summary.
"""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "submit",
            "Submit",
            id="question.submit",
            priority=True,
            tooltip="Submit the answer for scoring.",
        ),
        Binding(
            "ctrl+j", "submit", "Submit", id="question.submit_ctrl_j", show=False, priority=True
        ),
        Binding(
            "alt+enter",
            "submit",
            "Submit",
            id="question.submit_alt_enter",
            show=False,
            priority=True,
        ),
        Binding(
            "f4",
            "external_editor",
            "$EDITOR",
            id="question.editor",
            tooltip="Edit the answer in $VISUAL or $EDITOR.",
        ),
        Binding(
            "f2",
            "skip",
            "Skip",
            id="question.skip",
            tooltip="Skip this question (its follow-up too); the draft is kept.",
        ),
        Binding(
            "f3",
            "dont_know",
            "Don't know",
            id="question.dont_know",
            tooltip="I don't know: record that and show me the model answer.",
        ),
        Binding(
            "f8",
            "end_interview",
            "End now",
            id="question.end",
            show=False,  # in F1 help and the palette: the footer keeps F1 at 80 columns
            tooltip="End the interview now and go to the summary.",
        ),
    ]

    def __init__(
        self,
        run: InterviewRun,
        step: Step,
        clock: Callable[[], float],
        draft_save_delay: float,
    ) -> None:
        super().__init__()
        self.interview = run
        self.step = step
        self.clock = clock
        self.draft_save_delay = draft_save_delay
        self._save_timer: Timer | None = None
        self._warned = False

    def compose(self) -> ComposeResult:
        step, question = self.step, self.step.question
        follow_up = step.part is Part.FOLLOW_UP
        with Vertical(id="question-header"):
            with Horizontal(id="question-meta-row"):
                meta = f"{step.progress} · {question.category} · {question.difficulty.value}"
                yield Static(one_line(meta), id="question-meta", markup=False)
                yield Static("", id="countdown")
            title = f"Follow-up · {question.title}" if follow_up else question.title
            yield Static(one_line(title), id="question-title", markup=False)
            with VerticalScroll(id="question-prompt-box"):
                yield Static(clean(step.prompt), id="question-prompt", markup=False)
        yield AnswerEditor(self.interview.session.draft(step), id="answer")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.interview.session.start_clock(self.clock())
        self.query_one("#countdown").tooltip = "Time on this question (a limit only warns)."
        editor = self.query_one(AnswerEditor)
        editor.move_cursor(editor.document.end)  # a restored draft continues where it ended
        editor.focus()
        self._tick()
        self.set_interval(1.0, self._tick, name="countdown")

    def _tick(self) -> None:
        now = self.clock()
        countdown = self.query_one("#countdown", Static)
        remaining = self.interview.session.remaining(now)
        if remaining is None:
            countdown.update(
                f"time {clock_text(self.interview.session.seconds_on(self.step, now))}"
            )
            return
        over = remaining < 0
        countdown.update(f"{clock_text(remaining)} {'over time' if over else 'left'}")
        countdown.set_class(over, "-overtime")
        if over and not self._warned:
            self._warned = True
            self.notify(
                "Time is up for this question. Keep going or submit with ctrl+s; "
                "nothing you wrote is thrown away.",
                title="Time",
                severity="warning",
            )

    @on(TextArea.Changed, "#answer")
    def _draft_changed(self, event: TextArea.Changed) -> None:
        self.interview.session.set_draft(self.step, event.text_area.text)
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(self.draft_save_delay, self.save_draft, name="draft-save")

    def flush(self) -> None:
        self.save_draft()

    def save_draft(self) -> None:
        """Writes the current text to the store (also called before quitting or submitting)."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        text = self.query_one(AnswerEditor).text
        before = self.interview.saved_drafts.get(self.step.key)
        self.interview.save_draft(self.step, text)
        saved = self.interview.session_id is not None and self.interview.last_error is None
        if before != text and saved:
            self.query_one(StatusBar).note("draft saved")

    def action_submit(self) -> None:
        text = self.query_one(AnswerEditor).text
        if not text.strip():
            self.notify("Nothing to submit yet: type an answer first.", severity="warning")
            return
        # The text goes to disk now, not after the draft pause: killed before the app stores the
        # answer (a message away), the process still leaves it behind as this step's draft.
        self.save_draft()
        self.post_message(AnswerSubmitted(self, self.step, text))

    def action_skip(self) -> None:
        self.save_draft()
        self.post_message(SkipChosen(self, self.step))

    def action_dont_know(self) -> None:
        self.save_draft()
        self.post_message(ShowAnswerChosen(self, self.step))

    def action_end_interview(self) -> None:
        self.post_message(EndChosen(self))

    def action_external_editor(self) -> None:
        editor = self.query_one(AnswerEditor)
        try:
            with self.app.suspend():
                text = edit_externally(editor.text)
        except SuspendNotSupported:
            self.notify("This terminal cannot hand over to an editor.", severity="warning")
            return
        except OSError as error:
            self.notify(
                one_line(f"Could not run the editor: {error}"), severity="error", markup=False
            )
            return
        if text != editor.text:
            editor.load_text(text)
            editor.move_cursor(editor.document.end)
            self.save_draft()
