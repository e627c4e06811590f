"""Experiment (not shipped): the masked-term contrast check as a verifier signal.

    .venv/bin/python -m eval.verifier.experiments.contrast_check

For each pair of easily swapped terms (`eval/verifier/contrasts.yaml`), the rubric's evidence gives
descriptions of each term. A clause that names one term is masked ("write-through" -> "it") and
compared with the masked descriptions of both: `reversal` = similarity to the rival's descriptions
minus similarity to its own (mean of the two closest). Prints:
1. how well it separates our claim sentences (`eval/verifier/claims/`: supports vs contradicts);
2. its mean per answer kind on the labelled set, at each key point's best-matching span;
3. the leave-one-question-out logistic fit of the grader's similarity features, with and without it.
The labelled answers are only measured, never used to choose anything here.
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from functools import lru_cache
from typing import Any

import numpy as np
import yaml

from eval.verifier.pairs import CLAIMS, CONTRASTS
from interviewer.core.grading.grader import ScoreRequest
from interviewer.core.result import Part
from interviewer.evaluation.labelled import load_labelled
from interviewer.wiring import build_grader, default_embedder, load_context

SIMILARITY = (
    "best",
    "max",
    "centroid",
    "mistake_margin",
    "mention_margin",
    "specificity",
    "relevance",
    "focus",
    "explain",
)
_CLAUSE = re.compile(r"(?<=[.;!?])\s+|\n+|\s*;\s*|\s+[-–—]\s+|,\s*(?=(?:while|whereas|but)\b)")


def clauses(text: str) -> list[str]:
    return [c.strip(" -*•\t") for c in _CLAUSE.split(text) if c and c.strip(" -*•\t")]


@lru_cache(maxsize=512)
def _term(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(term) + r"(?![\w-])", re.IGNORECASE)


def side(text: str, pair: tuple[str, str]) -> int | None:
    first, second = (_term(t).search(text) is not None for t in pair)
    return None if first == second else (0 if first else 1)


def masked(text: str, pair: tuple[str, str]) -> str:
    for term in pair:
        text = _term(term).sub("it", text)
    return text


class Contrast:
    def __init__(self, embedder: Any, rubric: Any, pairs: list[tuple[str, str]]) -> None:
        self.embedder = embedder
        points = [*rubric.key_points, *(rubric.follow_up.key_points if rubric.follow_up else [])]
        pieces = [c for kp in points for e in kp.evidence for c in clauses(e)]
        self.refs: list[tuple[tuple[str, str], Any, Any]] = []
        for pair in pairs:
            about: tuple[list[str], list[str]] = ([], [])
            for piece in pieces:
                if (which := side(piece, pair)) is not None:
                    about[which].append(masked(piece, pair))
            if min(map(len, about)) >= 2:
                self.refs.append((pair, embedder.encode(about[0]), embedder.encode(about[1])))

    def reversals(self, text: str) -> list[float]:
        jobs = [
            (clause, pair, own, rival) if which == 0 else (clause, pair, rival, own)
            for clause in clauses(text)
            for pair, own, rival in self.refs
            if (which := side(clause, pair)) is not None
        ]
        if not jobs:
            return []
        vectors = self.embedder.encode([masked(clause, pair) for clause, pair, _, _ in jobs])
        top = lambda m, v: float(np.sort(m @ v)[-2:].mean())  # noqa: E731
        # own/rival above are the descriptions of the named term and of its rival, in that order
        return [top(r, v) - top(o, v) for (_, _, o, r), v in zip(jobs, vectors, strict=True)]


def main() -> int:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()  # no options: --help only
    from scipy.stats import spearmanr
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold, cross_val_predict

    context = load_context()
    embedder = default_embedder()
    contrasts = {q: [tuple(p) for p in v] for q, v in yaml.safe_load(CONTRASTS.read_text()).items()}
    checks = {
        q: Contrast(embedder, context.rubrics.rubrics[q], pairs) for q, pairs in contrasts.items()
    }

    # 1. our claim sentences
    labels, values = [], []
    for path in sorted(CLAIMS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["question"] not in checks:
            continue
        for kp in data["key_points"]:
            for label, field in ((0, "supports"), (1, "contradicts")):
                for sentence in kp.get(field, []):
                    for value in checks[data["question"]].reversals(sentence):
                        labels.append(label)
                        values.append(value)
    print(
        f"claims: {len(labels)} term-naming clauses, AUC contradicts vs supports "
        f"{roc_auc_score(labels, values):.3f}"
    )

    # 2. and 3. the labelled answers, at each key point's best span (similarity-only grader)
    answers = load_labelled()
    grader = build_grader(context, embedder)
    results = grader.score_batch([ScoreRequest(a.question, a.answer, a.part) for a in answers])
    rows: list[dict[str, Any]] = []
    for answer, result in zip(answers, results, strict=True):
        check = checks.get(answer.question)
        whole = check.reversals(answer.answer) if check else []
        for label, kp in zip(answer.coverage, result.key_points, strict=True):
            if not kp.features:
                continue
            span = check.reversals(kp.evidence.text) if check and kp.evidence else []
            rows.append(
                {
                    "answer": answer,
                    "label": label,
                    "features": [kp.features[n] for n in SIMILARITY],
                    "span": float(np.mean(span)) if span else None,
                    "whole": float(np.mean(whole)) if whole else None,
                }
            )
    kinds: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        if row["span"] is not None and row["answer"].part is Part.MAIN:
            kinds[row["answer"].kind].append(row["span"])
    print("mean reversal at the best span, per kind (higher = reads like the rival term):")
    for kind, found in sorted(kinds.items(), key=lambda kv: -np.mean(kv[1])):
        print(f"  {kind:22s} {np.mean(found):+.3f}  ({len(found)} key points)")
    x = np.array([r["features"] for r in rows])
    span = np.array([[r["span"] if r["span"] is not None else -0.15] for r in rows])
    whole = np.array([[r["whole"] if r["whole"] is not None else -0.12] for r in rows])
    y = np.array([r["label"] == 1 for r in rows])
    groups = [r["answer"].question for r in rows]
    for name, extra in (("similarity", None), ("+ span", span), ("+ answer", whole)):
        table = x if extra is None else np.hstack([x, extra])
        p = cross_val_predict(
            LogisticRegression(max_iter=2000),
            table,
            y,
            groups=groups,
            cv=GroupKFold(len(set(groups))),
            method="predict_proba",
        )[:, 1]
        per: dict[str, list[float]] = defaultdict(list)
        for row, value in zip(rows, p, strict=True):
            per[row["answer"].id].append(value)
        grade = {r["answer"].id: r["answer"].grade for r in rows}
        rho = spearmanr([grade[i] for i in per], [np.mean(v) for v in per.values()]).correlation
        print(
            f"leave-one-question-out, {name:10s}: kp AUC {roc_auc_score(y, p):.3f}, "
            f"Spearman vs grade {rho:.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
