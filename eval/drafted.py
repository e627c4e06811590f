"""Drafted rubrics beside the hand-written ones, on the labelled answers (issue 15's first target).

    .venv/bin/python -m eval.drafted                 # the default drafting settings
    .venv/bin/python -m eval.drafted --set heading_weight=0.3 --set mistakes=0

The hand-written rubrics are set aside: a rubric is drafted for every seed question from its key
points and model answer alone (`interviewer.core.rubric.drafting`, the path `interviewer rubric
draft` and the on-the-fly draft take), with the packaged model, and both rubric sets score
eval/labelled/ with the same scoring map (rubrics/_scoring.yaml, fitted on these answers with the
hand-written rubrics). The questions are split in two halves by number: the drafting rules were
iterated on the odd-numbered ("dev") half only, so the even-numbered ("held-out") half is the
honest number. Prints kp ROC-AUC, Spearman and QWK side by side, and the ratio drafted/hand-written.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

from interviewer.core.bank.schema import Question
from interviewer.core.grading.embedding import StatementCache
from interviewer.core.grading.grader import Grader
from interviewer.core.result import Flag
from interviewer.core.rubric.drafting import DraftSettings, draft_rubric
from interviewer.evaluation.evaluator import KeyPointEvaluator, Outcome, agreement
from interviewer.evaluation.labelled import LabelledAnswer, load_labelled
from interviewer.paths import Paths
from interviewer.wiring import build_grader, default_embedder, load_context

METRICS = ("kp_auc", "spearman", "kp_qwk", "kp_f1", "mae_grade")


def _settings(pairs: Sequence[str]) -> DraftSettings:
    settings = DraftSettings()
    types = {f.name: type(getattr(settings, f.name)) for f in fields(DraftSettings)}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in types:
            raise SystemExit(f"--set: no setting {name!r}; one of {', '.join(types)}")
        cast = types[name]
        parsed: Any = bool(float(value)) if cast is bool else cast(value)
        settings = replace(settings, **{name: parsed})
    return settings


def drafted_grader(
    embedder: Any,
    questions: Sequence[Question],
    params: Any,
    verifier: Any = None,
    settings: DraftSettings | None = None,
) -> Grader:
    """A grader of `questions` by rubrics drafted from their key points and model answers alone."""
    cache = StatementCache(embedder, None)
    rubrics = {q.id: draft_rubric(q, cache, settings or DraftSettings()) for q in questions}
    prompts = {q.id: f"{q.title}. {q.prompt}" for q in questions}
    answers = {q.id: q.answer for q in questions}
    return Grader(embedder, rubrics, prompts, params, cache, verifier, answers=answers)


def _halves(answers: list[LabelledAnswer], numbers: dict[str, int]) -> dict[str, list[int]]:
    picked: dict[str, list[int]] = {"all": list(range(len(answers))), "dev": [], "held-out": []}
    for i, answer in enumerate(answers):
        picked["dev" if numbers[answer.question] % 2 else "held-out"].append(i)
    return picked


def _measure(grader: Grader, answers: list[LabelledAnswer], halves: dict[str, list[int]]) -> Any:
    evaluator = KeyPointEvaluator(answers)
    evaluator(grader)
    outcomes = [Outcome.of(r) for r in evaluator.results]
    flags = sum(Flag.RUBRIC_PASTED in r.flags for r in evaluator.results)
    table = {
        half: agreement([answers[i] for i in rows], [outcomes[i] for i in rows])
        for half, rows in halves.items()
    }
    return table, flags


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--no-verifier", action="store_true", help="similarity alone (the pre-verifier numbers)"
    )
    parser.add_argument(
        "--drafted-only", action="store_true", help="skip the hand-written run (faster iteration)"
    )
    args = parser.parse_args(argv)
    settings = _settings(args.set)
    started = time.perf_counter()
    paths = Paths.from_env()
    context = load_context(rubrics_dir=paths.project_rubrics)
    embedder = default_embedder()
    questions = [q for bank in context.banks.banks for q in bank.questions]
    numbers = {q.id: q.number for q in questions}
    answers = [a for a in load_labelled() if a.question in numbers]
    halves = _halves(answers, numbers)
    hand = build_grader(context, embedder, paths=paths, use_verifier=not args.no_verifier)
    # the same map and verifier as the hand-written rubrics get
    drafted = drafted_grader(embedder, questions, hand.params, hand.verifier, settings)
    drafted_rubrics = drafted.rubrics
    hand_table, hand_pasted = (
        ({h: {m: float("nan") for m in METRICS} for h in halves}, 0)
        if args.drafted_only
        else _measure(hand, answers, halves)
    )
    draft_table, draft_pasted = _measure(drafted, answers, halves)
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps({"hand": hand_table, "drafted": draft_table, "settings": args.set}))
        return 0
    print(f"{len(answers)} answers, model {embedder.name}, settings {settings}")
    print(f"{'half':9} {'metric':10} {'hand':>7} {'drafted':>8} {'ratio':>6}")
    for half in halves:
        for metric in METRICS:
            h, d = hand_table[half][metric], draft_table[half][metric]
            ratio = d / h if h else float("nan")
            print(f"{half:9} {metric:10} {h:7.3f} {d:8.3f} {ratio:6.2f}")
    statements = sum(
        len(kp.evidence) + len(kp.mistakes) + len(kp.mentions)
        for r in drafted_rubrics.values()
        for kp in r.key_points
    )
    print(
        f"drafted: {len(drafted_rubrics)} rubrics, {statements} statements; answers flagged as "
        f"pasted rubric text: hand {hand_pasted}, drafted {draft_pasted}; {seconds:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
