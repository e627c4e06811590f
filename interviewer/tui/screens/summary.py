"""The summary: per question and per category scores, time spent, the weakest key points, and
what to practise next. Late scores (the grader still busy with the last answer) fill in live."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Footer, Static

from interviewer.core.interview.session import summarise
from interviewer.core.result import Part
from interviewer.tui.messages import NewInterviewChosen, ScoreArrived
from interviewer.tui.screens.base import InterviewScreen
from interviewer.tui.screens.question import clock_text
from interviewer.tui.widgets.score_card import score_bar, score_colour
from interviewer.tui.widgets.status import StatusBar
from interviewer.views.safe import cell, one_line

if TYPE_CHECKING:
    from interviewer.core.interview.session import InterviewSummary
    from interviewer.tui.run import InterviewRun


def _score(value: float | None) -> Content:
    if value is None:
        return Content("—")
    return Content.styled(f"{value:.0f}", score_colour(value))


def _cell(value: float | None, colours: dict[str, str], skipped: bool = False) -> Text:
    """A DataTable cell (Rich text, so theme colours are looked up here)."""
    if value is None:
        return Text("skipped" if skipped else "—")
    return Text(f"{value:.0f}", style=colours[score_colour(value).lstrip("$")])


class SummaryScreen(InterviewScreen):
    HELP = """# Summary

Scores per question (main answer and follow-up), the mean per category, the time you spent, the
key points you covered least, and suggestions for what to practise next. The overall score is the
mean of your first answers to the main questions, as `interviewer review` counts a session; a verdict
you corrected on the score view counts as corrected. Transcripts are saved;
`interviewer review` and `interviewer stats` look back at them.

- **n** starts a new interview. **ctrl+q** quits.
"""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_interview", "New interview", id="summary.new", tooltip="Start again."),
        Binding(
            "q", "app.quit", "Quit", id="summary.quit", show=False, tooltip="Quit the interviewer."
        ),
    ]

    def __init__(self, run: InterviewRun) -> None:
        super().__init__()
        self.interview = run

    def compose(self) -> ComposeResult:
        yield Static("Interview summary", id="summary-title")
        with VerticalScroll(id="summary-body"):
            yield Static(id="summary-overall")
            yield DataTable(id="summary-questions", cursor_type="row", zebra_stripes=True)
            yield Static("By category", classes="section-title")
            yield Static(id="summary-categories")
            yield Static("Weakest key points", classes="section-title")
            yield Static(id="summary-weakest")
            yield Static("Practise next", classes="section-title")
            yield Static(id="summary-practise")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#summary-questions", DataTable)
        # Category last: at 80 columns the scores and times stay in view.
        table.add_columns("#", "Question", "Score", "Follow-up", "Time", "Category")
        self.refresh_summary()
        table.focus()

    def on_score_arrived(self, message: ScoreArrived) -> None:
        """A late score (the grader was still busy with the last answer)."""
        self.refresh_summary()

    def refresh_summary(self) -> None:
        summary = summarise(self.interview.session)
        self._overall(summary)
        table = self.query_one("#summary-questions", DataTable)
        table.clear()
        colours = self.app.get_css_variables()
        for number, row in enumerate(summary.questions, 1):
            table.add_row(
                str(number),
                cell(row.question.title),
                _cell(row.main, colours, Part.MAIN in row.skipped),
                _cell(row.follow_up, colours, Part.FOLLOW_UP in row.skipped),
                clock_text(row.seconds),
                cell(row.question.category),
            )
        categories = [
            Content.assemble(
                (f"{one_line(name):<26} ", "bold"), score_bar(score, 16), f" {score:.0f}"
            )
            for name, score in sorted(summary.categories.items(), key=lambda item: item[1])
        ]
        self._lines("#summary-categories", categories or [Content("Nothing scored yet.")])
        weakest = [
            Content.assemble(
                (f"{p.coverage:4.2f} ", "$text-muted"),
                one_line(p.key_point),
                (
                    f" — {p.question.title}{' (follow-up)' if p.part is Part.FOLLOW_UP else ''}",
                    "$text-muted",
                ),
            )
            for p in summary.weakest
        ]
        if not weakest:
            scored = summary.overall is not None or summary.categories
            weakest = [Content("Every key point was covered." if scored else "Nothing scored yet.")]
        self._lines("#summary-weakest", weakest)
        self._lines(
            "#summary-practise", [Content(f"• {one_line(line)}") for line in summary.practise]
        )

    def _overall(self, summary: InterviewSummary) -> None:
        parts: list[Content | str | tuple[str, str]] = [("Overall ", "bold")]
        if summary.overall is not None:
            parts += [_score(summary.overall), "/100  ", score_bar(summary.overall)]
        else:
            parts.append("—")
        parts.append((f"  time {clock_text(summary.seconds)}", "$text-muted"))
        self.query_one("#summary-overall", Static).update(Content.assemble(*parts))

    def _lines(self, selector: str, lines: list[Content]) -> None:
        self.query_one(selector, Static).update(Content("\n").join(lines))

    def action_new_interview(self) -> None:
        self.post_message(NewInterviewChosen(self))
