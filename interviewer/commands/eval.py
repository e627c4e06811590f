"""`interviewer eval`: the grader against the labelled set, rubric versions side by side, benchmarks."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from interviewer.commands import CommandError
from interviewer.core.safe_text import one_line

BENCHMARKS = ("mohler", "semeval", "asap")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ev = subparsers.add_parser("eval", help="measure the grader on labelled answers and benchmarks")
    ev.add_argument(
        "--compare",
        type=Path,
        metavar="OTHER_RUBRICS_DIR",
        help="a second rubric version, reported side by side with deltas",
    )
    ev.add_argument(
        "--baseline",
        action="store_true",
        help="add the naive baseline: the seed's key points as the only evidence",
    )
    ev.add_argument(
        "--benchmark",
        action="append",
        choices=BENCHMARKS,
        help="score a public benchmark zero-shot (repeatable)",
    )
    ev.add_argument(
        "--no-verifier",
        action="store_true",
        help="similarity only: skip the entailment verifier (the shipped one, or --verifier-folds)",
    )
    ev.add_argument(
        "--verifier-folds",
        type=Path,
        metavar="DIR",
        help="cross-validated verifier models (eval/verifier/train_head.py --folds): each question "
        "is judged by a model that never saw its claims",
    )
    ev.add_argument(
        "--llm",
        action="store_true",
        help="add the configured LLM endpoint's per-key-point verdicts (its second opinion) as a "
        "column: the LLM as the verifier, measured beside the local one",
    )
    ev.add_argument("--no-record", action="store_true", help="do not write eval/reports/")
    ev.add_argument("--json", action="store_true", help="print the metrics as JSON")
    from interviewer.evaluation.labelled import add_data_arguments

    add_data_arguments(ev, "evaluate")
    ev.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from interviewer.core.problems import FileProblems

    console = Console()
    started = time.perf_counter()
    if args.verifier_folds is not None:
        _require_verifier_map(args.rubrics)
    embedder = _embedder(args.model)
    if args.benchmark and not (args.data or args.rubrics or args.compare or args.baseline):
        return _benchmarks(
            console, embedder, args.benchmark, as_json=args.json, verifier=_bench_verifier(args)
        )
    try:
        status = _labelled(console, embedder, args, started)
    except FileProblems as error:
        for problem in error.problems:
            print(one_line(str(problem)), file=sys.stderr)
        return 1
    if status == 0 and args.benchmark:
        status = _benchmarks(
            console, embedder, args.benchmark, as_json=args.json, verifier=_bench_verifier(args)
        )
    return status


def _require_verifier_map(rubrics: Path | None) -> None:
    """Without a fitted verifier map the verifier's judgements change no score: say so, early."""
    from interviewer.wiring import load_context

    if load_context(rubrics_dir=rubrics).verifier_params is None:
        raise CommandError(
            "no verifier map (_scoring_verifier.yaml) in the rubrics folder, so a verifier would "
            "change nothing; `interviewer tune --verifier-folds DIR` fits one "
            "(with --dry-run it only reports)",
            2,
        )


def _embedder(model: str | None) -> Any:
    from interviewer.wiring import default_embedder

    embedder = default_embedder(model)
    embedder.load()  # type: ignore[attr-defined]
    return embedder


def _labelled(console: Any, embedder: Any, args: argparse.Namespace, started: float) -> int:
    import json

    from interviewer.core.grading.grader import Grader
    from interviewer.core.grading.params import ScoringParams
    from interviewer.core.result import Part
    from interviewer.evaluation import report
    from interviewer.evaluation.baseline import naive_rubrics
    from interviewer.evaluation.evaluator import KeyPointEvaluator
    from interviewer.evaluation.labelled import answers_for, check_against_key_points
    from interviewer.wiring import build_grader, load_context, open_user_store

    context = load_context(rubrics_dir=args.rubrics)
    answers = answers_for(args, open_user_store)
    counts = {(q, Part.MAIN): len(r.key_points) for q, r in context.rubrics.rubrics.items()}
    counts |= {
        (q, Part.FOLLOW_UP): len(r.follow_up.key_points)
        for q, r in context.rubrics.rubrics.items()
        if r.follow_up
    }
    problems = check_against_key_points(answers, counts)
    for problem in problems:
        print(one_line(f"skipped: {problem}"), file=sys.stderr)
    bad = {p.split(":")[0] for p in problems}
    answers = [a for a in answers if a.id not in bad]
    if not answers:
        raise CommandError("no usable labelled answers")
    writer = None
    if args.llm and (writer := _llm_writer()) is None:
        return 2
    columns: dict[str, dict[str, float]] = {}
    kinds: dict[str, Any] = {}
    runs: list[tuple[str, Any]] = []
    if args.baseline:
        naive = Grader(
            embedder, naive_rubrics(context.rubrics.rubrics), context.prompts(), ScoringParams()
        )
        runs.append(("raw key points", naive))
    with_verifier = None if args.no_verifier else _verifier(args.verifier_folds, embedder)
    if with_verifier is not None and context.verifier_params is not None:
        runs.append(("similarity only", build_grader(context, embedder, use_verifier=False)))
    runs.append(  # what the product scores with
        (
            "rubrics",
            build_grader(
                context, embedder, verifier=with_verifier, use_verifier=not args.no_verifier
            ),
        )
    )
    if args.compare is not None:
        compare = load_context(rubrics_dir=args.compare)
        runs.append(("compare", build_grader(compare, embedder, use_verifier=not args.no_verifier)))
    evaluator = KeyPointEvaluator(answers)
    details: dict[str, Any] = {}
    local: list[Any] = []
    for name, grader in runs:
        columns[name] = evaluator(grader)
        kinds[name] = evaluator.details["per_kind"]
        details[name] = evaluator.details
        if name == "rubrics":
            local = list(evaluator.results)
    if writer is not None:
        columns["LLM second opinion"] = _llm_column(writer, context, answers, local, evaluator)
        kinds["LLM second opinion"] = evaluator.details["per_kind"]
    seconds = time.perf_counter() - started
    main = details["rubrics"]
    if args.json:
        print(json.dumps({"metrics": columns, "seconds": round(seconds, 2)}, indent=2))
    else:
        report.print_tables(
            console,
            report.metrics_table(columns),
            report.kinds_table(kinds),
            report.worst_table(
                main["worst_key_points"],
                "Worst key points (rubrics)",
                ["question", "key_point", "auc", "mean_abs_error"],
            ),
            report.worst_table(
                main["worst_answers"],
                "Largest disagreements (rubrics)",
                ["id", "kind", "grade", "score", "gap"],
            ),
        )
        console.print(
            f"{len(answers)} answers, {len(runs)} run(s) in {seconds:.1f} s (model loaded once)"
        )
    if not args.no_record:
        version = context.rubrics.version
        path, csv_path = report.write_reports(
            "eval", version, context.params.fitted, seconds, columns["rubrics"], main
        )
        console.print(one_line(f"report: {path}  ·  row appended to {csv_path}"), markup=False)
    return 0


def _llm_writer() -> Any:
    """The configured endpoint, or None after saying how to configure one."""
    from interviewer.adapters.llm import feedback_from_environment

    writer = feedback_from_environment()
    if writer is None:
        print(
            "interviewer eval --llm: no LLM endpoint is configured; `interviewer doctor` says how",
            file=sys.stderr,
        )
    return writer


def _llm_column(
    writer: Any, context: Any, answers: list[Any], local: list[Any], evaluator: Any
) -> dict[str, float]:
    """The endpoint's verdicts on every answer, measured like a grader."""
    import asyncio

    from rich.console import Console

    from interviewer.evaluation.llm_judge import judge_all

    requests = [
        context.feedback_request(a.question, a.answer, r)
        for a, r in zip(answers, local, strict=True)
    ]
    console = Console(stderr=True)  # stdout may be the --json report
    console.print(
        one_line(f"asking {writer.description} about {len(requests)} answers ..."), markup=False
    )
    with console.status("") as status:

        def show(done: int) -> None:
            status.update(f"{done}/{len(requests)} answers judged by the LLM")

        run = asyncio.run(judge_all(writer, [a.id for a in answers], requests, progress=show))
    metrics: dict[str, float] = evaluator.evaluate(run.outcomes)
    console.print(
        f"LLM second opinion: {run.judged}/{len(requests)} answers judged in {run.seconds:.1f} s"
        + (f"; the rest keep the local grade ({len(run.failures)} failed)" if run.failures else "")
    )
    for line in run.failures[:3]:
        console.print(f"  {one_line(line)}", style="yellow", markup=False)  # LLM text is data
    return metrics


def _bench_verifier(args: argparse.Namespace) -> Any:
    """The shipped verifier for the benchmarks' second run, unless --no-verifier."""
    from interviewer.wiring import default_verifier

    return None if args.no_verifier else default_verifier()


def _verifier(folds: Path | None, embedder: Any) -> Any:
    from interviewer.evaluation.verifiers.loading import default_verifier, load_verifier

    return default_verifier(embedder) if folds is None else load_verifier(folds, embedder)


def _plain(value: Any) -> Any:
    """A benchmark result as JSON values: rows as objects, numpy numbers as floats, NaN as null."""
    import math

    if hasattr(value, "_asdict"):
        return _plain(value._asdict())
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _benchmarks(
    console: Any, embedder: Any, names: list[str], *, as_json: bool = False, verifier: Any = None
) -> int:
    """Each benchmark's table, or with `as_json` one JSON document {"benchmarks": {name: result}}.
    With a `verifier`, Mohler and SemEval run again with its entailment probability in place of the
    similarity (`NAME+verifier`)."""
    import json

    from interviewer.evaluation import external
    from interviewer.evaluation.zero_shot import element_coverage, entailment, pair_similarity

    status = 0
    results: dict[str, Any] = {}
    runs = [
        (name, run)
        for name in dict.fromkeys(names)
        for run in ((name, f"{name}+verifier") if verifier and name != "asap" else (name,))
    ]
    for name, run in runs:
        started = time.perf_counter()
        score = entailment(verifier) if run.endswith("+verifier") else pair_similarity(embedder)
        try:
            if name == "mohler":
                result: Any = external.run_mohler(score)
            elif name == "semeval":
                result = external.run_semeval(score)
            else:
                result = external.run_asap(element_coverage(embedder))
        except external.ExternalDataMissing as error:
            print(one_line(f"interviewer eval: {name}: skipped: {error}"), file=sys.stderr)
            status = 1
            continue
        seconds = round(time.perf_counter() - started, 2)
        if as_json:
            results[run] = {**_plain(result), "seconds": seconds}
            continue
        if run != name:
            console.print("with the entailment verifier: P(the answer entails the reference)")
        console.print(external.format_table(result))
        console.print(f"{run}: {seconds:.1f} s")
    if as_json:
        print(json.dumps({"benchmarks": results}, indent=2, ensure_ascii=False))
    return status
