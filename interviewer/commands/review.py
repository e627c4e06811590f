"""`interviewer review`: past sessions, one session with its evidence highlighted, re-scoring with the
current rubrics and model, and corrections of the grader's verdicts (labelled data for eval/tune).

The rich renderables here are shared with the TUI's Review screen, so both read the same.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from interviewer.core.result import ScoreResult, Verdict
from interviewer.core.transcripts.records import SessionRecord, SessionSummary, StoredAnswer
from interviewer.core.transcripts.render import PALETTE, PART_TITLES, segments

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

    from interviewer.adapters.store.sqlite import SqliteTranscriptStore
    from interviewer.core.grading.grader import Grader

VERDICT_STYLE = {Verdict.COVERED: "green", Verdict.PARTIAL: "yellow", Verdict.MISSING: "red"}
MARKS = {Verdict.COVERED: "✔", Verdict.PARTIAL: "◐", Verdict.MISSING: "✘"}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    review = subparsers.add_parser("review", help="past sessions: read, re-score, correct verdicts")
    review.add_argument("session", nargs="?", type=int, help="a session id: show it in full")
    review.add_argument("--category", help="only sessions that asked a question of this category")
    review.add_argument("--question", help="only sessions that asked this question id")
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


def _fail(message: str, status: int = 1) -> int:
    print(f"interviewer review: {message}", file=sys.stderr)
    return status


def _run(args: argparse.Namespace) -> int:
    from interviewer.adapters.store.sqlite import StoreError

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
            return _fail("--rescore needs a SESSION", 2) if args.rescore else _list(store, args)
        record = store.load_session(args.session)
        if args.rescore:
            return _rescore(store, record, save=args.save)
        print_all(session_renderables(record))
        return 0
    except StoreError as error:
        return _fail(error.message)


def open_user_store() -> SqliteTranscriptStore:
    """The user's store; it reads the banks when a session lacks its questions' text."""
    from interviewer.adapters.store.sqlite import open_store

    return open_store()


def console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def print_all(items: list[RenderableType]) -> None:
    out = console()
    for item in items:
        out.print(item)


def _list(store: SqliteTranscriptStore, args: argparse.Namespace) -> int:
    from rich.table import Table

    summaries = store.list_sessions(category=args.category, question=args.question)
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


def summary_cells(summary: SessionSummary) -> list[str]:
    mean = "-" if summary.mean_score is None else f"{summary.mean_score:.0f}"
    status = "" if summary.finished_at else " …"  # unfinished: resumable from the start screen
    return [
        str(summary.id),
        f"{summary.started_at.astimezone():%Y-%m-%d %H:%M}{status}",
        summary.bank_id,
        f"{summary.answered}/{summary.questions}",
        mean,
        ", ".join(summary.categories),
    ]


# -- one session ----------------------------------------------------------------------------------


def highlighted_answer(answer: StoredAnswer) -> Text:
    """The answer with each key point's evidence on that point's colour."""
    from rich.text import Text

    points = answer.score.result.key_points if answer.score else []
    text = Text()
    previous: int | None = None
    for segment in segments(answer.text, points):
        index = segment.key_point
        if index is not None and index != previous:  # the link survives without colour
            text.append(f"[{index + 1}]", style=f"bold {PALETTE[index % len(PALETTE)]}")
        style = "" if index is None else f"black on {PALETTE[index % len(PALETTE)]}"
        text.append(segment.text, style=style)
        previous = index
    return text


def key_point_lines(answer: StoredAnswer) -> Text:
    """One line per key point: its number (for --correct), verdict, label, coverage, correction."""
    from rich.text import Text

    text = Text()
    if answer.score is None:
        return Text("not scored", style="dim")
    for index, (kp, verdict) in enumerate(
        zip(answer.score.result.key_points, answer.verdicts(), strict=True)
    ):
        swatch = f"on {PALETTE[index % len(PALETTE)]}"
        text.append("  ", style=swatch).append(f" [{index + 1}] ")
        text.append(f"{MARKS[verdict]} {verdict.value:<8}", style=VERDICT_STYLE[verdict])
        text.append(f" {kp.key_point} ").append(f"({kp.coverage:.2f})", style="dim")
        if answer.correction(index) is not None:
            text.append(f"  corrected: grader said {kp.verdict.value}", style="italic cyan")
        text.append("\n")
    return text


def answer_renderables(record: SessionRecord, answer: StoredAnswer) -> list[RenderableType]:
    from rich.markdown import Markdown
    from rich.rule import Rule
    from rich.text import Text

    question = record.question(answer.question_id)
    prompt = question.follow_up if answer.part == "follow_up" else question.prompt
    score = answer.effective_score()
    shown = "not scored" if score is None else f"{score:.0f}/100"
    items: list[RenderableType] = [
        Rule(f"{question.title} · {PART_TITLES.get(answer.part, answer.part)}", align="left"),
        Text(prompt or "", style="italic"),
        Text(f"answer {answer.id} · score {shown} · {answer.seconds:.0f} s", style="bold"),
        highlighted_answer(answer),
        key_point_lines(answer),
    ]
    if answer.feedback is not None:
        items += [Text("Feedback", style="bold"), Markdown(answer.feedback.text)]
    if answer.part == "main" and question.model_answer:
        items += [Text("Model answer", style="bold"), Markdown(question.model_answer)]
    return items


def session_renderables(record: SessionRecord) -> list[RenderableType]:
    from rich.text import Text

    mean = record.mean_score()
    head = Text.assemble(
        (f"Session {record.id}", "bold"),
        f" · {record.bank_id} · {record.started_at.astimezone():%Y-%m-%d %H:%M}",
        f" · mean score {'-' if mean is None else f'{mean:.0f}'}",
    )
    items: list[RenderableType] = [head]
    for answer in record.answers:
        items += answer_renderables(record, answer)
    if not record.answers:
        items.append(Text("No answers were submitted in this session.", style="dim"))
    return items


# -- corrections and re-scoring -------------------------------------------------------------------


def _correct(store: SqliteTranscriptStore, answer_id: str, number: str, verdict: str) -> int:
    if not answer_id.isdigit() or not number.isdigit() or int(number) < 1:
        return _fail("ANSWER_ID and KP_NUMBER are numbers shown by `interviewer review SESSION`", 2)
    try:
        correction = store.correct_verdict(int(answer_id), int(number) - 1, verdict.lower())
    except ValueError as error:
        return _fail(str(error), 2)
    print(
        f"Answer {answer_id}, key point {number} ({correction.key_point}):"
        f" {correction.verdict.value}"
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
            change.answer.question_id,
            change.answer.part,
            old,
            f"{change.new.score:.0f}",
            delta,
            moved,
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
