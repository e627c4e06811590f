"""`interviewer review`: past sessions, one session with its evidence highlighted, re-scoring with the
current rubrics and model, and corrections of the grader's verdicts (labelled data for eval/tune).

The renderables are interviewer.views.transcripts, shared with the TUI's Review screen.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from interviewer.commands import CommandError
from interviewer.core.result import ScoreResult
from interviewer.core.transcripts.records import SessionRecord, StoredAnswer
from interviewer.views.safe import cell, one_line, safe_text
from interviewer.views.transcripts import session_renderables, summary_cells

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from interviewer.adapters.store.sqlite import SqliteTranscriptStore
    from interviewer.core.grading.grader import Grader


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    review = subparsers.add_parser("review", help="past sessions: read, re-score, correct verdicts")
    review.add_argument("session", nargs="?", help="a session id: show it in full")
    review.add_argument("--category", help="only sessions that asked a question of this category")
    review.add_argument(
        "--question",
        help="only sessions that asked this question: its id, a unique start of it, or its number",
    )
    review.add_argument(
        "--rescore", action="store_true", help="re-score SESSION with today's grader"
    )
    review.add_argument("--save", action="store_true", help="with --rescore: keep the new scores")
    review.add_argument(
        "--correct",
        nargs=3,
        metavar=("ANSWER_ID", "KP_NUMBER", "VERDICT"),
        help="mark a key point (numbered from 1, as review shows) covered, partial or missing",
    )
    review.add_argument(
        "--recover",
        action="store_true",
        help="move answers kept in the fallback file into the database",
    )
    review.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from interviewer.core.ports import TranscriptError
    from interviewer.wiring import open_user_store

    if args.save and not args.rescore:
        raise CommandError("--save keeps the new scores of --rescore: give both", 2)
    try:
        store = open_user_store()
        store.check()
        if args.correct is not None:
            return _correct(store, *args.correct)
        if args.recover:
            ids = store.recover_fallback()
            print(f"Recovered {len(ids)} session(s): {', '.join(map(str, ids)) or 'nothing to do'}")
            return 0
        if args.session is None:
            if args.rescore:
                raise CommandError("--rescore needs a SESSION", 2)
            return _list(store, args)
        record = store.load_session(_number(args.session, "SESSION"))
        if args.rescore:
            return _rescore(store, record, save=args.save)
        print_all(session_renderables(record))
        return 0
    except TranscriptError as error:
        raise CommandError(error.message) from None


def console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def print_all(items: list[RenderableType]) -> None:
    out = console()
    for item in items:
        out.print(item)


def _list(store: SqliteTranscriptStore, args: argparse.Namespace) -> int:
    from rich.table import Table

    question = None if args.question is None else question_id(args.question)
    summaries = store.list_sessions(category=args.category, question=question)
    if not summaries:
        print("No sessions match: practise with `interviewer`, then review them here.")
        return 0
    table = Table(box=None)
    for name in ("id", "date", "bank", "answered", "mean score"):
        table.add_column(name, no_wrap=True)
    table.add_column("categories")
    for summary in summaries:
        table.add_row(*summary_cells(summary))
    console().print(table)
    return 0


def question_id(ref: str) -> str:
    """The question `ref` names in the user's banks (id, unique start of an id, or number); a
    question no longer in any bank is named by its stored id."""
    from interviewer.core.bank.loading import load_banks
    from interviewer.paths import Paths

    for bank in load_banks(Paths.from_env().bank_dirs()).banks:
        if (question := bank.get(ref)) is not None:
            return question.id
    return ref


# -- corrections and re-scoring -------------------------------------------------------------------


def _number(ref: str, name: str) -> int:
    """An id as typed: ASCII digits within SQLite's integers (int() takes '١٢' and fails on '²';
    SQLite overflows past 2**63), else one line."""
    if not (ref.isascii() and ref.isdigit()):
        raise CommandError(f"{name} {ref[:40]!r} is not a number", 2)
    if len(ref) > 18:
        raise CommandError(f"no {name.lower().replace('_', ' ')} {ref[:20]}... (too large)")
    return int(ref)


def _correct(store: SqliteTranscriptStore, answer_id: str, number: str, verdict: str) -> int:
    answer, point = _number(answer_id, "ANSWER_ID"), _number(number, "KP_NUMBER")
    if point < 1:
        raise CommandError(
            "ANSWER_ID and KP_NUMBER are numbers shown by `interviewer review SESSION`", 2
        )
    try:
        correction = store.correct_verdict(answer, point - 1, verdict.lower())
    except ValueError as error:
        raise CommandError(str(error), 2) from None
    print(
        one_line(
            f"Answer {answer_id}, key point {number} ({correction.key_point}):"
            f" {correction.verdict.value}"
        )
    )
    return 0


@dataclass(frozen=True)
class Change:
    """How today's grader scores an old answer."""

    answer: StoredAnswer
    old: float | None
    new: ScoreResult

    def verdict_changes(self) -> list[str]:
        if self.answer.score is None:
            return []
        before = {kp.key_point: kp.verdict for kp in self.answer.score.result.key_points}
        return [
            f"{kp.key_point}: {before[kp.key_point].value} → {kp.verdict.value}"
            for kp in self.new.key_points
            if kp.key_point in before and before[kp.key_point] is not kp.verdict
        ]


def rescore(record: SessionRecord, grader: Grader) -> list[Change]:
    """Score every answer of a session again; answers whose question lost its rubric are skipped."""
    from interviewer.core.grading.grader import ScoreRequest

    answers = [a for a in record.answers if a.question_id in grader.rubrics]
    requests = [ScoreRequest(a.question_id, a.text, a.part) for a in answers]
    results = grader.score_batch(requests) if requests else []
    return [
        Change(a, a.score.result.score if a.score else None, r)
        for a, r in zip(answers, results, strict=True)
    ]


def _rescore(store: SqliteTranscriptStore, record: SessionRecord, *, save: bool) -> int:
    from rich.table import Table

    from interviewer.core.transcripts.records import versions_of
    from interviewer.wiring import build_grader, load_context

    context = load_context()
    changes = rescore(record, build_grader(context))
    table = Table(
        "answer", "question", "part", "was", "now", "change", "verdicts that moved", box=None
    )
    for change in changes:
        old = "-" if change.old is None else f"{change.old:.0f}"
        delta = "" if change.old is None else f"{change.new.score - change.old:+.0f}"
        moved = "\n".join(change.verdict_changes()) or "none"
        table.add_row(
            str(change.answer.id),
            cell(change.answer.question_id),
            cell(change.answer.part),
            old,
            f"{change.new.score:.0f}",
            delta,
            safe_text(moved),
        )
        if save:
            bank = context.banks.get(record.bank_id)
            store.save_score(
                change.answer.id, change.new, versions_of(bank, change.new, context.params)
            )
    console().print(table)
    if save:
        print(f"Saved {len(changes)} new score(s); the old ones are kept in the history.")
    return 0
