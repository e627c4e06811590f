"""The start screen: pick a bank, categories, difficulties, how many and in what order.

It paints at once with a title and the model state; the form (`StartForm`) is mounted when the
banks are parsed. Everything has a default and the Start button takes focus, so Enter starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Button, Footer, Input, Static

from interviewer.tui.messages import CatalogReady, InterviewChosen, ResumeChosen
from interviewer.tui.screens.base import InterviewScreen
from interviewer.tui.widgets.status import StatusBar

if TYPE_CHECKING:
    from interviewer.core.bank.schema import Bank
    from interviewer.core.interview.session import InterviewSettings
    from interviewer.core.ports import ResumableSession
    from interviewer.tui.widgets.start_form import StartForm


class StartScreen(InterviewScreen):
    HELP = """# Start an interview

Choose what to be asked, then press **Enter** on *Start interview* (it has focus when the screen
opens, so Enter alone starts with the defaults). Tab moves between fields.

- **Categories**: space toggles the highlighted one; none ticked means all.
- **Order**: *due & weakest first* ranks questions by your transcripts: due for review first,
  then the weakest.
- **Time limit**: minutes per question; running out only warns, your answer is never thrown away.
- **Resume** (ctrl+r) continues an interview that was left unfinished, drafts included.

Beside the count: how many questions match the filters. Your choices here and the theme (ctrl+p)
are remembered for the next start, in the `[tui]` tables of `config.toml`.
"""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "begin", "Start", id="start.begin", tooltip="Start the interview."),
        Binding(
            "ctrl+r", "resume", "Resume", id="start.resume", tooltip="Resume the unfinished one."
        ),
    ]

    def __init__(
        self,
        defaults: InterviewSettings,
        due_available: bool,
        banks: Sequence[Bank] = (),
        resumable: ResumableSession | None = None,
    ) -> None:
        super().__init__()
        self.defaults = defaults
        self.due_available = due_available
        self.banks: list[Bank] = list(banks)
        self.resumable = resumable

    def compose(self) -> ComposeResult:
        yield Static("interviewer · a mock system-design interview", id="start-title")
        with VerticalScroll(id="start-form"):
            yield Static("Loading question banks…", id="start-loading")
        yield StatusBar()
        yield Footer()

    async def on_mount(self) -> None:
        if self.banks:  # opened again after an interview: the banks are known already
            await self.show_catalog(self.banks, self.resumable)

    async def on_catalog_ready(self, message: CatalogReady) -> None:
        self.due_available = message.due_available  # known once the store is open
        await self.show_catalog(message.banks, message.resumable)

    async def show_catalog(self, banks: Sequence[Bank], resumable: ResumableSession | None) -> None:
        """Mounts the form once the banks are parsed (a worker does that after the first paint)."""
        from interviewer.tui.widgets.start_form import StartForm

        self.banks, self.resumable = list(banks), resumable
        if not self.banks or self.query(StartForm):
            return
        self.query_one("#start-loading").display = False
        await self.query_one("#start-form").mount(
            StartForm(self.banks, self.defaults, self.due_available)
        )
        if resumable is not None:
            button = self.query_one("#resume", Button)
            answered = len({question for question, _ in resumable.answered})
            total = len(resumable.question_ids)
            button.label = f"Resume unfinished interview ({answered}/{total} answered) — ctrl+r"
            button.display = True
        self.query_one("#start", Button).focus()
        self.refresh_bindings()

    def _form(self) -> StartForm | None:
        from interviewer.tui.widgets.start_form import StartForm

        forms = self.query(StartForm)
        return forms.first() if forms else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "resume":
            return self.resumable is not None
        return True

    @on(Button.Pressed, "#start")
    @on(Input.Submitted)
    def action_begin(self) -> None:
        form = self._form()
        if form is None:
            self.notify("The question banks are still loading.", severity="warning")
            return
        self.post_message(InterviewChosen(self, form.chosen_settings()))

    @on(Button.Pressed, "#resume")
    def action_resume(self) -> None:
        if self.resumable is not None:
            self.post_message(ResumeChosen(self, self.resumable))
