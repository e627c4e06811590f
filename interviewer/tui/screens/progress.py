"""The Progress screen: score over time per category (or one category) as a terminal plot, the
weakest key points across all sessions, and the FSRS practice plan (what is due, weakest first).

Standalone, like the Review screen: it is given a transcript reader and reads it in a worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Select, Static
from textual_plotext import PlotextPlot

from interviewer.core.ports import TranscriptError
from interviewer.views.progress import draw_progress, due_rows, series
from interviewer.views.safe import cell, one_line

if TYPE_CHECKING:
    from interviewer.core.interview.practice import PracticePlan
    from interviewer.core.ports import TranscriptReader
    from interviewer.core.transcripts.records import KeyPointStat, TimelinePoint


QUESTION_WIDTH, KEY_POINT_WIDTH = 24, 22


def _cropped(value: str) -> Text:
    """A cell the fixed column width crops with an ellipsis, so a cut shows (the text is kept)."""
    text = cell(value)
    text.no_wrap, text.overflow = True, "ellipsis"
    return text


class ProgressScreen(Screen[None]):
    HELP: ClassVar[str] = """# Progress

Your score over time (first attempts; mean per day), per category, with the category picker to
look at one; **enter** on a question of the practice plan plots that question alone. Below: the key points you cover least across all sessions, and the practice plan:
questions scheduled by spaced repetition (FSRS), the due ones first. A low score brings a question
back sooner. **escape** goes back.
"""
    DEFAULT_CSS = """
    ProgressScreen #progress-category { dock: top; width: 40; margin: 0 1; }
    ProgressScreen #progress-plot { height: 1fr; min-height: 12; }
    ProgressScreen #progress-tables { height: 1fr; }
    ProgressScreen #progress-tables > Vertical { width: 2fr; }
    ProgressScreen #progress-tables > #progress-weakest-box { width: 3fr; }
    ProgressScreen .progress-title { text-style: bold; color: $accent; padding: 0 1; }
    ProgressScreen #progress-empty { padding: 1 2; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="progress.back", tooltip="Leave the progress view."),
    ]

    def __init__(self, reader: TranscriptReader) -> None:
        super().__init__()
        self.reader = reader
        self.points: list[TimelinePoint] = []

    def compose(self) -> ComposeResult:
        yield Select[str]([], prompt="All categories", id="progress-category")
        yield Static("", id="progress-empty")
        yield PlotextPlot(id="progress-plot")
        with Horizontal(id="progress-tables"):
            with Vertical(id="progress-weakest-box"):
                yield Static("Weakest key points", classes="progress-title")
                yield DataTable(id="progress-weakest", cursor_type="row", zebra_stripes=True)
            with Vertical():
                yield Static("Practice plan", classes="progress-title", id="progress-plan-title")
                yield DataTable(id="progress-due", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        # Fixed widths that fit beside the plan at 120 columns (an auto-sized key point column
        # left the question four characters); the question first, so it never scrolls away.
        weakest = self.query_one("#progress-weakest", DataTable)
        weakest.add_column("question", width=QUESTION_WIDTH)
        weakest.add_column("key point", width=KEY_POINT_WIDTH)
        weakest.add_columns("cov.", "n")
        self.query_one("#progress-due", DataTable).add_columns(
            "due", "last", "question", "category"
        )
        self.load()

    @work(thread=True, exclusive=True, group="progress", exit_on_error=False)
    def load(self) -> None:
        try:
            points = self.reader.timeline()
            weakest = self.reader.weakest_key_points(10)
            plan = self.reader.practice_plan()
        except TranscriptError as error:
            self.app.call_from_thread(self.notify, error.message, severity="error")
            return
        self.app.call_from_thread(self.show, points, weakest, plan)

    def show(
        self, points: list[TimelinePoint], weakest: list[KeyPointStat], plan: PracticePlan
    ) -> None:
        self.points = points
        empty = self.query_one("#progress-empty", Static)
        empty.update("" if points else "No scored answers yet: practise, then come back.")
        empty.display = not points
        categories = sorted({p.category for p in points})
        self.query_one("#progress-category", Select).set_options((cell(c), c) for c in categories)
        self.draw(None)
        table = self.query_one("#progress-weakest", DataTable)
        table.clear()
        for stat in weakest:
            point = ("follow-up: " if stat.part == "follow_up" else "") + stat.key_point
            table.add_row(  # stored text is data: Text cells, never read as markup
                _cropped(stat.question_id),
                _cropped(point),
                f"{stat.mean_coverage:.2f}",
                str(stat.answers),
            )
        due = self.query_one("#progress-due", DataTable)
        due.clear()
        category_of = {p.question_id: p.category for p in points}
        for question, category, when, last in due_rows(plan, category_of, 20):
            due.add_row(when, last, cell(question), cell(category))
        title = self.query_one("#progress-plan-title", Static)
        title.update(f"Practice plan ({len(plan.due())} due now)")

    def draw(self, category: str | None, question: str | None = None) -> None:
        plot = self.query_one("#progress-plot", PlotextPlot)
        data = series(self.points, category, question)
        plot.plt.clear_figure()
        if data:
            what = question or category or "per category"
            draw_progress(plot.plt, data, f"Score over time: {one_line(what)}")
        plot.refresh()

    @on(DataTable.RowSelected, "#progress-due")
    def _question_chosen(self, event: DataTable.RowSelected) -> None:
        """Enter on a planned question plots that question alone."""
        self.draw(None, str(event.data_table.get_row_at(event.cursor_row)[2]))

    @on(Select.Changed, "#progress-category")
    def _category_changed(self, event: Select.Changed) -> None:
        value: Any = event.value
        self.draw(value if isinstance(value, str) else None)

    def action_close(self) -> None:
        self.dismiss(None)
