"""The interview app: screens in turn, the grader loading in the background, transcripts saved.

`make_app(settings, deps)` is the one way to build it, for the CLI and the tests alike. The app
owns the long-lived pieces (the grader handle, the store, the interview in progress) and creates
every screen, handing each what it shows. Screens post what the user chose (`tui.messages`); the
app handles it here and tells the screen it shows when a score arrives.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import reactive

from interviewer.core.interview.settings import InterviewSettings, Order, select_questions
from interviewer.core.safe_text import one_line
from interviewer.tui.config import AppDeps, AppSettings, Services
from interviewer.tui.grader_handle import GraderHandle, ModelState, ModelUnavailable
from interviewer.tui.messages import (
    AnswerNotScored,
    AnswerScored,
    AnswerSubmitted,
    CatalogFailed,
    CatalogLoaded,
    CatalogReady,
    ContinueChosen,
    EndChosen,
    InterviewChosen,
    ModelFailed,
    ModelLoaded,
    NewInterviewChosen,
    ResumeChosen,
    RetryChosen,
    ScoreArrived,
    ScreenChoice,
    ShowAnswerChosen,
    SkipChosen,
)
from interviewer.tui.palette import interview_commands
from interviewer.tui.screens.base import TALL_FROM, InterviewScreen
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.widgets.status import StatusBar

if TYPE_CHECKING:
    from textual.app import SystemCommand
    from textual.screen import Screen

    from interviewer.core.bank.schema import Bank
    from interviewer.core.interview.session import Attempt, Step
    from interviewer.core.ports import ResumableSession, TranscriptReader, TranscriptStore
    from interviewer.tui.run import InterviewRun


DONT_KNOW = "I don't know."  # the answer recorded by "I don't know: show me the answer"


RUBRIC_PROGRESS_AFTER = 0.15  # seconds one question's rubric took to prepare: it was embedded


class InterviewApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "interviewer"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+q", "quit", "Quit", id="app.quit", priority=True, tooltip="Quit (asks first)."
        ),
        Binding("f1", "help", "Help", id="app.help", tooltip="Help for this screen."),
    ]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (TALL_FROM, "-tall")]  # noqa: RUF012 (textual's type)
    model_state = reactive(ModelState.WAITING)

    def __init__(self, settings: AppSettings, deps: AppDeps) -> None:
        super().__init__()
        self.settings = settings
        self.deps = deps
        self._store: TranscriptStore | None = deps.store  # None: in memory, made when first used
        self.model = GraderHandle(deps.grader_factory, deps.warm_up)
        self.model_detail = ""
        self.banks: list[Bank] = []
        self.interview: InterviewRun | None = None
        self.view: InterviewScreen | None = None  # the interview screen shown last, kept by the app
        self.clock = deps.clock
        # The start choices to remember (as_dict); until the start screen is used, what it opened with
        self._start_choices: dict[str, object] = (
            {} if settings.start_directly else settings.interview.as_dict()
        )
        self._reader: TranscriptReader | None = None

    def now(self) -> float:
        return self.clock()

    @property
    def store(self) -> TranscriptStore:
        """Where answers go: the store given (`AppDeps.store`, or `services`), else one in memory
        for this run (imported when first needed: not before the first paint)."""
        if self._store is None:
            from interviewer.core.transcripts.memory_store import InMemoryTranscriptStore

            self._store = InMemoryTranscriptStore()
        return self._store

    def on_mount(self) -> None:
        theme = self.settings.theme
        if theme is not None and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, lambda _theme: self._remember())
        # Interview screens replace each other on top of the (blank) default screen.
        self.view = StartScreen(self.settings.interview, self.deps.due_order is not None)
        self.push_screen(self.view)
        # After the first paint, the banks (quick); the model once they are in (torch holds the GIL).
        self.call_after_refresh(self.load_catalog)

    def _start_model(self) -> None:
        if self.model_state is ModelState.WAITING:
            self.model_state = ModelState.LOADING
            self.model.start(self._model_done)

    # -- workers ----------------------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, group="catalog", description="Loading question banks")
    def load_catalog(self) -> None:
        try:
            banks = list(self.deps.catalog())
        except Exception as error:  # reported on screen; the app stays usable for quitting
            self.post_message(CatalogFailed(f"{type(error).__name__}: {error}"))
            return
        self.post_message(CatalogLoaded(banks, self._open_services()))

    def _open_services(self) -> Services | None:
        """The store and the LLM pieces (`AppDeps.services`), in the loading worker."""
        if self.deps.services is None:
            return None
        try:
            return self.deps.services()
        except Exception as error:  # the interview goes on, in memory and without the LLM
            return Services(warnings=(f"transcripts will not be saved: {error}",))

    def _model_done(self, handle: GraderHandle) -> None:
        """Called from the loading thread; posting a message is thread-safe."""
        if handle.error is not None:
            self.post_message(ModelFailed(handle.error))
        else:
            self.post_message(ModelLoaded(handle.seconds))

    @work(thread=True, exit_on_error=False, group="model", description="Preparing rubrics")
    def warm_up(self, question_ids: list[str]) -> None:
        from interviewer.core.rubric.schema import RubricMissing  # pydantic: after the first paint

        total, shown = len(question_ids), False
        for done, question_id in enumerate(question_ids, 1):
            started = time.perf_counter()
            try:
                self.model.warm_up([question_id])  # one at a time: a score may come in between
            except ModelUnavailable:
                return  # scoring reports it where the user is looking
            except RubricMissing:
                pass  # likewise; the other questions still get ready
            # a rubric whose statements are all in the cache takes milliseconds: say nothing; one
            # that had to be embedded (a user's own bank, a drafted rubric) shows the count
            if shown or time.perf_counter() - started > RUBRIC_PROGRESS_AFTER:
                shown = True
                self.call_from_thread(self._rubric_progress, done, total)

    def _rubric_progress(self, done: int, total: int) -> None:
        """The status bar's note while rubrics are embedded (once; later runs use the cache)."""
        text = f"preparing rubrics, once: {done}/{total}" if done < total else "rubrics ready"
        for bar in self.screen.query(StatusBar):
            bar.note(text)

    @work(thread=True, exit_on_error=False, group="scoring", description="Scoring an answer")
    def score_answer(self, run: InterviewRun, step: Step, attempt: Attempt) -> None:
        from interviewer.core.rubric.schema import PRACTICE_NOTE, PracticeOnly, RubricMissing

        try:
            result = self.model.score(step.question.id, attempt.text, step.part)
        except ModelUnavailable as error:
            reason = f"the model is unavailable ({error})"
        except PracticeOnly:
            reason = PRACTICE_NOTE  # the score view says "practice", not "not scored"
        except RubricMissing:
            reason = "this part has no rubric yet"
        except Exception as error:  # the answer is stored already; say so rather than hang
            reason = f"scoring failed ({type(error).__name__}: {error})"
        else:
            self.post_message(AnswerScored(run, step, attempt, result))
            return
        self.post_message(AnswerNotScored(run, step, attempt, reason))

    # -- what the workers report ------------------------------------------------------------------
    def on_catalog_loaded(self, message: CatalogLoaded) -> None:
        self.banks = message.banks
        if message.services is not None:
            self._use_services(message.services)
        problem = getattr(self.store, "problem", None)  # the SQLite store could not open
        if problem is not None:
            self._store_error(str(problem))
        if not self.banks:
            self.notify("No question banks found (see `interviewer bank check`).", severity="error")
        # The model after the next paint, so torch's import does not slow drawing the form.
        self.call_after_refresh(self._start_model)
        if self.settings.start_directly:
            # after the next refresh, not at once: switching away from the start screen while it
            # is still mounting (banks that load at once) leaves its widgets without their children
            self.call_after_refresh(self._start_directly)
        else:
            self._offer_start()

    def _start_directly(self) -> None:
        if not self.start_interview(self.settings.interview):
            self._offer_start()  # a direct start that matched nothing: the start screen

    def _offer_start(self) -> None:
        if self.view is not None:
            due = self.deps.due_order is not None
            self.view.post_message(CatalogReady(self.banks, self._resumable(), due))

    def _use_services(self, services: Services) -> None:
        self.deps = replace(
            self.deps,
            store=services.store,
            feedback=services.feedback,
            opinions=services.opinions,
            judge=services.judge,
            due_order=services.due_order,
        )
        if services.store is not None:
            self._store = services.store
        for warning in services.warnings:
            self.notify(one_line(warning), severity="warning", timeout=10, markup=False)

    def on_catalog_failed(self, message: CatalogFailed) -> None:
        self._start_model()
        self.notify(
            one_line(f"Could not load the question banks: {message.error}"),
            severity="error",
            markup=False,
        )

    def on_model_loaded(self, message: ModelLoaded) -> None:
        self.model_detail = f"({message.seconds:.1f} s)"
        self.model_state = ModelState.READY

    def on_model_failed(self, message: ModelFailed) -> None:
        self.model_detail = one_line(f"— {message.error}; answers are still saved")
        self.model_state = ModelState.FAILED
        self.notify(
            one_line(f"The scoring model failed to load: {message.error}"),
            severity="error",
            markup=False,
        )

    def on_answer_scored(self, message: AnswerScored) -> None:
        message.run.record_score(message.attempt, message.result)
        self._score_arrived(message.attempt)

    def on_answer_not_scored(self, message: AnswerNotScored) -> None:
        message.attempt.unscored = message.reason
        self._score_arrived(message.attempt)

    def _score_arrived(self, attempt: Attempt) -> None:
        """The score view of this attempt shows it; the summary fills in a late score."""
        if self.view is not None:
            self.view.post_message(ScoreArrived(attempt))

    def _store_error(self, text: str) -> None:
        self.notify(one_line(text), severity="error", timeout=8, markup=False)

    def _answer_lost(self, text: str) -> None:
        """A submitted answer neither the database nor the fallback file took: loud and long."""
        self.bell()
        self.notify(
            one_line(text), title="Answer NOT saved", severity="error", timeout=60, markup=False
        )

    def _resumable(self) -> ResumableSession | None:
        try:
            return self.store.unfinished_session()
        except Exception as error:  # a broken store must not stop a new interview
            self._store_error(f"could not read unfinished sessions: {error}")
            return None

    # -- what the screens ask for -----------------------------------------------------------------
    def _from_view(self, message: ScreenChoice) -> bool:
        """Only the screen on show moves the interview: a choice queued on a screen just left (a
        key held down) is dropped."""
        return message.screen is self.view

    @on(InterviewChosen)
    def _interview_chosen(self, message: InterviewChosen) -> None:
        if self._from_view(message):
            self._start_choices = message.settings.as_dict()
            self._remember()
            self.start_interview(message.settings)

    def _remember(self) -> None:
        """Saves the theme and the start screen's last choices for the next run."""
        from interviewer.core.config_file import UiPreferences

        save = self.deps.save_preferences
        if save is None:
            return
        try:
            save(UiPreferences(self.theme, self._start_choices))
        except OSError as error:
            self.notify(
                one_line(f"Could not save your choices in config.toml: {error}"),
                severity="warning",
                markup=False,
            )

    @on(ResumeChosen)
    def _resume_chosen(self, message: ResumeChosen) -> None:
        if self._from_view(message):
            self.resume_interview(message.saved)

    @on(AnswerSubmitted)
    def _answer_submitted(self, message: AnswerSubmitted) -> None:
        if self._from_view(message):
            self.submit_answer(message.step, message.text)

    @on(RetryChosen)
    def _retry_chosen(self, message: RetryChosen) -> None:
        if self._from_view(message):
            self.show_step()

    @on(ContinueChosen)
    def _continue_chosen(self, message: ContinueChosen) -> None:
        if self._from_view(message):
            self.next_step()

    @on(NewInterviewChosen)
    def _new_interview_chosen(self, message: NewInterviewChosen) -> None:
        if self._from_view(message):
            self.new_interview()

    @on(SkipChosen)
    def _skip_chosen(self, message: SkipChosen) -> None:
        if self._from_view(message) and self.interview is not None:
            self.flush_draft()
            self.interview.session.skip(self.now())
            self.show_step()

    @on(ShowAnswerChosen)
    def _show_answer_chosen(self, message: ShowAnswerChosen) -> None:
        """I don't know: stored (and scored) as that answer, then the model answer is shown."""
        if not self._from_view(message):
            return
        self.flush_draft()
        self.submit_answer(message.step, DONT_KNOW)
        view = self.view

        async def reveal() -> None:
            toggle = getattr(view, "action_toggle_model_answer", None)
            if view is self.view and toggle is not None:
                await toggle()

        if view is not None:
            view.call_after_refresh(reveal)

    @on(EndChosen)
    def _end_chosen(self, message: EndChosen) -> None:
        if self._from_view(message):
            self.request_end()

    def request_end(self) -> None:
        """End now (F8, the palette), asking first when an answer is typed but not sent."""
        self._confirm_unsaved("End the interview now?", "End now", self.end_interview)

    # -- moving through the interview -------------------------------------------------------------
    def _show(self, screen: InterviewScreen) -> None:
        """Replaces the interview screen on show (the start screen is pushed once, at mount)."""
        self.view = screen
        self.switch_screen(screen)

    def bank(self, bank_id: str | None) -> Bank | None:
        fallback = self.banks[0] if self.banks else None
        return next((b for b in self.banks if b.id == bank_id), fallback)

    def start_interview(self, settings: InterviewSettings) -> bool:
        """Starts an interview; False (and a notification) when nothing can be asked."""
        bank = self.bank(settings.bank_id)
        if bank is None:
            self.notify("No question bank to ask from.", severity="error")
            return False
        if settings.bank_id and bank.id != settings.bank_id:
            self.notify(
                f"No bank {settings.bank_id!r}; asking from {bank.id!r}.", severity="warning"
            )
        from interviewer.tui.run import InterviewRun

        questions = select_questions(bank.questions, settings, self.deps.due_order)
        if settings.order is Order.DUE and self.deps.due_order is None:
            self.notify("“Due and weakest first” needs earlier transcripts; shuffled instead.")
        if not questions:
            self.notify("No question matches those choices.", severity="warning")
            return False
        self.interview = InterviewRun.start(
            self.store, bank, questions, settings, self._store_error, self._answer_lost
        )
        self.warm_up([q.id for q in questions])
        self.show_step()
        return True

    def resume_interview(self, saved: ResumableSession) -> None:
        bank = self.bank(saved.bank_id)
        if bank is None:
            self.notify(
                one_line(f"The bank {saved.bank_id!r} is gone."), severity="error", markup=False
            )
            return
        from interviewer.tui.run import InterviewRun

        settings = InterviewSettings.from_dict(saved.settings)
        self.interview = InterviewRun.resume(
            self.store, bank, saved, settings, self._store_error, self._answer_lost
        )
        self.warm_up(saved.question_ids)
        self._score_unscored(self.interview)
        self.show_step()

    def _score_unscored(self, run: InterviewRun) -> None:
        """Answers stored before the quit but not scored (quit while scoring): scored now, so the
        summary has them."""
        for step in run.session.steps:
            for attempt in run.session.attempts.get(step.key, []):
                if attempt.result is None and attempt.unscored is None:
                    self.score_answer(run, step, attempt)

    def show_step(self) -> None:
        from interviewer.tui.screens.question import QuestionScreen

        run = self.interview
        if run is None:
            return
        step = run.session.current
        if step is None:
            self.finish_interview()
            return
        self._show(QuestionScreen(run, step, self.now, self.settings.draft_save_delay))

    def submit_answer(self, step: Step, text: str) -> None:
        """Stores the answer first, then shows the score view and starts scoring."""
        from interviewer.tui.screens.score import ScoreScreen

        run = self.interview
        if run is None:
            return
        attempt = run.submit(step, text, self.now())
        reader = self.transcripts if self.deps.open_reader is not None else None
        deps = self.deps
        self._show(
            ScoreScreen(
                run, step, attempt, deps.feedback, reader, opinions=deps.opinions, judge=deps.judge
            )
        )
        self.score_answer(run, step, attempt)

    def next_step(self) -> None:
        if self.interview is not None:
            self.interview.session.advance()
            self.show_step()

    def end_interview(self) -> None:
        """Straight to the summary: the questions not reached stay unanswered."""
        if self.interview is not None:
            self.flush_draft()
            self.interview.session.end(self.now())
            self.finish_interview()

    def finish_interview(self) -> None:
        from interviewer.tui.screens.summary import SummaryScreen

        if self.interview is not None:
            self.interview.finish()
            self._show(SummaryScreen(self.interview))

    def new_interview(self) -> None:
        self._confirm_unsaved("Start a new interview?", "New interview", self._open_start)

    def _open_start(self) -> None:
        self.flush_draft()
        self.interview = None
        due = self.deps.due_order is not None
        self._show(StartScreen(self.settings.interview, due, self.banks, self._resumable()))

    # -- quitting without losing text -------------------------------------------------------------
    def flush_draft(self) -> None:
        """Stores the draft on show now (also from under a help or confirmation dialog)."""
        view = self.view
        if view is not None and view.is_mounted:
            view.flush()

    def exit(self, *args: Any, **kwargs: Any) -> None:
        self.model.close()  # wake workers waiting for the model, so closing never waits on torch
        super().exit(*args, **kwargs)

    async def action_quit(self) -> None:
        self._confirm_unsaved("Quit the interviewer?", "Quit", self.exit, always=True)

    def _confirm_unsaved(
        self, question: str, yes: str, then: Callable[[], object], *, always: bool = False
    ) -> None:
        """Runs `then` at once, or after a yes when the current answer is typed but not sent (or
        `always`)."""
        from interviewer.tui.screens.dialogs import ConfirmScreen, unsaved_warning

        if isinstance(self.screen, ConfirmScreen):
            return  # already asking
        self.flush_draft()
        run = self.interview
        step = run.session.current if run is not None else None

        def decided(confirmed: bool | None) -> None:
            if confirmed:
                then()

        if run is None or step is None or not run.session.unsaved():
            if always:
                self.push_screen(ConfirmScreen(question, yes=yes), decided)
            else:
                then()
            return

        title = step.question.title
        if step.part == "follow_up":  # name the part the text was typed for
            title = f"Follow-up · {title}"
        text = unsaved_warning(question, title)
        self.push_screen(ConfirmScreen(text, yes=yes), decided)

    # -- help and the command palette ------------------------------------------------------------
    def action_help(self) -> None:
        from interviewer.tui.screens.dialogs import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def action_toggle_model_answer(self) -> None:
        from interviewer.tui.screens.score import ScoreScreen

        view = self.view
        if view is self.screen and isinstance(view, ScoreScreen):
            await view.action_toggle_model_answer()
        else:
            self.notify("The model answer is shown on the score view, after you answer.")

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)  # theme, keys, screenshot, quit
        reads = self.deps.open_reader is not None
        yield from interview_commands(
            new_interview=self.new_interview,
            toggle_model_answer=self.action_toggle_model_answer,
            open_review=self.open_review if reads else None,
            open_progress=self.open_progress if reads else None,
            end_interview=self.request_end if self._in_interview() else None,
        )

    def _in_interview(self) -> bool:
        run = self.interview
        return run is not None and not run.session.finished

    # -- looking back: transcripts ---------------------------------------------------------------
    def transcripts(self) -> TranscriptReader | None:
        """The transcript reader (`AppDeps.open_reader`), opened the first time it is needed."""
        from interviewer.core.ports import TranscriptError

        if self._reader is None and self.deps.open_reader is not None:
            try:
                self._reader = self.deps.open_reader()
            except TranscriptError as error:
                self._store_error(error.message)
        return self._reader

    def open_review(self) -> None:
        from interviewer.tui.screens.review import ReviewScreen

        reader = self.transcripts()
        if reader is not None:
            self.push_screen(ReviewScreen(reader))

    def open_progress(self) -> None:
        from interviewer.tui.screens.progress import ProgressScreen

        reader = self.transcripts()
        if reader is not None:
            self.push_screen(ProgressScreen(reader))


def make_app(settings: AppSettings, deps: AppDeps) -> InterviewApp:
    return InterviewApp(settings, deps)
