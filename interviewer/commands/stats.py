"""`interviewer stats`: score over time per category (or for one question) drawn in the terminal,
the weakest key points across all sessions, and which questions are due for practice (FSRS).

The plot and the tables are interviewer.views.progress, shared with the TUI's Progress screen.
`--question` takes an id, a unique start of one, or a number, as `score -q` does; `--category` a
name or a case-insensitive start of one. The tables then keep what the filter keeps.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from interviewer.commands import CommandError, positive_int
from interviewer.views.progress import due_table, progress_plot, weakest_table

if TYPE_CHECKING:
    from collections.abc import Sequence

    from interviewer.core.transcripts.records import TimelinePoint


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stats = subparsers.add_parser(
        "stats", help="progress over time, weakest key points, what is due"
    )
    stats.add_argument("--category", help="plot only this category (a name or its start)")
    stats.add_argument(
        "--question", help="plot one question's scores: its id, a unique start of it, or its number"
    )
    stats.add_argument(
        "--limit", type=positive_int, default=10, help="rows of weakest key points and due"
    )
    stats.add_argument("--width", type=positive_int, help="plot width (default: the terminal's)")
    stats.set_defaults(handler=_run)


def question_id(ref: str, practised: Sequence[str]) -> str:
    """The question `ref` names: in the user's banks (id, unique id start, number), else a unique
    start of a practised question's id (its bank may be gone), else `ref` itself."""
    from interviewer.core.bank.loading import load_banks
    from interviewer.paths import Paths

    for bank in load_banks(Paths.from_env().bank_dirs()).banks:
        if (question := bank.get(ref)) is not None:
            return question.id
    starts = sorted({q for q in practised if q.startswith(ref.strip().casefold())})
    return starts[0] if len(starts) == 1 else ref


def category_name(ref: str, points: Sequence[TimelinePoint]) -> str:
    """The practised category `ref` names (case-insensitive, or a unique start of it)."""
    from interviewer.core.interview.session import resolve_categories

    names = {p.category.casefold(): p.category for p in points}
    found = sorted(resolve_categories(names.values(), [ref])[ref])
    if len(found) == 1:
        return names[found[0]]
    known = ", ".join(sorted(set(names.values()))) or "none yet"
    if not found:
        raise CommandError(f"unknown category {ref!r}; practised categories: {known}", 2)
    choices = ", ".join(names[name] for name in found)
    raise CommandError(f"category {ref!r} is ambiguous: {choices}", 2)


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
        category = None if args.category is None else category_name(args.category, points)
        question = None
        if args.question is not None:
            question = question_id(args.question, [p.question_id for p in points])
        kept = {
            p.question_id
            for p in points
            if (question is None or p.question_id == question)
            and (category is None or p.category == category)
        }
        if not kept:
            print(f"Nothing to plot: question {args.question!r} has no scored answers yet.")
            return 0
        plan = store.practice_plan()
        every = store.weakest_key_points(10**6)
    except TranscriptError as error:
        raise CommandError(error.message) from None
    weakest = [stat for stat in every if stat.question_id in kept][: args.limit]
    filtered = question is not None or category is not None
    print(progress_plot(points, category, question, args.width or console.width))
    console.print(weakest_table(weakest))
    categories = {p.question_id: p.category for p in points}
    console.print(due_table(plan, categories, args.limit, kept if filtered else None))
    return 0
