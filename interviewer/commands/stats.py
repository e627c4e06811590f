"""`interviewer stats`: score over time per category (or for one question) drawn in the terminal,
the weakest key points across all sessions, and which questions are due for practice (FSRS).

The plot and the tables are interviewer.views.progress, shared with the TUI's Progress screen.
"""

from __future__ import annotations

import argparse

from interviewer.commands import CommandError
from interviewer.views.progress import due_table, progress_plot, weakest_table


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stats = subparsers.add_parser(
        "stats", help="progress over time, weakest key points, what is due"
    )
    stats.add_argument("--category", help="plot only this category")
    stats.add_argument("--question", help="plot one question's scores instead of categories")
    stats.add_argument("--limit", type=int, default=10, help="rows of weakest key points and due")
    stats.add_argument("--width", type=int, help="plot width (default: the terminal's)")
    stats.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from interviewer.core.ports import TranscriptError
    from interviewer.wiring import open_user_store

    console = Console(highlight=False)
    try:
        store = open_user_store()
        points = store.timeline()
        if not points:
            print("No scored answers yet: practise with `interviewer`, then come back.")
            return 0
        plan = store.practice_plan()
        weakest = store.weakest_key_points(args.limit)
    except TranscriptError as error:
        raise CommandError(error.message) from None
    print(progress_plot(points, args.category, args.question, args.width or console.width))
    console.print(weakest_table(weakest))
    console.print(due_table(plan, {p.question_id: p.category for p in points}, args.limit))
    return 0
