"""Public short-answer grading benchmarks, scored the way their literature reports them.

The data (Mohler 2011, SemEval-2013 Task 7, ASAP-SAS) has no clear redistribution licence, so it is
read at run time from `$INTERVIEWER_EXTERNAL_EVAL`, else `<repo>/../shared/eval-external`, and never
copied into the repository. Each protocol receives the scorer as a function and calls it once per
split with every pair, so a fast scorer finishes in seconds. Every step is deterministic: no random
splits, and ties in a fitted threshold go to the lowest candidate.

Protocols
- Mohler (`run_mohler`): the 2,273 open-ended answers. `pearson` and `spearman` are the raw
  similarity (student answer vs the one reference answer) against the 0-5 average grade, with no
  training, which is how the zero-training anchors are computed. `rmse` and `pearson_calibrated`
  come from leave-one-assignment-out linear calibration: for each of the 12 assignments, least
  squares on the other 11 maps similarity to grade, the held-out answers are predicted and clipped
  to 0-5. `rmse_floor` predicts the other assignments' mean grade the same way.
- SemEval-2013 2-way (`run_semeval`): an answer's score is its maximum similarity over all of its
  question's reference answers (Beetle has 1-14, SciEntsBank one). One threshold per corpus is
  fitted on that corpus's `train` split by maximising macro-F1 (score >= threshold: "correct"),
  then accuracy, macro-F1 and weighted-F1 are reported on each test split (Beetle UA/UQ, SciEntsBank
  UA/UQ/UD). UQ and UD are the fair settings for a scorer without per-question training.
- ASAP-SAS (`run_asap`): sets 1, 2, 5, 6 and 10, whose rubrics list key elements. "Other acceptable
  responses" entries are dropped (nothing to match). An element counts as present when its coverage
  reaches a threshold; counts become points by the set's own rule (`POINTS_RULES`). Only the public
  test has text, so there is no held-out part to fit on: the threshold is fitted by grouped
  cross-validation with the essay set as the group (leave one set out: the threshold maximising mean
  QWK on the other four sets scores the held-out set; candidates are the 0.5 % quantiles of the
  pooled, unlabelled coverage). QWK per set uses the set's score range; `qwk_mean` and the
  Fisher-z mean cover these five sets only, while published means cover all ten.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

import numpy as np
import numpy.typing as npt

from interviewer.evaluation import metrics
from interviewer.paths import checkout_dir

if TYPE_CHECKING:
    from rich.table import Table

Floats = npt.NDArray[np.float64]
PairSimilarity = Callable[[list[str], list[str]], npt.ArrayLike]
"""`similarity(references, answers)`: one score per aligned pair, higher = closer."""
KeyElementCoverage = Callable[[list[str], list[str]], npt.ArrayLike]
"""`coverage(key_elements, answers)`: shape (n_answers, n_elements), values in [0, 1]."""

ENV_VAR = "INTERVIEWER_EXTERNAL_EVAL"
TEST_SPLITS = ("test_ua", "test_uq", "test_ud")  # unseen answers, questions, domains


class ExternalDataMissing(FileNotFoundError):
    """The benchmark files are not where we looked; they are never bundled with the project."""


class AnchorRow(NamedTuple):
    """One number in a results table: (system, value) first, then where it applies."""

    system: str
    value: float | str
    metric: str = ""
    setting: str = ""
    status: str = ""


class MohlerResult(TypedDict):
    benchmark: str
    protocol: str
    primary_metric: str
    n: int
    pearson: float
    spearman: float
    pearson_calibrated: float
    rmse: float
    rmse_floor: float
    ours: list[AnchorRow]
    published: list[AnchorRow]


class SplitScores(TypedDict):
    n: int
    accuracy: float
    macro_f1: float
    weighted_f1: float
    majority_macro_f1: float


class SemEvalResult(TypedDict):
    benchmark: str
    protocol: str
    primary_metric: str
    threshold_objective: str
    thresholds: dict[str, float]
    splits: dict[str, SplitScores]
    ours: list[AnchorRow]
    published: list[AnchorRow]


class SetScores(TypedDict):
    n: int
    qwk: float
    threshold: float
    human_qwk: float


class AsapResult(TypedDict):
    benchmark: str
    protocol: str
    primary_metric: str
    sets: dict[int, SetScores]
    qwk_mean: float
    qwk_fisher_mean: float
    ours: list[AnchorRow]
    published: list[AnchorRow]


# --- files ----------------------------------------------------------------------------------------


def external_eval_dir() -> Path:
    """The benchmark folder: the env override, else `shared/eval-external` beside the repository."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).expanduser()
    repo = checkout_dir()
    return repo.parent / "shared" / "eval-external"


def _data_file(*parts: str) -> Path:
    path = external_eval_dir().joinpath(*parts)
    if not path.is_file():
        raise ExternalDataMissing(
            f"external benchmark file not found: {path} (set {ENV_VAR} to the eval-external folder)"
        )
    return path


def _jsonl(*parts: str) -> Iterator[dict[str, Any]]:
    with _data_file(*parts).open(encoding="utf-8") as handle:
        yield from (json.loads(line) for line in handle if line.strip())


def published_anchors(dataset: str) -> list[AnchorRow]:
    """The rows of `published_anchors.csv` for one dataset, values as floats where they are one."""
    with _data_file("published_anchors.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["dataset"] == dataset]
    return [
        AnchorRow(
            r["system"],
            _number_or_text(r["value"]),
            r["metric"],
            r["split_or_setting"],
            r["status"],
        )
        for r in rows
    ]


def _number_or_text(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def _scores(function: PairSimilarity, left: list[str], right: list[str]) -> Floats:
    """Calls the scorer once for all pairs and checks it returned one finite number per pair."""
    values = np.asarray(function(left, right), dtype=np.float64)
    if values.shape != (len(right),) or not np.all(np.isfinite(values)):
        raise ValueError(f"similarity must return {len(right)} finite floats, got {values.shape}")
    return values


# --- Mohler ---------------------------------------------------------------------------------------


def run_mohler(similarity: PairSimilarity) -> MohlerResult:
    rows = [row for row in _jsonl("mohler", "mohler.jsonl") if row["open_ended"]]
    gold = np.array([row["score_avg"] for row in rows], dtype=np.float64)
    groups = np.array([row["assignment"] for row in rows])
    sims = _scores(
        similarity,
        [row["reference_answer"] for row in rows],
        [row["student_answer"] for row in rows],
    )
    predicted, floor = np.empty_like(gold), np.empty_like(gold)
    for group in np.unique(groups):
        held_out = groups == group
        slope, intercept = metrics.fit_linear(sims[~held_out], gold[~held_out])
        predicted[held_out] = np.clip(slope * sims[held_out] + intercept, 0.0, 5.0)
        floor[held_out] = gold[~held_out].mean()
    result = MohlerResult(
        benchmark="mohler",
        protocol="zero-training r/rho; RMSE after leave-one-assignment-out linear calibration",
        primary_metric="pearson",
        n=len(rows),
        pearson=metrics.pearson(sims, gold),
        spearman=metrics.spearman(sims, gold),
        pearson_calibrated=metrics.pearson(predicted, gold),
        rmse=metrics.rmse(predicted, gold),
        rmse_floor=metrics.rmse(floor, gold),
        ours=[],
        published=published_anchors("mohler"),
    )
    setting, zero, calibrated = f"open-ended {len(rows)}", "ours, zero training", "ours + LOAO map"
    result["ours"] = [
        _ours(zero, result["pearson"], "pearson", setting),
        _ours(zero, result["spearman"], "spearman", setting),
        _ours(calibrated, result["pearson_calibrated"], "pearson", setting),
        _ours(calibrated, result["rmse"], "rmse", setting),
    ]
    return result


# --- SemEval-2013 ---------------------------------------------------------------------------------


def _max_reference_similarity(
    similarity: PairSimilarity, answers: list[dict[str, Any]], references: dict[Any, list[str]]
) -> Floats:
    """Each answer's best match among its question's references, from one call over all pairs."""
    per_answer = [references[(a["corpus"], a["question_id"])] for a in answers]
    counts = np.array([len(refs) for refs in per_answer])
    left = [ref for refs in per_answer for ref in refs]
    right = [a["student_answer"] for a, n in zip(answers, counts, strict=True) for _ in range(n)]
    sims = _scores(similarity, left, right)
    return np.maximum.reduceat(sims, np.r_[0, np.cumsum(counts)[:-1]])


def best_threshold(scores: Floats, labels: npt.NDArray[np.int64]) -> float:
    """The cut maximising macro-F1 of `score >= cut -> 1`; candidates lie between distinct scores.

    Every cut is evaluated at once from cumulative counts over the scores sorted high to low.
    """
    distinct = np.unique(scores)
    cuts = np.r_[distinct[0] - 1.0, (distinct[1:] + distinct[:-1]) / 2, distinct[-1] + 1.0]
    order = np.sort(scores)
    predicted_pos = scores.size - np.searchsorted(order, cuts, side="left")
    pos_scores = np.sort(scores[labels == 1])
    true_pos = pos_scores.size - np.searchsorted(pos_scores, cuts, side="left")
    false_pos = predicted_pos - true_pos
    false_neg = pos_scores.size - true_pos
    true_neg = scores.size - pos_scores.size - false_pos
    with np.errstate(invalid="ignore", divide="ignore"):
        f1_pos = np.nan_to_num(2 * true_pos / (2 * true_pos + false_pos + false_neg))
        f1_neg = np.nan_to_num(2 * true_neg / (2 * true_neg + false_pos + false_neg))
    return float(cuts[int(np.argmax(f1_pos + f1_neg))])


def run_semeval(similarity: PairSimilarity) -> SemEvalResult:
    questions = list(_jsonl("semeval2013", "semeval2013_questions.jsonl"))
    references = {
        (q["corpus"], q["question_id"]): [r["text"] for r in q["reference_answers"]]
        for q in questions
    }
    by_split: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for answer in _jsonl("semeval2013", "semeval2013_2way.jsonl"):
        by_split.setdefault((answer["corpus"], answer["split"]), []).append(answer)
    result = SemEvalResult(
        benchmark="semeval2013",
        protocol="2-way; max similarity over reference answers; threshold maximises train macro-F1",
        primary_metric="macro_f1",
        threshold_objective="macro_f1",
        thresholds={},
        splits={},
        ours=[],
        published=published_anchors("semeval2013"),
    )
    for corpus in sorted({corpus for corpus, _ in by_split}):
        train = by_split[(corpus, "train")]
        train_labels = _labels_2way(train)
        cut = best_threshold(_max_reference_similarity(similarity, train, references), train_labels)
        majority = int(train_labels.mean() > 0.5)
        result["thresholds"][corpus] = cut
        for split in [s for s in TEST_SPLITS if (corpus, s) in by_split]:
            answers = by_split[(corpus, split)]
            sims = _max_reference_similarity(similarity, answers, references)
            scores = _split_scores(_labels_2way(answers), (sims >= cut).astype(np.int64), majority)
            result["splits"][f"{corpus}/{split}"] = scores
            result["ours"].append(_split_row(corpus, split, scores))
            result["published"].append(_majority_row(corpus, split, scores))
    return result


def _split_scores(
    gold: npt.NDArray[np.int64], predicted: npt.NDArray[np.int64], majority: int
) -> SplitScores:
    both = [0, 1]  # a class never predicted still counts, with F1 0
    return SplitScores(
        n=gold.size,
        accuracy=metrics.accuracy(gold, predicted),
        macro_f1=metrics.macro_f1(gold, predicted, labels=both),
        weighted_f1=metrics.weighted_f1(gold, predicted, labels=both),
        majority_macro_f1=metrics.macro_f1(gold, np.full_like(gold, majority), labels=both),
    )


def _labels_2way(answers: list[dict[str, Any]]) -> npt.NDArray[np.int64]:
    return np.array([a["label_2way"] == "correct" for a in answers], dtype=np.int64)


def _setting(corpus: str, split: str, n: int) -> str:
    return f"{corpus} {split.removeprefix('test_').upper()} 2-way (n={n})"


def _split_row(corpus: str, split: str, scores: SplitScores) -> AnchorRow:
    values = f"{scores['accuracy']:.3f} / {scores['macro_f1']:.3f} / {scores['weighted_f1']:.3f}"
    setting = _setting(corpus, split, scores["n"])
    return _ours("ours, threshold from train", values, "acc / macro_f1 / weighted_f1", setting)


def _majority_row(corpus: str, split: str, scores: SplitScores) -> AnchorRow:
    setting = _setting(corpus, split, scores["n"])
    return AnchorRow(
        "train's majority class", scores["majority_macro_f1"], "macro_f1", setting, "computed"
    )


# --- ASAP-SAS -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointsRule:
    """A set's rubric as arithmetic: elements counted per group up to a cap, the total -> points."""

    caps: tuple[tuple[str, int], ...]
    points_by_count: tuple[int, ...]
    wording: str


ALL = "*"
POINTS_RULES: dict[int, PointsRule] = {
    1: PointsRule((("Needed Information", 3),), (0, 1, 2, 3), "3 pieces = 3, 2 = 2, 1 = 1"),
    2: PointsRule(
        (("Conclusions", 1), ("Experimental Design Improvements", 2)),
        (0, 1, 2, 3),
        "valid conclusion + 2 improvements = 3; +1 = 2, or 2 without one; either alone = 1",
    ),
    5: PointsRule(((ALL, 4),), (0, 1, 1, 2, 3), "4 KE = 3, 3 = 2, 1-2 = 1"),
    6: PointsRule(((ALL, 3),), (0, 1, 2, 3), "3 KE = 3, 2 = 2, 1 = 1"),
    10: PointsRule(((ALL, 2),), (0, 1, 2), "both parts = 2, one = 1"),
}


@dataclass(frozen=True)
class AsapSet:
    essay_set: int
    elements: list[str]
    groups: list[str]
    answers: list[str]
    gold: npt.NDArray[np.int64]
    score_range: tuple[int, int]


def load_asap_sets() -> list[AsapSet]:
    """The key-element sets with their public-test answers; "Other ..." elements are dropped."""
    rubrics = {
        r["essay_set"]: r
        for r in json.loads(_data_file("asap-sas", "rubrics.json").read_text("utf-8"))
    }
    answers = list(_jsonl("asap-sas", "asap_sas_public_test.jsonl"))
    sets = []
    for number in POINTS_RULES:
        rubric = rubrics[number]
        elements = rubric["key_elements"]
        groups = rubric.get("key_element_groups") or [ALL] * len(elements)
        keep = [i for i, text in enumerate(elements) if not text.lower().startswith("other ")]
        rows = [a for a in answers if a["essay_set"] == number]
        low, high = (int(part) for part in rubric["score_range"].split("-"))
        sets.append(
            AsapSet(
                essay_set=number,
                elements=[elements[i] for i in keep],
                groups=[groups[i] for i in keep],
                answers=[a["student_answer"] for a in rows],
                gold=np.array([a["score"] for a in rows], dtype=np.int64),
                score_range=(low, high),
            )
        )
    return sets


def points_for_thresholds(
    coverage: Floats, groups: list[str], rule: PointsRule, thresholds: Floats
) -> npt.NDArray[np.int64]:
    """Points of every answer at every threshold: shape (n_answers, n_thresholds)."""
    present = coverage[:, :, None] >= thresholds[None, None, :]
    total = np.zeros((coverage.shape[0], thresholds.size), dtype=np.int64)
    for group, cap in rule.caps:
        members = [i for i, g in enumerate(groups) if group in (ALL, g)]
        if not members:
            raise ValueError(f"rubric group {group!r} has no key elements")
        total += np.minimum(present[:, members, :].sum(axis=1), cap)
    return np.asarray(rule.points_by_count, dtype=np.int64)[total]


def run_asap(coverage: KeyElementCoverage) -> AsapResult:
    sets = load_asap_sets()
    covered = [_coverage_matrix(coverage, s) for s in sets]
    pooled = np.concatenate([c.ravel() for c in covered])
    candidates = np.unique(np.quantile(pooled, np.linspace(0.0, 1.0, 201)))
    qwk = np.array(
        [_qwk_per_candidate(s, c, candidates) for s, c in zip(sets, covered, strict=True)]
    )
    human = _human_qwk()
    result = AsapResult(
        benchmark="asap-sas",
        protocol="key-element counts -> rubric points; threshold by leave-one-set-out CV",
        primary_metric="qwk_mean",
        sets={},
        qwk_mean=float("nan"),
        qwk_fisher_mean=float("nan"),
        ours=[],
        published=published_anchors("asap-sas"),
    )
    for index, item in enumerate(sets):
        others = np.delete(qwk, index, axis=0)
        best = int(np.argmax(np.nan_to_num(others, nan=-1.0).mean(axis=0)))
        result["sets"][item.essay_set] = SetScores(
            n=len(item.answers),
            qwk=float(qwk[index, best]),
            threshold=float(candidates[best]),
            human_qwk=human.get(item.essay_set, float("nan")),
        )
    _summarise_asap(result)
    return result


def _coverage_matrix(coverage: KeyElementCoverage, item: AsapSet) -> Floats:
    values = np.asarray(coverage(item.elements, item.answers), dtype=np.float64)
    expected = (len(item.answers), len(item.elements))
    if values.shape != expected or not np.all(np.isfinite(values)):
        raise ValueError(f"coverage must be finite with shape {expected}, got {values.shape}")
    return values


def _qwk_per_candidate(item: AsapSet, covered: Floats, candidates: Floats) -> Floats:
    points = points_for_thresholds(covered, item.groups, POINTS_RULES[item.essay_set], candidates)
    low, high = item.score_range
    return np.array(
        [metrics.quadratic_weighted_kappa(item.gold, column, low, high) for column in points.T]
    )


def _human_qwk() -> dict[int, float]:
    """Score1 vs Score2 agreement per set from the training pairs, with our own QWK."""
    with _data_file("asap-sas", "asap_sas_train_score_pairs.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    pairs: dict[int, list[tuple[int, int]]] = {}
    for row in rows:
        pairs.setdefault(int(row["essay_set"]), []).append((int(row["score1"]), int(row["score2"])))
    return {
        number: metrics.quadratic_weighted_kappa(*np.array(values).T)
        for number, values in pairs.items()
    }


def _fisher_mean(values: Floats) -> float:
    """Kaggle's average of kappas: mean in Fisher-z space, clipped so a perfect 1 stays finite."""
    return float(np.tanh(np.mean(np.arctanh(np.clip(values, -0.999, 0.999)))))


def _summarise_asap(result: AsapResult) -> None:
    sets = result["sets"]
    numbers = "sets " + "/".join(str(n) for n in sets)
    ours = np.array([s["qwk"] for s in sets.values()])
    result["qwk_mean"], result["qwk_fisher_mean"] = float(np.mean(ours)), _fisher_mean(ours)
    system, human = "ours, key-element count", "human Score1 vs Score2"
    for number, scores in sets.items():
        setting = f"set {number} (n={scores['n']}, threshold {scores['threshold']:.3g})"
        result["ours"].append(_ours(system, scores["qwk"], "qwk", setting))
        result["published"].append(
            AnchorRow(human, scores["human_qwk"], "qwk", f"set {number} (train)", "computed")
        )
    result["ours"] += [
        _ours(system, result["qwk_mean"], "qwk_mean", numbers),
        _ours(system, result["qwk_fisher_mean"], "qwk_fisher_mean", numbers),
    ]
    human_mean = float(np.mean([s["human_qwk"] for s in sets.values()]))
    result["published"].append(
        AnchorRow(human, human_mean, "qwk_mean", f"{numbers} (train)", "computed")
    )


def _ours(system: str, value: float | str, metric: str, setting: str) -> AnchorRow:
    return AnchorRow(system, value, metric, setting, "this run")


# --- presentation ---------------------------------------------------------------------------------


def format_table(result: MohlerResult | SemEvalResult | AsapResult) -> Table:
    """Our rows first, then the published and reference rows, in one comparable table."""
    from rich.table import Table

    table = Table(title=f"{result['benchmark']}: ours vs published", caption=result["protocol"])
    for column in ("system", "setting", "metric", "value", "status"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for row in result["ours"]:
        table.add_row(
            row.system, row.setting, row.metric, _format_value(row.value), row.status, style="bold"
        )
    table.add_section()
    for row in result["published"]:
        table.add_row(row.system, row.setting, row.metric, _format_value(row.value), row.status)
    return table


def _format_value(value: float | str) -> str:
    if isinstance(value, str):
        return value or "—"
    return "nan" if np.isnan(value) else f"{value:.4g}"
