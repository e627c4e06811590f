"""The Review screen: past sessions on the left, the chosen one on the right with every answer's
evidence highlighted, its verdicts, the model answer and feedback. A key-point row can be corrected
(c / p / m): the correction is stored and becomes labelled data for `interviewer eval`.

Standalone: it is given a transcript reader and works pushed onto any App. Reads run in a thread
worker (the reader is thread-safe); a store fault is a `TranscriptError`, shown as a notification.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Collapsible, DataTable, Footer, Input, Markdown, Static

from interviewer.core.ports import TranscriptError
from interviewer.core.result import Part, Verdict
from interviewer.core.transcripts.export_text import second_opinion_label
from interviewer.core.transcripts.render import PART_TITLES
from interviewer.views.safe import cell, clean, one_line, safe_text
from interviewer.views.transcripts import (
    MARKS,
    VERDICT_STYLE,
    flag_lines,
    highlighted_answer,
    strong_answer_text,
    summary_cells,
)

if TYPE_CHECKING:
    from pathlib import Path

    from interviewer.core.bank.schema import Question
    from interviewer.core.ports import TranscriptReader
    from interviewer.core.transcripts.records import SessionRecord, SessionSummary, StoredAnswer

BankLookup = Callable[[str], "Question | None"]


class KeyPointTable(DataTable[Text]):
    """One answer's key points; the review's correction keys act on its cursor row."""

    def __init__(self, answer: StoredAnswer) -> None:
        super().__init__(cursor_type="row", id=f"kp-{answer.id}", classes="kp-table")
        self.answer_id = answer.id
        self.answer = answer

    def on_mount(self) -> None:
        self.add_columns("#", "verdict", "key point", "coverage")
        if self._has_second(self.answer):  # the other judge's verdicts, when one was asked
            self.add_column("other judge")
        self.fill(self.answer)

    @staticmethod
    def _has_second(answer: StoredAnswer) -> bool:
        return answer.score is not None and any(
            kp.second is not None for kp in answer.score.result.key_points
        )

    def fill(self, answer: StoredAnswer) -> None:
        self.answer = answer
        self.clear()
        if answer.score is None:
            return
        for index, (kp, verdict) in enumerate(
            zip(answer.score.result.key_points, answer.verdicts(), strict=True)
        ):
            corrected = " ✎" if answer.correction(index) else ""
            row = [
                Text(str(index + 1)),
                Text(f"{MARKS[verdict]} {verdict.value}{corrected}", style=VERDICT_STYLE[verdict]),
                cell(kp.key_point),
                Text(f"{kp.coverage:.2f}"),
            ]
            if len(self.columns) > len(row):
                second = kp.second
                row.append(
                    Text("")
                    if second is None
                    else cell(
                        second_opinion_label(second, 60),
                        style=VERDICT_STYLE.get(second.verdict, "dim"),
                    )
                )
            self.add_row(*row)


class ReviewScreen(Screen[None]):
    HELP: ClassVar[str] = """# Review

Past sessions, newest first. Move through them with the arrow keys; the chosen session opens on
the right with your answers, the evidence the grader found (highlighted, numbered by key point),
the verdicts, the model answer and any feedback.

- Type in the filter box to keep sessions of a category or question id.
- On a key-point table: **c**, **p**, **m** mark the point covered, partial or missing when you
  disagree with the grader (shown with ✎). Corrections feed `interviewer eval --from-transcripts`.
- When the LLM was asked (`[llm] second_opinion` or `judge = "llm"`), an "other judge" column shows
  its verdict beside the local grader's, or the local grader's when the LLM set the score.
- **e** exports the session as a self-contained HTML page. **escape** goes back.
"""
    DEFAULT_CSS = """
    ReviewScreen #review-filter { dock: top; margin: 0 1; }
    ReviewScreen #review-sessions { width: 48; min-width: 30; border-right: solid $panel; }
    ReviewScreen #review-detail { width: 1fr; padding: 0 1; }
    ReviewScreen .review-question { text-style: bold; color: $accent; margin-top: 1; }
    ReviewScreen .review-prompt { color: $text-muted; text-style: italic; }
    ReviewScreen .review-answer { border: round $panel; padding: 0 1; }
    ReviewScreen .review-flags { color: $warning; }
    ReviewScreen .review-strong { margin-bottom: 1; }
    ReviewScreen .kp-table { height: auto; max-height: 12; margin-bottom: 1; }
    ReviewScreen Collapsible { margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="review.back", tooltip="Leave the review."),
        Binding("e", "export", "Export HTML", id="review.export", tooltip="Save as an HTML page."),
        Binding("c", "correct('covered')", "Covered", id="review.covered", tooltip="Mark covered."),
        Binding("p", "correct('partial')", "Partial", id="review.partial", tooltip="Mark partial."),
        Binding("m", "correct('missing')", "Missing", id="review.missing", tooltip="Mark missing."),
    ]

    def __init__(
        self,
        reader: TranscriptReader,
        bank_lookup: BankLookup | None = None,
        *,
        export_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.reader = reader
        self.bank_lookup = bank_lookup
        self.export_dir = export_dir
        self.summaries: list[SessionSummary] = []
        self.record: SessionRecord | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Filter: category or question id", id="review-filter")
        with Horizontal():
            yield DataTable(id="review-sessions", cursor_type="row", zebra_stripes=True)
            yield VerticalScroll(
                Static("No session chosen.", id="review-empty"), id="review-detail"
            )
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#review-sessions", DataTable)
        table.add_columns("id", "date", "answered", "mean", "bank")
        table.focus()
        self.load_sessions()

    # -- loading ----------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="review-list", exit_on_error=False)
    def load_sessions(self) -> None:
        try:
            summaries = self.reader.list_sessions()
        except TranscriptError as error:
            self.app.call_from_thread(
                self.notify, one_line(error.message), severity="error", markup=False
            )
            return
        self.app.call_from_thread(self.call_later, self._show_summaries, summaries)

    async def _show_summaries(self, summaries: list[SessionSummary]) -> None:
        self.summaries = summaries
        await self._refill(self.query_one("#review-filter", Input).value)

    async def _refill(self, text: str) -> None:
        wanted = text.strip().casefold()
        table = self.query_one("#review-sessions", DataTable)
        table.clear()
        for summary in self.summaries:
            haystack = [c.casefold() for c in summary.categories] + summary.question_ids
            if not wanted or any(wanted in item for item in haystack):
                id_, date, bank, answered, mean, _ = summary_cells(summary)
                table.add_row(id_, date, answered, mean, bank, key=str(summary.id))
        if not table.row_count:
            self.record = None
            message = "No sessions match." if wanted else "No sessions yet."
            await self._replace_detail([Static(message)])

    @on(Input.Changed, "#review-filter")
    async def _filter_changed(self, event: Input.Changed) -> None:
        await self._refill(event.value)

    @on(DataTable.RowHighlighted, "#review-sessions")
    def _session_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        if key is not None and (self.record is None or self.record.id != int(key)):
            self.open_session(int(key))

    @work(thread=True, exclusive=True, group="review-session", exit_on_error=False)
    def open_session(self, session_id: int) -> None:
        try:
            record = self.reader.load_session(session_id)
        except TranscriptError as error:
            self.app.call_from_thread(
                self.notify, one_line(error.message), severity="error", markup=False
            )
            return
        if self.bank_lookup is not None:
            record = record.with_questions(self.bank_lookup)
        self.app.call_from_thread(self.call_later, self.show_session, record)

    # -- the session ------------------------------------------------------------------------------
    async def show_session(self, record: SessionRecord) -> None:
        self.record = record
        widgets: list[Any] = [Static(self._heading(record), id="review-heading")]
        for answer in record.answers:
            widgets += self._answer_widgets(record, answer)
        if not record.answers:
            widgets.append(Static("No answers were submitted in this session."))
        await self._replace_detail(widgets)

    async def _replace_detail(self, widgets: list[Any]) -> None:
        """Old widgets are gone before the new ones (same ids) mount."""
        detail = self.query_one("#review-detail", VerticalScroll)
        await detail.remove_children()
        await detail.mount_all(widgets)

    @staticmethod
    def _heading(record: SessionRecord) -> Text:
        mean = record.mean_score()
        return Text.assemble(
            (f"Session {record.id}", "bold"),
            f" · {one_line(record.bank_id)} · {record.started_at.astimezone():%Y-%m-%d %H:%M}",
            f" · mean score {'—' if mean is None else f'{mean:.0f}'}",
        )

    def _answer_widgets(self, record: SessionRecord, answer: StoredAnswer) -> list[Any]:
        question = record.question(answer.question_id)
        prompt = question.follow_up if answer.part == Part.FOLLOW_UP else question.prompt
        widgets: list[Any] = [
            Static(
                _title(record, answer),
                id=f"title-{answer.id}",
                classes="review-question",
                markup=False,
            ),
            Static(safe_text(prompt or ""), classes="review-prompt"),
        ]
        if (flags := flag_lines(answer)) is not None:
            widgets.append(Static(flags, id=f"flags-{answer.id}", classes="review-flags"))
        strong = strong_answer_text(answer)
        widgets += [
            Static(highlighted_answer(answer), classes="review-answer"),
            KeyPointTable(answer),
            Static(strong, id=f"strong-{answer.id}", classes="review-strong"),
        ]
        widgets[-1].display = bool(strong)
        if answer.feedback is not None:
            widgets.append(Collapsible(Markdown(clean(answer.feedback.text)), title="Feedback"))
        if answer.part == Part.MAIN and question.model_answer:
            model_answer = Markdown(clean(question.model_answer))
            widgets.append(Collapsible(model_answer, title="Model answer"))
        return widgets

    # -- actions ----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "correct":
            return isinstance(self.focused, KeyPointTable)
        if action == "export":
            return self.record is not None
        return True

    def action_close(self) -> None:
        self.dismiss(None)

    def action_correct(self, verdict: str) -> None:
        table = self.focused
        if not isinstance(table, KeyPointTable) or not table.row_count:
            return
        try:
            correction = self.reader.correct_verdict(table.answer_id, table.cursor_row, verdict)
            record = self.reader.load_session(self.record.id if self.record else 0)
        except (TranscriptError, ValueError) as error:
            self.notify(one_line(str(error)), severity="error", markup=False)
            return
        self.record = record
        answer = next(a for a in record.answers if a.id == table.answer_id)
        row = table.cursor_row
        table.fill(answer)
        table.move_cursor(row=row)
        self.query_one(f"#title-{answer.id}", Static).update(_title(record, answer))
        says = strong_answer_text(answer)
        strong = self.query_one(f"#strong-{answer.id}", Static)
        strong.update(says)
        strong.display = bool(says)
        self.notify(f"Key point {row + 1} marked {Verdict(correction.verdict).value}.")

    def action_export(self) -> None:
        from interviewer.core.transcripts.render import to_html
        from interviewer.paths import Paths

        if self.record is None:
            return
        folder = self.export_dir or Paths.from_env().home / "exports"
        path = folder / f"session-{self.record.id}.html"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(to_html(self.record), encoding="utf-8")
        except OSError as error:
            self.notify(
                one_line(f"Cannot write {path}: {error.strerror}"), severity="error", markup=False
            )
            return
        self.notify(one_line(f"Exported to {path}"), markup=False)


def _title(record: SessionRecord, answer: StoredAnswer) -> str:
    score = answer.effective_score()
    shown = "not scored" if score is None else f"{score:.0f}/100"
    part = PART_TITLES.get(answer.part, answer.part)
    return one_line(f"{record.question(answer.question_id).title} · {part} · {shown}")
