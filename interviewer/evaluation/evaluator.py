"""Agreement between the grader and the labelled set, in the shape of sentence-transformers' evaluators.

`KeyPointEvaluator(answers)(grader)` scores every answer (one batch) and returns `dict[str, float]`
with prefixed metric names and a `primary_metric`; `details` keeps what a rubric author reads next:
mean score per kind, the worst key points and the worst answers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from interviewer.core.grading.grader import Grader, ScoreRequest
from interviewer.core.result import ScoreResult, Verdict
from interviewer.evaluation import metrics
from interviewer.evaluation.labelled import LabelledAnswer

_ORDINAL = {Verdict.MISSING: 0, Verdict.INCORRECT: 0, Verdict.PARTIAL: 1, Verdict.COVERED: 2}


@dataclass
class Outcome:
    """What the grader said about one answer, reduced to what the metrics need."""

    coverage: list[float]
    verdicts: list[int]  # 0 missing, 1 partial, 2 covered
    score: float
    evidence: list[str | None] = field(default_factory=list)

    @classmethod
    def of(cls, result: ScoreResult) -> Outcome:
        return cls(
            coverage=[kp.coverage for kp in result.key_points],
            verdicts=[_ORDINAL[kp.verdict] for kp in result.key_points],
            score=result.score,
            evidence=[kp.evidence.text if kp.evidence else None for kp in result.key_points],
        )


def _safe(value: float) -> float:
    return round(value, 4) if math.isfinite(value) else float("nan")


def agreement(answers: Sequence[LabelledAnswer], outcomes: Sequence[Outcome]) -> dict[str, float]:
    """The headline numbers for one set of answers (no prefix)."""
    labels = np.array([c for a in answers for c in a.coverage])
    coverage = np.array([c for o in outcomes for c in o.coverage])
    verdicts = np.array([v for o in outcomes for v in o.verdicts])
    grades = np.array([a.grade for a in answers])
    scores = np.array([o.score for o in outcomes])
    strict = labels == 1.0
    graded = labels != 0.5
    return {
        "kp_auc": _safe(metrics.roc_auc(strict, coverage)),
        "kp_auc_any": _safe(metrics.roc_auc(labels >= 0.5, coverage)),
        "kp_auc_1v0": _safe(metrics.roc_auc(strict[graded], coverage[graded])),
        "kp_f1": _safe(metrics.f1_binary(strict, verdicts == 2)),
        "kp_qwk": _safe(metrics.quadratic_weighted_kappa((labels * 2).astype(int), verdicts, 0, 2)),
        "spearman": _safe(metrics.spearman(scores, grades)),
        "pearson": _safe(metrics.pearson(scores, grades)),
        "mae_grade": _safe(float(np.mean(np.abs(scores / 10.0 - grades)))),
        "n_answers": float(len(answers)),
        "n_key_points": float(len(labels)),
    }


def per_kind(answers: Sequence[LabelledAnswer], outcomes: Sequence[Outcome]) -> dict[str, Any]:
    scores: dict[str, list[float]] = defaultdict(list)
    grades: dict[str, list[float]] = defaultdict(list)
    for answer, outcome in zip(answers, outcomes, strict=True):
        scores[answer.kind].append(outcome.score)
        grades[answer.kind].append(answer.grade * 10)
    return {
        kind: {
            "n": len(v),
            "score": round(float(np.mean(v)), 1),
            "graders": round(float(np.mean(grades[kind])), 1),
        }
        for kind, v in sorted(scores.items())
    }


def worst_key_points(
    answers: Sequence[LabelledAnswer],
    outcomes: Sequence[Outcome],
    labels_of: dict[str, list[str]],
    limit: int = 10,
) -> list[dict[str, Any]]:
    """Key points ranked by how badly coverage separates covered from not (per-point AUC, then error)."""
    rows: dict[tuple[str, int], tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for answer, outcome in zip(answers, outcomes, strict=True):
        for index, (label, cov) in enumerate(zip(answer.coverage, outcome.coverage, strict=True)):
            rows[(answer.question, index)][0].append(label)
            rows[(answer.question, index)][1].append(cov)
    ranked = []
    for (question, index), (labels, covs) in rows.items():
        auc = metrics.roc_auc(np.array(labels) == 1.0, np.array(covs))
        error = float(np.mean(np.abs(np.array(labels) - np.array(covs))))
        names = labels_of.get(question, [])
        ranked.append(
            {
                "question": question,
                "key_point": names[index] if index < len(names) else str(index),
                "auc": _safe(auc),
                "mean_abs_error": round(error, 3),
                "n": len(labels),
            }
        )
    ranked.sort(key=_auc_then_error)
    return ranked[:limit]


def _auc_then_error(row: dict[str, Any]) -> tuple[float, float]:
    auc = float(row["auc"])
    return (auc if math.isfinite(auc) else 1.0, -float(row["mean_abs_error"]))


def worst_answers(
    answers: Sequence[LabelledAnswer], outcomes: Sequence[Outcome], limit: int = 10
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "id": a.id,
            "kind": a.kind,
            "grade": a.grade,
            "score": o.score,
            "gap": round(o.score / 10.0 - a.grade, 1),
        }
        for a, o in zip(answers, outcomes, strict=True)
    ]
    rows.sort(key=lambda r: -abs(float(r["gap"])))
    return rows[:limit]


class KeyPointEvaluator:
    """Runs a grader over labelled answers; metric names are prefixed with `name`."""

    primary_metric = "spearman"

    def __init__(self, answers: Sequence[LabelledAnswer], name: str = "labelled") -> None:
        self.answers = list(answers)
        self.name = name
        self.outcomes: list[Outcome] = []
        self.results: list[ScoreResult] = []
        self.details: dict[str, Any] = {}

    def __call__(self, grader: Grader) -> dict[str, float]:
        self.results = grader.score_batch(
            [ScoreRequest(a.question, a.answer, a.part) for a in self.answers]
        )
        labels_of = {
            q: [kp.label for kp in rubric.key_points] for q, rubric in grader.rubrics.items()
        }
        return self.evaluate([Outcome.of(r) for r in self.results], labels_of)

    def evaluate(
        self, outcomes: Sequence[Outcome], labels_of: dict[str, list[str]] | None = None
    ) -> dict[str, float]:
        self.outcomes = list(outcomes)
        result = {f"{self.name}_{k}": v for k, v in agreement(self.answers, outcomes).items()}
        for subset in ("clean", "messy"):
            picked = [i for i, a in enumerate(self.answers) if a.set == subset]
            if picked:
                sub = agreement([self.answers[i] for i in picked], [outcomes[i] for i in picked])
                result.update({f"{self.name}_{subset}_{k}": v for k, v in sub.items()})
        self.details = {
            "per_kind": per_kind(self.answers, outcomes),
            "worst_key_points": worst_key_points(self.answers, outcomes, labels_of or {}),
            "worst_answers": worst_answers(self.answers, outcomes),
        }
        self.primary = f"{self.name}_{self.primary_metric}"
        return result
