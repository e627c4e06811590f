"""`interviewer tune`: calibrate the scoring parameters on labelled answers, cross-validated."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from interviewer.commands import CommandError
from interviewer.core.safe_text import one_line


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tune = subparsers.add_parser(
        "tune", help="fit scoring parameters on labelled answers (leave-one-question-out)"
    )
    tune.add_argument("--features", help="comma-separated feature names (default: all)")
    tune.add_argument("--l2", type=float, default=1.0, help="L2 penalty of the logistic fit")
    tune.add_argument(
        "--mistake-factor",
        type=float,
        default=None,
        help="coverage taken from a point stated like one of its known mistakes (default 0.5; 0: off)",
    )
    tune.add_argument(
        "--verifier-folds",
        type=Path,
        metavar="DIR",
        help="fit the verifier-aware map, with verifier features from cross-validated models "
        "(eval/verifier/train_head.py --folds)",
    )
    tune.add_argument(
        "--dry-run", action="store_true", help="report only; do not write the parameters"
    )
    tune.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder to write the fitted map to (default: the --rubrics folder when given, else "
        "your own rubrics folder, which then overrides the shipped map)",
    )
    from interviewer.evaluation.labelled import add_data_arguments

    add_data_arguments(tune, "tune")
    tune.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from interviewer.core.grading.params import FEATURES, save_params
    from interviewer.core.problems import FileProblems
    from interviewer.evaluation import report, tuning
    from interviewer.evaluation.evaluator import KeyPointEvaluator
    from interviewer.evaluation.labelled import answers_for
    from interviewer.wiring import build_grader, default_embedder, load_context, open_user_store

    console = Console()
    started = time.perf_counter()
    from interviewer.core.grading.params import VERIFIER_FEATURES

    default = (
        list(FEATURES)
        if args.verifier_folds
        else [f for f in FEATURES if f not in VERIFIER_FEATURES]
    )
    names = args.features.split(",") if args.features else default
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise CommandError(f"unknown features {unknown}; known: {', '.join(FEATURES)}", 2)
    context = load_context(rubrics_dir=args.rubrics)
    try:
        answers = answers_for(args, open_user_store)
    except FileProblems as error:
        for problem in error.problems:
            print(one_line(str(problem)), file=sys.stderr)
        return 1
    answers = [a for a in answers if context.rubrics.get(a.question) is not None]
    embedder = default_embedder(args.model)
    verifier: Any = None
    if args.verifier_folds is not None:
        from interviewer.evaluation.verifiers.loading import load_verifier

        verifier = load_verifier(args.verifier_folds, embedder)
    grader = build_grader(context, embedder, verifier=verifier, params=context.params)
    evaluator = KeyPointEvaluator(answers)
    before = evaluator(grader)
    current_verdicts = tuning.verdict_shares(answers, evaluator.outcomes)
    results = evaluator.results
    parts = _parts(context)
    factor = tuning.MISTAKE_FACTOR if args.mistake_factor is None else args.mistake_factor
    if not 0.0 <= factor <= 1.0:
        raise CommandError(f"--mistake-factor must be between 0 and 1, not {factor}", 2)
    held_out = evaluator.evaluate(
        tuning.cross_validated(answers, results, parts, names, args.l2, factor)
    )
    held_out_verdicts = tuning.verdict_shares(answers, evaluator.outcomes)
    final = tuning.fit_params(tuning.feature_table(answers, results, names), args.l2, factor)
    in_sample = evaluator.evaluate(tuning.outcomes_under(final, results, parts))
    console.print(report.metrics_table({"current": before, "tuned (held-out questions)": held_out}))
    console.print(f"verdicts, current: {current_verdicts.line()}", markup=False)
    console.print(f"verdicts, tuned (held-out questions): {held_out_verdicts.line()}", markup=False)
    console.print(
        f"in-sample (fitted and scored on the same answers, not a result): spearman {in_sample['labelled_spearman']:.3f}, kp_auc {in_sample['labelled_kp_auc']:.3f}"
    )
    console.print(
        f"fitted: {dict(zip(final.features, final.coef, strict=True))} intercept {final.intercept}; covered at {final.covered_at}, partial at {final.partial_at}"
    )
    seconds = time.perf_counter() - started
    if args.dry_run:
        console.print(f"dry run: nothing written ({seconds:.1f} s)")
        return 0
    target = _target(args)
    target.mkdir(parents=True, exist_ok=True)
    cv = f"leave-one-question-out spearman {held_out['labelled_spearman']:.3f}, kp_auc {held_out['labelled_kp_auc']:.3f}, kp_qwk {held_out_verdicts.qwk:.3f}"
    fitted = final.model_copy(update={"fitted": f"{final.fitted}; {cv}"})
    path = save_params(
        target,
        fitted,
        header="# written by `interviewer tune`; edit the labelled set, not this file",
    )
    report.write_reports(
        "tune", context.rubrics.version, fitted.fitted, seconds, held_out, evaluator.details
    )
    console.print(one_line(f"wrote {path} ({seconds:.1f} s)"), markup=False)
    return 0


def _target(args: argparse.Namespace) -> Path:
    """Where the fitted map goes: never into the package's data unless --out says so."""
    from interviewer.paths import Paths

    if args.out is not None:
        return Path(args.out)
    if args.rubrics is not None:  # a rubric version's map goes beside it, where eval reads it
        return Path(args.rubrics)
    return Paths.from_env().user_rubrics


def _parts(context: Any) -> dict[str, list[Any]]:
    parts: dict[str, list[Any]] = {}
    for question, rubric in context.rubrics.rubrics.items():
        parts[f"{question}:main"] = rubric.key_points
        if rubric.follow_up is not None:
            parts[f"{question}:follow_up"] = rubric.follow_up.key_points
    return parts
