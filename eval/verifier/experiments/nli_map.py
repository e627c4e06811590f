"""Experiment: the NLI verifier inside the grader, every number held out by question.

    .venv/bin/python -m eval.verifier.experiments.nli_map [--artifact DIR] [--out /tmp/nli_map]

Scores every labelled answer once with the verifier on (its features are in each key point's
`features`), then compares, each fitted leave-one-question-out exactly as `interviewer tune` does:

- `similarity`: today's features only (what tune reports without a verifier);
- `+nli3`: plus v_support, v_contra, v_mention (entailment, contradiction and neutral of the best
  spans against their own closest evidence statements);
- `+nli5`: plus v_mistake (the best span entails its closest known mistake more than its closest
  evidence) and v_wrong (the largest v_mistake in the answer);
- rules on top of `+nli3`, their thresholds chosen on the training questions only (grid,
  objective Spearman): a key point whose v_mistake exceeds t keeps (1 - a) of its coverage
  (`demote`), and the answer loses A * max(0, v_wrong - c) points (`hinge`).

Prints Spearman (all, clean, messy), kp ROC-AUC, MAE, and the mean score of the kinds the issue
names, next to the graders' means; writes <out>/result.json.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from interviewer.adapters.onnx_verifier import VERIFIER_DIR as ARTIFACT
from interviewer.commands.tune import _parts
from interviewer.core.grading.params import FEATURES, VERIFIER_FEATURES
from interviewer.core.terms import weighted_score
from interviewer.evaluation import metrics, tuning
from interviewer.evaluation.evaluator import KeyPointEvaluator, Outcome
from interviewer.evaluation.labelled import load_labelled
from interviewer.wiring import build_grader, default_embedder, load_context

SIMILARITY = [f for f in FEATURES if f not in VERIFIER_FEATURES]
NLI3 = [*SIMILARITY, "v_support", "v_contra", "v_mention"]
NLI5 = [*NLI3, "v_mistake", "v_wrong"]
KINDS = ("wrong", "mixed", "wrong-recommendation", "strong", "short-expert", "other-words")


def summary(answers: Sequence[Any], outcomes: Sequence[Outcome]) -> dict[str, Any]:
    grades = np.array([a.grade for a in answers])
    scores = np.array([o.score for o in outcomes])
    sets = np.array([a.set for a in answers])
    kinds = np.array([a.kind for a in answers])
    labels = np.array([c for a in answers for c in a.coverage])
    coverage = np.array([c for o in outcomes for c in o.coverage])
    out: dict[str, Any] = {
        "spearman": metrics.spearman(scores, grades),
        "clean": metrics.spearman(scores[sets == "clean"], grades[sets == "clean"]),
        "messy": metrics.spearman(scores[sets == "messy"], grades[sets == "messy"]),
        "kp_auc": metrics.roc_auc(labels == 1.0, coverage),
        "mae": float(np.mean(np.abs(scores / 10 - grades))),
    }
    for kind in KINDS:
        out[kind] = float(scores[kinds == kind].mean())
    return out


def rescored(
    outcome: Outcome, weights: Sequence[float], factor: np.ndarray, minus: float
) -> Outcome:
    coverage = [c * f for c, f in zip(outcome.coverage, factor, strict=True)]
    score = weighted_score(weights, coverage)
    return Outcome(coverage, outcome.verdicts, round(max(0.0, score - minus), 1))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--artifact", type=Path, default=ARTIFACT)
    parser.add_argument("--out", type=Path, default=Path("/tmp/nli_map"))
    parser.add_argument("--spans", type=int, default=2, help="verified spans per key point")
    parser.add_argument("--statements", type=int, default=3, help="evidence statements per span")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    from interviewer.adapters.onnx_verifier import OnnxNliVerifier

    context = load_context()
    answers = [a for a in load_labelled() if context.rubrics.get(a.question) is not None]
    embedder = default_embedder()
    verifier = OnnxNliVerifier(args.artifact)
    # the shipped map with a zero weight on v_mistake, so the grader pairs spans with mistakes too
    params = context.params.model_copy(
        update={
            "features": [*context.params.features, "v_mistake"],
            "coef": [*context.params.coef, 0.0],
            "verify_spans": args.spans,
            "verify_statements": args.statements,
        }
    )
    grader = build_grader(context, embedder, verifier=verifier, params=params)
    evaluator = KeyPointEvaluator(answers)
    evaluator(grader)
    results = list(evaluator.results)
    scored = time.perf_counter() - started
    parts = _parts(context)  # what tune's cross-validation scores each answer against
    runs: dict[str, list[Outcome]] = {}
    for name, names in (("similarity", SIMILARITY), ("+nli3", NLI3), ("+nli5", NLI5)):
        runs[name] = tuning.cross_validated(answers, results, parts, names)

    # rules over +nli3, fitted per fold on the training questions
    base = runs["+nli3"]
    questions = sorted({a.question for a in answers})
    grades = np.array([a.grade for a in answers])
    v_mistake = [
        np.array(
            [kp.features.get("v_mistake", -1.0) if kp.features else -1.0 for kp in r.key_points]
        )
        for r in results
    ]
    v_wrong = np.array([max([*m.tolist(), -1.0]) for m in v_mistake])
    weights = [[kp.weight for kp in r.key_points] for r in results]
    demote_grid = [(a, t) for a in (0.25, 0.5, 0.75, 1.0) for t in np.arange(-0.2, 0.61, 0.05)]
    hinge_grid = [(big, c) for big in (10.0, 20.0, 40.0, 80.0) for c in np.arange(-0.2, 0.61, 0.05)]

    def apply_demote(i: int, a: float, t: float) -> Outcome:
        return rescored(base[i], weights[i], 1.0 - a * (v_mistake[i] > t), 0.0)

    def apply_hinge(i: int, big: float, c: float) -> Outcome:
        factor = np.ones(len(base[i].coverage))
        return rescored(base[i], weights[i], factor, big * max(0.0, v_wrong[i] - c))

    for rule, grid, apply in (
        ("+nli3 demote", demote_grid, apply_demote),
        ("+nli3 hinge", hinge_grid, apply_hinge),
    ):
        outs: list[Outcome | None] = [None] * len(answers)
        picked = []
        for q in questions:
            train = [i for i, a in enumerate(answers) if a.question != q]
            best, best_value = None, metrics.spearman([base[i].score for i in train], grades[train])
            for point in grid:
                value = metrics.spearman([apply(i, *point).score for i in train], grades[train])
                if value > best_value + 1e-9:
                    best, best_value = point, value
            picked.append(best)
            for i, a in enumerate(answers):
                if a.question == q:
                    outs[i] = apply(i, *best) if best else base[i]
        runs[rule] = [o for o in outs if o is not None]
        print(f"{rule}: chosen per fold {sorted(set(map(str, picked)))[:6]}")

    table = {name: summary(answers, outs) for name, outs in runs.items()}
    # uncertainty against similarity alone: questions resampled (the unit of generalisation)
    rng = np.random.default_rng(0)
    qarr = np.array([a.question for a in answers])
    members = {q: np.flatnonzero(qarr == q) for q in questions}
    draws = [
        np.concatenate([members[q] for q in rng.choice(questions, len(questions))])
        for _ in range(1000)
    ]
    base_scores = np.array([o.score for o in runs["similarity"]])
    for name, outs in runs.items():
        scores = np.array([o.score for o in outs])
        diffs = [
            metrics.spearman(scores[d], grades[d]) - metrics.spearman(base_scores[d], grades[d])
            for d in draws
        ]
        table[name]["d_lo"] = float(np.percentile(diffs, 2.5))
        table[name]["d_hi"] = float(np.percentile(diffs, 97.5))
    table["graders"] = {
        k: float(np.mean([a.grade * 10 for a in answers if a.kind == k])) for k in KINDS
    }
    cols = ["spearman", "clean", "messy", "kp_auc", "mae", *KINDS, "d_lo", "d_hi"]
    print(f"{'run':16s} " + " ".join(f"{c[:8]:>8s}" for c in cols))
    for name, row in table.items():
        print(f"{name:16s} " + " ".join(f"{row.get(c, float('nan')):8.3f}" for c in cols))
    print(
        f"scored with the verifier in {scored:.0f} s; total {time.perf_counter() - started:.0f} s"
    )
    (args.out / f"result-{args.spans}x{args.statements}.json").write_text(
        json.dumps(table, indent=1)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
