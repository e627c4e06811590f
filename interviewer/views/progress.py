"""Progress as renderables: score over time per category (or for one question), the weakest key
points, and the practice plan. `draw_progress` takes any plotext-like object, so `interviewer stats`
and the TUI's Progress screen (a textual-plotext widget) draw the same plot."""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from interviewer.views.safe import cell, one_line

if TYPE_CHECKING:
    from rich.table import Table

    from interviewer.core.interview.practice import PracticePlan
    from interviewer.core.transcripts.records import KeyPointStat, TimelinePoint

MAX_DATE_TICKS = 5  # a date label is 10 characters wide
SERIES_COLOURS = ("blue+", "green+", "orange+", "magenta+", "cyan+", "red+", "yellow+", "gray+")


def series(
    points: Sequence[TimelinePoint], category: str | None = None, question: str | None = None
) -> dict[str, list[tuple[str, float]]]:
    """Label -> (day, mean score that day): per category, or for one question."""
    by_day: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for point in points:
        if question is not None:
            if point.question_id != question:
                continue
            label = point.question_id
        else:
            if category is not None and point.category.casefold() != category.casefold():
                continue
            label = point.category
        by_day[one_line(label)][f"{point.at.astimezone():%Y-%m-%d}"].append(point.score)
    return {
        label: [(day, sum(v) / len(v)) for day, v in sorted(days.items())]
        for label, days in sorted(by_day.items())
    }


def draw_progress(plt: Any, data: dict[str, list[tuple[str, float]]], title: str) -> None:
    """Draw on `plotext` or a PlotextPlot's `plt`: one line per series, dates on the x axis."""
    plt.clear_data()
    plt.date_form("Y-m-d")
    plt.title(title)
    plt.ylim(0, 100)
    plt.ylabel("score")
    for index, (label, values) in enumerate(data.items()):
        days = [day for day, _ in values]
        scores = [score for _, score in values]
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        plt.plot(days, scores, label=label, marker="braille", color=colour)
        if len(values) == 1:  # a lone point draws no line: mark it
            plt.scatter(days, scores, marker="●", color=colour)
    days = sorted({day for values in data.values() for day, _ in values})
    if len(days) == 1:  # one day only: plotext would stretch the axis over decades
        only = date.fromisoformat(days[0])
        plt.xlim(str(only - timedelta(days=1)), str(only + timedelta(days=1)))
    if days:  # ticks on days that have scores: plotext's own repeat a date when few days span
        plt.xticks(tick_days(days))


def tick_days(days: Sequence[str], most: int = MAX_DATE_TICKS) -> list[str]:
    """At most `most` of the (sorted, distinct) days, evenly spread, the first and last included."""
    if len(days) <= most:
        return list(days)
    step = (len(days) - 1) / (most - 1)
    return list(dict.fromkeys(days[round(i * step)] for i in range(most)))


def progress_plot(
    points: Sequence[TimelinePoint], category: str | None, question: str | None, width: int
) -> str:
    import plotext as plt

    data = series(points, category, question)
    if not data:
        return "Nothing to plot for that filter."
    plt.clear_figure()
    plt.plotsize(max(40, width), 20)
    plt.theme("clear")
    title = "Score over time" + (f": {one_line(question)}" if question else " per category")
    draw_progress(plt, data, title)
    text: str = plt.build()
    return text if sys.stdout.isatty() else str(plt.uncolorize(text))


def weakest_table(stats: Sequence[KeyPointStat]) -> Table:
    from rich.table import Table

    table = Table(
        "question", "part", "key point", "mean coverage", "answers", title="Weakest key points"
    )
    for stat in stats:
        table.add_row(
            cell(stat.question_id),
            cell(stat.part),
            cell(stat.key_point),
            f"{stat.mean_coverage:.2f}",
            str(stat.answers),
        )
    return table


def due_rows(
    plan: PracticePlan, categories: dict[str, str], limit: int, only: set[str] | None = None
) -> list[tuple[str, str, str, str]]:
    """(question, category, due, last score): due ones first, then the next to fall due; `only`
    keeps those question ids."""
    rows = []
    states = [s for s in plan.upcoming() if only is None or s.question_id in only]
    for state in states[:limit]:
        due: datetime = state.due or plan.now
        when = "now" if due <= plan.now else f"{due.astimezone():%Y-%m-%d}"
        last = "-" if state.last_score is None else f"{state.last_score:.0f}"
        rows.append((state.question_id, categories.get(state.question_id, ""), when, last))
    return rows


def due_table(
    plan: PracticePlan, categories: dict[str, str], limit: int, only: set[str] | None = None
) -> Table:
    from rich.table import Table

    due = len(plan.due(sorted(only) if only is not None else None))
    table = Table(
        "question", "category", "due", "last score", title=f"Practice plan ({due} due now)"
    )
    for row in due_rows(plan, categories, limit, only):
        table.add_row(*(cell(value) for value in row))
    return table
