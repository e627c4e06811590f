"""`interviewer score`: score one answer (file or stdin) or a JSONL batch."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from interviewer.commands import CommandError
from interviewer.core.result import Part, ScoreResult


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    score = subparsers.add_parser("score", help="score an answer against a question's key points")
    score.add_argument("--question", "-q", help="question id, or its number in the bank")
    score.add_argument("--answer-file", "-f", type=Path, help="the answer (default: stdin)")
    score.add_argument(
        "--follow-up", action="store_true", help="score against the follow-up rubric"
    )
    score.add_argument("--batch", type=Path, help='JSONL lines {"id", "question", "answer"}')
    score.add_argument("--json", action="store_true", help="machine-readable output")
    score.add_argument(
        "--model",
        help="a local sentence-transformers folder, or `published` for the packaged model without "
        "our tuned layers (default: the packaged model with them)",
    )
    score.add_argument("--rubrics", type=Path, help="rubrics folder (default: project + user)")
    score.add_argument(
        "--feedback",
        action="store_true",
        help="then stream LLM feedback on the answer (off until configured: see `interviewer doctor`)",
    )
    score.set_defaults(handler=_run)


class InputError(Exception):
    """Input the user can fix; printed as one line."""


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{where}: the answer is not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None


def _read_answer(args: argparse.Namespace) -> str:
    if args.answer_file is not None:
        try:
            return _decode(args.answer_file.read_bytes(), str(args.answer_file))
        except OSError as error:
            raise InputError(f"{args.answer_file}: cannot read: {error.strerror}") from None
    return _decode(sys.stdin.buffer.read(), "stdin")


def _read_batch(path: Path) -> list[dict[str, Any]]:
    try:
        text = _decode(path.read_bytes(), str(path))
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"{path}:{number}: not JSON: {error.msg}") from None
        if not isinstance(row, dict) or "question" not in row or "answer" not in row:
            raise InputError(f'{path}:{number}: expected {{"id", "question", "answer"}}')
        if not isinstance(row["answer"], str):
            raise InputError(f"{path}:{number}: answer: expected a string")
        rows.append({**row, "_line": number})
    return rows


def _run(args: argparse.Namespace) -> int:
    from interviewer.core.grading.grader import ScoreRequest
    from interviewer.core.rubric.schema import RubricMissing
    from interviewer.wiring import build_grader, default_embedder, load_context

    context = load_context(rubrics_dir=args.rubrics)
    try:
        if args.batch is not None and args.feedback:
            raise InputError("--feedback takes one answer, not --batch")
        if args.batch is not None:
            rows = _read_batch(args.batch)
            refs = [str(row["question"]) for row in rows]
            lines = [f"{args.batch}:{row.pop('_line')}: " for row in rows]
        elif args.question is None:
            raise InputError("give --question ID (or --batch FILE)")
        else:
            rows, refs, lines = [], [args.question], [""]
        ids = []
        for ref, where in zip(refs, lines, strict=True):
            question = context.question(ref)
            if question is None:
                raise InputError(f"{where}no question {ref!r} (see `interviewer bank list`)")
            if context.rubrics.get(question.id) is None:
                raise InputError(f"{where}question {question.id} has no rubric")
            ids.append(question.id)
        answers = [str(row["answer"]) for row in rows] if rows else [_read_answer(args)]
    except InputError as error:
        raise CommandError(str(error), 2) from None
    part = Part.FOLLOW_UP if args.follow_up else Part.MAIN
    grader = build_grader(context, default_embedder(args.model))
    try:
        results = grader.score_batch(
            [ScoreRequest(q, a, part) for q, a in zip(ids, answers, strict=True)]
        )
    except RubricMissing as error:
        raise CommandError(error.message, 2) from None
    if args.batch is not None:
        for row, result in zip(rows, results, strict=True):
            print(json.dumps(result.contract(row.get("id")), ensure_ascii=False))
        return 0
    request = context.feedback_request(ids[0], answers[0], results[0]) if args.feedback else None
    if args.json:
        payload = result_with_messages(results[0])
        if request is not None:
            payload["feedback"] = _collect_feedback(request)
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print_result(results[0])
        if request is not None:
            _print_feedback(request)
    return 0


def result_with_messages(result: ScoreResult) -> dict[str, object]:
    payload = result.contract()
    payload["messages"] = result.messages
    return payload


def print_result(result: ScoreResult) -> None:
    """The result for a terminal; answer and bank text go in as Text, never read as markup."""
    from rich.console import Console
    from rich.text import Text

    from interviewer.views.transcripts import MARKS, VERDICT_STYLE

    console = Console()
    console.print(
        Text.assemble(
            (f"Score {result.score:.0f}/100", "bold"),
            "  ",
            (f"{result.question} · {result.part}", "dim"),
        )
    )
    for message in result.messages:
        console.print(Text(f"! {message}", style="yellow"))
    for kp in result.key_points:
        mark = (f"{MARKS[kp.verdict]} {kp.verdict.value}", VERDICT_STYLE[kp.verdict])
        console.print(Text.assemble(mark, f"  {kp.key_point}  ", (f"({kp.coverage:.2f})", "dim")))
        if kp.evidence is not None:
            console.print(Text(f"    “{kp.evidence.text}”", style="dim"))


# -- --feedback -------------------------------------------------------------------------------------

FEEDBACK_OFF = (
    "feedback off: no LLM endpoint is configured; `interviewer doctor` says how to turn it on"
)


def _collect_feedback(request: Any) -> dict[str, object]:
    """The whole feedback for --json: text, whether it is complete, the error line if any."""
    import asyncio

    from interviewer.adapters.llm import feedback_from_environment
    from interviewer.core.ports import FeedbackEventKind

    writer = feedback_from_environment()
    if writer is None:
        return {"text": "", "complete": False, "model": "", "error": FEEDBACK_OFF}

    async def collect() -> dict[str, object]:
        text, error = "", None
        async for event in writer.stream(request):
            if event.kind is FeedbackEventKind.CHUNK:
                text += event.text
            elif event.kind is FeedbackEventKind.ERROR:
                error = event.text
        return {
            "text": text,
            "complete": error is None,
            "model": writer.description,
            "error": error,
        }

    return asyncio.run(collect())


def _print_feedback(request: Any) -> None:
    """Streams the feedback to the terminal as it arrives; a fault is one line on stderr."""
    import asyncio

    from interviewer.adapters.llm import feedback_from_environment
    from interviewer.core.ports import FeedbackEventKind

    writer = feedback_from_environment()
    if writer is None:
        print(f"\n{FEEDBACK_OFF}", file=sys.stderr)
        return

    async def show() -> None:
        print(f"\nFeedback ({writer.description}):\n", flush=True)
        async for event in writer.stream(request):
            if event.kind is FeedbackEventKind.CHUNK:
                sys.stdout.write(event.text)
                sys.stdout.flush()
            elif event.kind is FeedbackEventKind.ERROR:
                print(f"\n[feedback incomplete] {event.text}", file=sys.stderr)
        print()
        if writer.config.second_opinion:
            _print_opinion(await writer.second_opinion(request), request.result)

    asyncio.run(show())


def _print_opinion(opinion: Any, result: ScoreResult) -> None:
    from interviewer.core.feedback.prompt import OpinionFailure

    if isinstance(opinion, OpinionFailure):
        print(f"[second opinion] {opinion.message}", file=sys.stderr)
        return
    print("Second opinion (LLM) beside the rubric:")
    for mine, theirs in zip(result.key_points, opinion, strict=True):
        quote = f"  “{theirs.quote}”" if theirs.quote else ""
        unsupported = "" if theirs.quote_in_answer or not theirs.quote else " (quote not in answer)"
        print(
            f"  rubric {mine.verdict.value:8} llm {theirs.verdict.value:8} {mine.key_point}{quote}{unsupported}"
        )
