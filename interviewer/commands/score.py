"""`interviewer score`: score one answer (file or stdin) or a JSONL batch."""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interviewer.commands import CommandError, model_folder, rubrics_folder
from interviewer.core.result import Part, ScoreResult

if TYPE_CHECKING:
    from interviewer.core.bank.schema import Question
    from interviewer.wiring import GradingContext


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    score = subparsers.add_parser("score", help="score an answer against a question's key points")
    score.add_argument("--question", "-q", help="question id, or its number in the bank")
    score.add_argument(
        "--bank",
        help="the bank ID and number refer to (default: the first bank that has it); a --batch "
        'line may name its own with "bank"',
    )
    score.add_argument("--answer-file", "-f", type=Path, help="the answer (default: stdin)")
    score.add_argument(
        "--follow-up", action="store_true", help="score against the follow-up rubric"
    )
    score.add_argument(
        "--batch", type=Path, help='JSONL lines {"id", "question", "answer"} (and "bank")'
    )
    score.add_argument("--json", action="store_true", help="machine-readable output")
    score.add_argument(
        "--model",
        type=model_folder,
        help="a local sentence-transformers folder, or `published` for the packaged model without "
        "our tuned layers (default: the packaged model with them)",
    )
    score.add_argument(
        "--rubrics", type=rubrics_folder, help="rubrics folder (default: project + user)"
    )
    score.add_argument(
        "--no-verifier",
        action="store_true",
        help="similarity alone: skip the entailment verifier (about half the time per answer)",
    )
    score.add_argument(
        "--judge",
        choices=("local", "llm"),
        help="whose per-key-point verdicts set the score: the local grader's (default) or the "
        "configured LLM's, with the local ones shown beside them ([llm] judge in config.toml)",
    )
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


# -- --batch: each line is scored or reported on its own ---------------------------------------------

MAX_BATCH_INT_DIGITS = 100
_BOM = b"\xef\xbb\xbf"
_SHAPE = 'expected {"id", "question", "answer"}'


class BadLine(ValueError):
    """Why one batch line cannot be scored (the other lines still are), with its id once known."""

    def __init__(self, message: str, request_id: str | int | float | None = None) -> None:
        super().__init__(message)
        self.request_id = request_id


@dataclass(frozen=True)
class BatchLine:
    """One non-blank line of a batch file: a question reference and an answer, or an error."""

    number: int
    id: str | int | float | None = None
    question: str = ""
    answer: str = ""
    error: str | None = None
    bank: str | None = None


def _no_constant(name: str) -> float:
    raise BadLine(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadLine(f"the number {text[:20]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_BATCH_INT_DIGITS:
        raise BadLine(f"a number longer than {MAX_BATCH_INT_DIGITS} digits")
    return int(text)


def _unicode(field: str, text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise BadLine(
            f"{field}: a lone surrogate {text[error.start]!r} at character {error.start} "
            "is not text"
        ) from None
    return text


def _parse_line(number: int, raw: bytes) -> BatchLine:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadLine(f"not UTF-8 text (byte {error.start}); save it as UTF-8") from None
    try:
        row = json.loads(
            text, parse_constant=_no_constant, parse_float=_finite, parse_int=_bounded_int
        )
    except json.JSONDecodeError as error:
        raise BadLine(f"not JSON: {error.msg} (column {error.colno})") from None
    except RecursionError:
        raise BadLine("not JSON this program reads: nested too deeply") from None
    if not isinstance(row, dict):
        raise BadLine(f"{_SHAPE}, got a JSON {type(row).__name__}")
    missing = [key for key in ("question", "answer") if key not in row]
    if missing:
        raise BadLine(f"{_SHAPE}; {' and '.join(map(repr, missing))} missing")
    request_id, question, answer = row.get("id"), row["question"], row["answer"]
    if isinstance(request_id, bool) or not isinstance(request_id, str | int | float | None):
        raise BadLine("id: expected a string or a number")
    if isinstance(request_id, str):
        _unicode("id", request_id)
    try:
        if isinstance(question, int) and not isinstance(question, bool):
            question = str(question)
        if not isinstance(question, str):
            raise BadLine("question: expected a question id or number")
        if not isinstance(answer, str):
            raise BadLine("answer: expected a string")
        bank = row.get("bank")
        if not isinstance(bank, str | None):
            raise BadLine("bank: expected a bank id")
        return BatchLine(
            number,
            request_id,
            _unicode("question", question),
            _unicode("answer", answer),
            bank=None if bank is None else _unicode("bank", bank),
        )
    except BadLine as error:
        raise BadLine(str(error), request_id) from None


def read_batch(data: bytes) -> list[BatchLine]:
    """Every non-blank line of a JSONL batch, in order, each parsed or carrying its error. A UTF-8
    byte order mark is accepted (as `-f` accepts it) and a truncated last line is just a bad line."""
    lines: list[BatchLine] = []
    for number, raw in enumerate(data.removeprefix(_BOM).split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            lines.append(_parse_line(number, raw))
        except BadLine as error:
            lines.append(BatchLine(number, error.request_id, error=str(error)))
        except ValueError as error:  # anything else json refuses: one line, not a traceback
            lines.append(BatchLine(number, error=f"not JSON: {error}"[:200]))
    return lines


def _checked(
    line: BatchLine, context: GradingContext, part: Part, bank: str | None = None
) -> BatchLine:
    """The line with its question's id, or with why that question cannot be scored. The line's
    own "bank" wins over `bank` (--bank)."""
    if line.error is not None:
        return line
    bank = line.bank or bank
    if (unknown := _unknown_bank(context, bank)) is not None:
        return replace(line, error=unknown)
    question = context.question(line.question, bank)
    if question is None:
        return replace(line, error=_no_question(line.question, bank))
    if (why := _not_graded(context, question, part)) is not None:
        return replace(line, error=why)
    return replace(line, question=question.id)


def _no_question(ref: str, bank: str | None) -> str:
    where = f" in bank {bank[:100]!r}" if bank else ""
    return f"no question {ref[:100]!r}{where} (see `interviewer bank list`)"


def _not_graded(context: GradingContext, question: Question, part: Part) -> str | None:
    """Why this part of the question is not graded, or None. A question with no rubric is graded
    with one drafted from its model answer; a follow-up with no key points is for practice only."""
    from interviewer.core.rubric.schema import PracticeOnly

    if part != Part.FOLLOW_UP:
        return None
    if question.follow_up is None:
        return f"question {question.id} has no follow-up"
    rubric = context.rubrics.get(question.id)
    return PracticeOnly(question.id).message if rubric is None or rubric.follow_up is None else None


def _unknown_bank(context: GradingContext, bank: str | None) -> str | None:
    if bank is None or context.banks.get(bank) is not None:
        return None
    known = ", ".join(b.id for b in context.banks.banks)
    return f"no bank {bank[:100]!r} (the banks: {known}; see `interviewer bank list`)"


def _warn_skipped_files(context: GradingContext) -> None:
    """A bank or rubric file that was skipped (broken, or rejected by the checks of `bank check`)
    is named, so a user's rubric that is not in use never goes unnoticed."""
    from interviewer.core.safe_text import one_line

    for problem in [*context.banks.problems, *context.rubrics.problems]:
        print(one_line(f"warning: {problem}"), file=sys.stderr)


def _run_batch(args: argparse.Namespace, context: GradingContext) -> int:
    """Scores the good lines; reports each bad one on stderr with its line number and as an
    `{"line", "id", "error"}` object in its place on stdout, so the output stays one JSON
    document per input line. Exit status 2 when any line failed."""
    from interviewer.core.grading.grader import ScoreRequest
    from interviewer.core.safe_text import json_text, one_line
    from interviewer.wiring import build_grader, cache_progress_on_stderr, default_embedder

    if args.feedback:
        raise CommandError("--feedback takes one answer, not --batch", 2)
    try:
        data = args.batch.read_bytes()
    except OSError as error:
        raise CommandError(f"{args.batch}: cannot read: {error.strerror}", 2) from None
    part = Part.FOLLOW_UP if args.follow_up else Part.MAIN
    lines = [_checked(line, context, part, args.bank) for line in read_batch(data)]
    if not lines:
        raise CommandError(f"{args.batch}: no answers to score (no non-blank line)", 2)
    bad = [line for line in lines if line.error is not None]
    for line in bad:
        print(
            one_line(f"interviewer score: {args.batch}:{line.number}: {line.error}"),
            file=sys.stderr,
        )
    good = [line for line in lines if line.error is None]
    results: dict[int, ScoreResult] = {}
    if good:
        grader = build_grader(
            context,
            default_embedder(args.model),
            use_verifier=not args.no_verifier,
            progress=cache_progress_on_stderr,
        )
        scored = grader.score_batch([ScoreRequest(g.question, g.answer, part) for g in good])
        results = {line.number: result for line, result in zip(good, scored, strict=True)}
    for line in lines:
        if line.error is None:
            payload = results[line.number].contract(line.id)
        else:
            payload = {"line": line.number, "error": line.error}
            if line.id is not None:
                payload["id"] = line.id
        print(json_text(json.dumps(payload, ensure_ascii=False)))
    if bad:
        print(
            one_line(
                f"interviewer score: {args.batch}: {len(bad)} of {len(lines)} line(s) not scored"
            ),
            file=sys.stderr,
        )
        return 2
    return 0


def _run(args: argparse.Namespace) -> int:
    from interviewer.core.grading.grader import ScoreRequest
    from interviewer.core.rubric.schema import RubricMissing
    from interviewer.core.safe_text import json_text
    from interviewer.wiring import (
        build_grader,
        cache_progress_on_stderr,
        default_embedder,
        load_context,
    )

    context = load_context(rubrics_dir=args.rubrics)
    _warn_skipped_files(context)
    if args.batch is not None:
        return _run_batch(args, context)
    try:
        if args.question is None:
            raise InputError("give --question ID (or --batch FILE)")
        if (unknown := _unknown_bank(context, args.bank)) is not None:
            raise InputError(unknown)
        question = context.question(args.question, args.bank)
        if question is None:
            raise InputError(_no_question(args.question, args.bank))
        part = Part.FOLLOW_UP if args.follow_up else Part.MAIN
        if (why := _not_graded(context, question, part)) is not None:
            if question.follow_up is None:
                raise InputError(why)
            return _practice_only(question.id, why, as_json=args.json)
        answer = _read_answer(args)
    except InputError as error:
        raise CommandError(str(error), 2) from None
    grader = build_grader(
        context,
        default_embedder(args.model),
        use_verifier=not args.no_verifier,
        progress=cache_progress_on_stderr,
    )
    try:
        (local,) = grader.score_batch([ScoreRequest(question.id, answer, part)])
    except RubricMissing as error:
        raise CommandError(error.message, 2) from None
    result = _judged(args, context, question.id, answer, local)
    request = context.feedback_request(question.id, answer, result) if args.feedback else None
    if args.json:
        payload = result_with_messages(result)
        if request is not None:
            payload["feedback"] = _collect_feedback(request)
        print(json_text(json.dumps(payload, ensure_ascii=False, indent=2)))
    else:
        print_result(result)
        if request is not None:
            _print_feedback(request)
    return 0


def _practice_only(question: str, message: str, *, as_json: bool) -> int:
    """A follow-up with no key points: said plainly, not an error (the answer is not read)."""
    from interviewer.core.safe_text import json_text, one_line

    if as_json:
        payload = {"question": question, "part": Part.FOLLOW_UP.value, "graded": False}
        print(json_text(json.dumps({**payload, "message": message}, ensure_ascii=False)))
    else:
        print(one_line(f"{message[:1].upper()}{message[1:]}."))
    return 0


def _judged(
    args: argparse.Namespace,
    context: GradingContext,
    question: str,
    answer: str,
    local: ScoreResult,
) -> ScoreResult:
    """With the LLM as the judge (--judge llm, or `judge = "llm"` in [llm]), its verdicts set the
    score and the local ones are kept beside them. No endpoint, or a fault, keeps the local score
    and says so in one line: the answer is scored either way."""
    import asyncio

    from interviewer.adapters.llm import feedback_from_environment, load_feedback_config
    from interviewer.core.feedback.judge import Judge, judged_by_llm
    from interviewer.core.ports import OpinionFailure
    from interviewer.core.safe_text import one_line

    judge = args.judge or load_feedback_config().config.judge
    if judge != Judge.LLM or not local.key_points:
        return local
    writer = feedback_from_environment()
    if writer is None:
        print(
            "interviewer score: --judge llm: no LLM endpoint is configured (`interviewer doctor` "
            "says how); scored by the local grader",
            file=sys.stderr,
        )
        return local
    request = context.feedback_request(question, answer, local)
    opinion = asyncio.run(writer.second_opinion(request))
    if isinstance(opinion, OpinionFailure):
        print(
            one_line(
                f"interviewer score: --judge llm: {opinion.message}; scored by the local grader"
            ),
            file=sys.stderr,
        )
        return local
    return judged_by_llm(local, opinion)


def result_with_messages(result: ScoreResult) -> dict[str, object]:
    payload = result.contract()
    payload["messages"] = result.messages
    return payload


def print_result(result: ScoreResult) -> None:
    """The result for a terminal; answer and bank text go in as Text, never read as markup."""
    from rich.console import Console

    from interviewer.core.transcripts.export_text import second_opinion_label, strong_answer_notes
    from interviewer.views.safe import one_line, safe_text, styled
    from interviewer.views.transcripts import MARKS, VERDICT_STYLE

    console = Console(highlight=False)
    console.print(
        styled(
            (f"Score {result.score:.0f}/100", "bold"),
            "  ",
            (one_line(f"{result.question} · {result.part}"), "dim"),
        )
    )
    for message in result.messages:
        console.print(safe_text(f"! {message}", style="yellow"))
    for kp in result.key_points:
        mark = (f"{MARKS[kp.verdict]} {kp.verdict.value}", VERDICT_STYLE[kp.verdict])
        console.print(
            styled(mark, f"  {one_line(kp.key_point)}  ", (f"({kp.coverage:.2f})", "dim"))
        )
        if kp.second is not None:
            console.print(safe_text(f"    {second_opinion_label(kp.second)}"))
        if kp.evidence is not None:
            console.print(safe_text(f"    “{kp.evidence.text}”", style="dim"))
        for note, statement in strong_answer_notes(kp, kp.verdict):
            console.print(safe_text(f"    {note}: “{one_line(statement)}”", style="dim"))


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
    from interviewer.core.safe_text import StreamCleaner, one_line

    writer = feedback_from_environment()
    if writer is None:
        print(f"\n{FEEDBACK_OFF}", file=sys.stderr)
        return

    async def show() -> None:
        print(f"\nFeedback ({one_line(writer.description)}):\n", flush=True)
        stream = StreamCleaner()  # LLM output is data: no escape sequence reaches the terminal
        async for event in writer.stream(request):
            if event.kind is FeedbackEventKind.CHUNK:
                sys.stdout.write(stream.feed(event.text))
                sys.stdout.flush()
            elif event.kind is FeedbackEventKind.ERROR:
                sys.stdout.write(stream.flush())
                print(f"\n[feedback incomplete] {one_line(event.text)}", file=sys.stderr)
        sys.stdout.write(stream.flush())
        print()
        if writer.config.second_opinion:
            _print_opinion(await writer.second_opinion(request), request.result)

    asyncio.run(show())


def _print_opinion(opinion: Any, result: ScoreResult) -> None:
    from interviewer.core.ports import OpinionFailure
    from interviewer.core.safe_text import one_line

    if isinstance(opinion, OpinionFailure):
        print(f"[second opinion] {one_line(opinion.message)}", file=sys.stderr)
        return
    print("Second opinion (LLM) beside the rubric:")
    for mine, theirs in zip(result.key_points, opinion, strict=True):
        quote = f"  “{theirs.quote}”" if theirs.quote else ""
        unsupported = "" if theirs.quote_in_answer or not theirs.quote else " (quote not in answer)"
        line = f"  rubric {mine.verdict.value:8} llm {theirs.verdict.value:8} {mine.key_point}"
        print(one_line(f"{line}{quote}{unsupported}"))
