"""`interviewer tune`: fit the scoring parameters on labelled answers, judged on held-out questions.

Features are computed once (one embedding pass). The logistic map from features to coverage is fitted
with soft labels (a 0.5 label counts half covered, half not), then the verdict bands (partial_at and
covered_at together) are chosen on the same training rows for the best agreement (quadratic weighted
kappa) of the three verdicts with the graders' 1 / 0.5 / 0 labels. Leave-one-question-out
cross-validation reports what the fit does on questions it never saw, which is the only number worth
quoting: our own answers are easy to overfit. `verdict_shares` says how often each verdict appears
beside how often the graders gave it, so a band that never fires shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from interviewer.core.grading.grader import decide
from interviewer.core.grading.params import FEATURES, ScoringParams
from interviewer.core.result import ScoreResult, Verdict
from interviewer.core.rubric.schema import KeyPointRubric
from interviewer.core.terms import weighted_score
from interviewer.evaluation import metrics
from interviewer.evaluation.evaluator import _ORDINAL, Outcome
from interviewer.evaluation.labelled import LabelledAnswer

DEFAULT_FEATURES = list(FEATURES)

# The demotion of a point stated like one of its known mistakes (ScoringParams.mistake_factor and
# mistake_at). Chosen leave-one-question-out by eval/verifier/experiments/answer_signal.py on a grid
# (factor 0.25-1, threshold -0.1-0.1): every one of the 34 folds picked (0.5, -0.03); held out it
# raised Spearman 0.612 -> 0.650 and messy 0.370 -> 0.413, strong answers losing 1 point. Fixed here
# rather than refitted per fold, and reported by tune's cross-validation like the rest of the map.
MISTAKE_FACTOR = 0.5
MISTAKE_AT = -0.03


@dataclass
class FeatureTable:
    """One row per (answer, key point) that had any text to match."""

    values: npt.NDArray[np.float64]  # (rows, features)
    labels: npt.NDArray[np.float64]
    questions: list[str]
    names: list[str]


def feature_table(
    answers: Sequence[LabelledAnswer], results: Sequence[ScoreResult], names: Sequence[str]
) -> FeatureTable:
    rows: list[list[float]] = []
    labels: list[float] = []
    questions: list[str] = []
    for answer, result in zip(answers, results, strict=True):
        for label, kp in zip(answer.coverage, result.key_points, strict=True):
            if kp.features:
                rows.append([kp.features[n] for n in names])
                labels.append(label)
                questions.append(answer.question)
    return FeatureTable(
        np.array(rows, dtype=np.float64).reshape(len(rows), len(names)),
        np.array(labels),
        questions,
        list(names),
    )


BAND_GRID = np.round(np.arange(0.2, 0.86, 0.02), 2)  # where partial_at and covered_at may fall


def fit_bands(
    coverage: npt.NDArray[np.float64],
    labels: npt.NDArray[np.float64],
    grid: npt.NDArray[np.float64] = BAND_GRID,
) -> tuple[float, float]:
    """(partial_at, covered_at), partial_at < covered_at, whose three verdicts agree best (QWK) with
    the graders' 1 / 0.5 / 0 labels. Ties keep the lowest cuts (the first found)."""
    levels = np.rint(np.asarray(labels) * 2).astype(np.int64)
    best, best_value = (float(grid[0]), float(grid[1])), -np.inf
    for j, covered_at in enumerate(grid):
        covered = coverage >= covered_at
        for partial_at in grid[:j]:
            verdicts = np.where(covered, 2, np.where(coverage >= partial_at, 1, 0))
            value = metrics.quadratic_weighted_kappa(levels, verdicts, 0, 2)
            if np.isfinite(value) and value > best_value + 1e-12:
                best, best_value = (float(partial_at), float(covered_at)), value
    return best


_SHARE_NAMES = ("missing", "partial", "covered")


@dataclass(frozen=True)
class VerdictShares:
    """How often each verdict appears beside how often the graders gave that label, and agreement."""

    graders: dict[str, float] = field(default_factory=dict)  # share of labels 0 / 0.5 / 1
    grader: dict[str, float] = field(default_factory=dict)  # share of missing / partial / covered
    qwk: float = float("nan")
    exact: float = float("nan")  # share of key points whose verdict is the graders' label
    n: int = 0

    def line(self) -> str:
        def shares(values: dict[str, float]) -> str:
            return " ".join(f"{name} {values.get(name, 0.0):.0%}" for name in _SHARE_NAMES)

        return (
            f"QWK {self.qwk:.3f}, exact {self.exact:.0%} of {self.n} key points; "
            f"graders: {shares(self.graders)}; grader: {shares(self.grader)}"
        )


def verdict_shares(answers: Sequence[LabelledAnswer], outcomes: Sequence[Outcome]) -> VerdictShares:
    labels = np.rint(np.array([c for a in answers for c in a.coverage]) * 2).astype(np.int64)
    verdicts = np.array([v for o in outcomes for v in o.verdicts], dtype=np.int64)
    if labels.size == 0 or labels.shape != verdicts.shape:
        return VerdictShares()
    n = int(labels.size)
    return VerdictShares(
        graders={name: float(np.mean(labels == i)) for i, name in enumerate(_SHARE_NAMES)},
        grader={name: float(np.mean(verdicts == i)) for i, name in enumerate(_SHARE_NAMES)},
        qwk=round(metrics.quadratic_weighted_kappa(labels, verdicts, 0, 2), 4),
        exact=float(np.mean(labels == verdicts)),
        n=n,
    )


def fit_params(
    table: FeatureTable,
    l2: float = 1.0,
    mistake_factor: float = MISTAKE_FACTOR,
    mistake_at: float = MISTAKE_AT,
) -> ScoringParams:
    """Logistic map with soft labels, then the verdict bands that best match the labels' three
    levels (`fit_bands`), on the coverage after the demotion of points stated like a known
    mistake."""
    x = table.values
    y = np.concatenate([np.ones(len(x)), np.zeros(len(x))])
    weights = np.concatenate([table.labels, 1.0 - table.labels])
    coef, intercept = metrics.fit_logistic(np.vstack([x, x]), y, l2=l2, sample_weight=weights)
    coverage = metrics.sigmoid(x @ coef + intercept)
    if mistake_factor and "mistake_margin" in table.names:  # the cuts see the coverage used
        stated_wrongly = x[:, table.names.index("mistake_margin")] > mistake_at
        coverage = np.where(stated_wrongly, coverage * (1.0 - mistake_factor), coverage)
    partial_at, covered_at = fit_bands(coverage, table.labels)
    return ScoringParams(
        features=list(table.names),
        coef=[round(float(c), 4) for c in coef],
        intercept=round(float(intercept), 4),
        covered_at=covered_at,
        partial_at=partial_at,
        mistake_factor=mistake_factor if "mistake_margin" in table.names else 0.0,
        mistake_at=mistake_at,
        fitted=f"logistic on {len(x)} labelled key points, l2={l2}",
    )


def outcomes_under(
    params: ScoringParams, results: Sequence[ScoreResult], rubrics: dict[str, list[KeyPointRubric]]
) -> list[Outcome]:
    """Re-derive coverage, verdicts and score from stored features under other parameters."""
    outcomes: list[Outcome] = []
    for result in results:
        points = rubrics[f"{result.question}:{result.part}"]
        decided = [
            decide(kp.features, params, rkp) if kp.features else (0.0, Verdict.MISSING, None)
            for kp, rkp in zip(result.key_points, points, strict=True)
        ]
        coverage = [c for c, _, _ in decided]
        verdicts = [_ORDINAL[v] for _, v, _ in decided]
        weights = [rkp.weight for rkp in points]
        score = weighted_score(weights, coverage)
        outcomes.append(Outcome(coverage, verdicts, round(score, 1)))
    return outcomes


def cross_validated(
    answers: Sequence[LabelledAnswer],
    results: Sequence[ScoreResult],
    rubrics: dict[str, list[KeyPointRubric]],
    names: Sequence[str],
    l2: float = 1.0,
    mistake_factor: float = MISTAKE_FACTOR,
) -> list[Outcome]:
    """Leave-one-question-out: each question's answers are scored by parameters fitted without it."""
    outcomes: list[Outcome | None] = [None] * len(answers)
    for question in sorted({a.question for a in answers}):
        train = [i for i, a in enumerate(answers) if a.question != question]
        test = [i for i, a in enumerate(answers) if a.question == question]
        table = feature_table([answers[i] for i in train], [results[i] for i in train], names)
        params = fit_params(table, l2, mistake_factor)
        for i, outcome in zip(
            test, outcomes_under(params, [results[i] for i in test], rubrics), strict=True
        ):
            outcomes[i] = outcome
    return [o for o in outcomes if o is not None]
