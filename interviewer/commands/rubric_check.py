"""`interviewer rubric check`: a quality report on a bank's rubrics, one line per finding.

Exit status 1 when a rubric cannot work as written (a key point the question's own model answer does
not cover), else 0; warnings (a point other questions' model answers cover, overlapping key points,
too few, duplicate or copied evidence statements) are listed without failing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from interviewer.commands import CommandError


def add_verb(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = verbs.add_parser(
        "check",
        help="report how well each rubric separates its key points (exit 1 on failures)",
        description=__doc__,
    )
    check.add_argument("--bank", help="bank id (default: every bank)")
    check.add_argument(
        "--rubrics",
        type=Path,
        help="check the rubrics in this folder (default: the project's and yours); the scoring "
        "map still comes from both",
    )
    check.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from interviewer.core.rubric.quality import MemoEmbedder, check_bank
    from interviewer.core.safe_text import one_line
    from interviewer.paths import Paths
    from interviewer.wiring import build_grader, default_embedder, layered_params, load_context

    if args.rubrics is not None and not args.rubrics.is_dir():
        raise CommandError(f"{args.rubrics}: no such folder", 2)
    paths = Paths.from_env()
    context = load_context(paths, rubrics_dir=args.rubrics)
    if args.rubrics is not None:  # the fitted map is the project's or the user's, not the folder's
        context.params = layered_params([paths.project_rubrics, paths.user_rubrics, args.rubrics])
    for problem in [*context.banks.problems, *context.rubrics.problems]:
        print(one_line(f"warning: {problem}"), file=sys.stderr)
    banks = [bank for bank in context.banks.banks if args.bank in (None, bank.id)]
    if not banks:
        raise CommandError(f"no bank {str(args.bank)[:100]!r} (see `interviewer bank list`)", 2)
    grader = build_grader(context, MemoEmbedder(default_embedder()), paths=paths)
    failures = 0
    for bank in banks:
        report = check_bank(bank.questions, context.rubrics.rubrics, grader)
        for finding in report.findings:
            print(one_line(str(finding)))
        if missing := report.without_rubric:
            print(
                one_line(
                    f"warn: {len(missing)} question(s) have no rubric here (not checked; scoring "
                    f"drafts one on the fly, `interviewer rubric draft` writes it): "
                    f"{', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}"
                )
            )
        failures += len(report.failures)
        checked = report.questions - len(missing)
        print(
            one_line(
                f"{bank.id}: {checked} of {report.questions} questions checked, "
                f"{report.key_points} key points: {len(report.failures)} failure(s), "
                f"{len(report.warnings)} warning(s)"
            )
        )
    return 1 if failures else 0
