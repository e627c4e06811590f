"""Experiment (not shipped): an answer-level "a known mistake is stated here" signal on the final score.

    .venv/bin/python -m eval.verifier.experiments.answer_signal [--out /tmp/h12] [--objective spearman]

For every labelled answer (eval/labelled/) it computes today's grader score (the shipped map in
rubrics/_scoring.yaml, similarity only, exactly what `interviewer eval` runs) and the score under the
map refitted leave-one-question-out (what `interviewer tune` reports), plus answer-level mistake
signals from the rubric's mistake statements:

- margin of a span = cosine to the closest MISTAKE statement - cosine to the closest EVIDENCE
  statement, both taken from the span's own closest key point (closest by evidence, `ev`, or by any
  of its evidence and mistake statements, `any`); key points without mistakes give no margin;
- `sent_*`: max over sentences (units); `pair_*`: max over sentences and neighbouring pairs;
- `kpbest`: max over key points of today's `mistake_margin` (the best-matching span's margin);
- `count*`: number of sentences with margin > t (scaled by 1/10 so that one sentence ~ 0.1).

Adjustments of the final 0-100 score, every parameter chosen by a grid on the training questions only
(the held-out question's answers never influence its parameters), objective Spearman (or MAE):

- `mult`:   score * (1 - a * sigmoid(b * (M - c)))                       (a = 0 is "no change")
- `hinge`:  max(0, score - A * max(0, M - c))
- `demote`: a key point whose own margin (best span, or the max over spans assigned to it) exceeds c
            keeps (1 - a) of its coverage ("stated incorrectly" at a = 1)
- `logit`:  the answer-level and per-point margins as two more features of the logistic map, refit
            leave-one-question-out (only on the refitted base).
`nested` picks the signal variant and the form inside each training fold as well.

Embeddings are cached in <out>/statements-*.npz, so each sentence is encoded once across runs.
Writes <out>/result.json and prints the tables.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import rankdata

from interviewer.core.grading.embedding import Matrix, StatementCache
from interviewer.core.grading.grader import Grader, ScoreRequest
from interviewer.core.result import Part
from interviewer.evaluation import metrics
from interviewer.evaluation.labelled import load_labelled
from interviewer.evaluation.tuning import FeatureTable, fit_params, outcomes_under
from interviewer.wiring import default_embedder, load_context

WRONG = ("wrong", "mixed", "wrong-recommendation")
SOUND_CLEAN = ("strong", "missing-one", "partial", "short-expert")
SOUND_MESSY = ("rambling", "other-words", "bullets", "non-native", "code", "unsure")
WRONG_CLEAN = ("wrong",)
WRONG_MESSY = ("mixed", "wrong-recommendation")
NO_SIGNAL = -1.0  # an answer with nothing to compare (no units, or no mistake statements)


class CachedEmbedder:
    """The grader's embedder behind a disk cache keyed by exact text: each sentence encoded once."""

    def __init__(self, inner: Any, directory: Path) -> None:
        self.inner = inner
        self.store = StatementCache(inner, directory)

    @property
    def name(self) -> str:
        return str(self.inner.name)

    def encode(self, texts: Sequence[str]) -> Matrix:
        return self.store.encode(list(texts))

    def save(self) -> None:
        self.store.save()


# ---------------------------------------------------------------------------------------------
# per-answer data


@dataclass
class AnswerData:
    id: str
    question: str
    kind: str
    set: str
    grade: float  # 0-10
    weights: np.ndarray  # (K,)
    shipped_coverage: np.ndarray  # (K,)
    shipped_score: float
    features: list[dict[str, float]]  # per key point, today's match features
    signals: dict[str, float] = field(default_factory=dict)  # answer level
    kp_signals: dict[str, np.ndarray] = field(default_factory=dict)  # per key point


def span_margins(
    cand: np.ndarray, evidence: list[np.ndarray], mistakes: list[np.ndarray], by: str
) -> tuple[np.ndarray, np.ndarray]:
    """Per span: its own closest key point and margin (mistake - evidence at that point)."""
    ev = np.stack([(cand @ e.T).max(axis=1) for e in evidence], axis=1)  # (C, K)
    mi = np.stack(
        [(cand @ m.T).max(axis=1) if len(m) else np.full(len(cand), -np.inf) for m in mistakes],
        axis=1,
    )
    closeness = ev if by == "ev" else np.maximum(ev, mi)
    own = closeness.argmax(axis=1)
    rows = np.arange(len(cand))
    margin = mi[rows, own] - ev[rows, own]  # -inf where the point has no mistakes
    return own, margin


def answer_data(answers: Sequence[Any], grader: Grader) -> tuple[list[AnswerData], list[Any]]:
    requests = [ScoreRequest(a.question, a.answer, a.part) for a in answers]
    drafts = grader._drafts(requests)
    results = [grader._finish(d) for d in drafts]
    rows: list[AnswerData] = []
    for answer, draft, result in zip(answers, drafts, results, strict=True):
        points = draft.part.key_points
        row = AnswerData(
            id=answer.id,
            question=answer.question,
            kind=answer.kind,
            set=answer.set,
            grade=answer.grade,
            weights=np.array([p.rubric.weight for p in points]),
            shipped_coverage=np.array([kp.coverage for kp in result.key_points]),
            shipped_score=result.score,
            features=[dict(kp.features) for kp in result.key_points],
        )
        k = len(points)
        if draft.candidates is None:
            for name in ("sent_ev", "pair_ev", "sent_any", "pair_any", "kpbest"):
                row.signals[name] = NO_SIGNAL
            for t in (0.0, 0.05):
                row.signals[f"count{t:g}"] = 0.0
            for name in ("kp_best", "kp_assigned"):
                row.kp_signals[name] = np.full(k, NO_SIGNAL)
            rows.append(row)
            continue
        cand = draft.candidates.vectors
        n_units = (len(cand) + 1) // 2
        evidence = [p.evidence for p in points]
        mistakes = [p.mistakes for p in points]
        for by in ("ev", "any"):
            own, margin = span_margins(cand, evidence, mistakes, by)
            finite = np.where(np.isfinite(margin), margin, NO_SIGNAL)
            row.signals[f"sent_{by}"] = float(finite[:n_units].max())
            row.signals[f"pair_{by}"] = float(finite.max())
            if by == "ev":
                for t in (0.0, 0.05):
                    row.signals[f"count{t:g}"] = float((finite[:n_units] > t).sum()) / 10.0
                assigned = np.full(k, NO_SIGNAL)
                for span, point in enumerate(own):
                    assigned[point] = max(assigned[point], finite[span])
                row.kp_signals["kp_assigned"] = assigned
        best = np.array(
            [
                f["mistake_margin"] if len(p.mistakes) else NO_SIGNAL
                for f, p in zip(row.features, points, strict=True)
            ]
        )
        row.kp_signals["kp_best"] = best
        row.signals["kpbest"] = float(best.max()) if k else NO_SIGNAL
        rows.append(row)
    return rows, results


ANSWER_SIGNALS = ("sent_ev", "pair_ev", "sent_any", "pair_any", "kpbest", "count0", "count0.05")
KP_SIGNALS = ("kp_best", "kp_assigned")


# ---------------------------------------------------------------------------------------------
# scoring and metrics


def weighted_score(coverage: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(..., N, K) coverage, (N, K) weights padded with 0 -> (..., N) scores 0-100."""
    return 100.0 * (coverage * weights).sum(axis=-1) / weights.sum(axis=-1)


def padded(arrays: Sequence[np.ndarray], fill: float = 0.0) -> np.ndarray:
    width = max(len(a) for a in arrays)
    out = np.full((len(arrays), width), fill)
    for i, a in enumerate(arrays):
        out[i, : len(a)] = a
    return out


def spearman_rows(scores: np.ndarray, grade_ranks: np.ndarray) -> np.ndarray:
    """Spearman of each row of (G, N) scores with fixed grade ranks."""
    ranks = rankdata(scores, axis=1)
    r = ranks - ranks.mean(axis=1, keepdims=True)
    g = grade_ranks - grade_ranks.mean()
    denominator = np.sqrt((r * r).sum(axis=1) * (g * g).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, (r @ g) / denominator, -1.0)


def objective_rows(scores: np.ndarray, grades: np.ndarray, objective: str) -> np.ndarray:
    if objective == "mae":
        return -np.abs(scores / 10.0 - grades).mean(axis=1)
    return spearman_rows(scores, rankdata(grades))


C_GRID = np.round(np.arange(-0.10, 0.1501, 0.01), 3)
MULT_GRID = [
    (a, b, c)
    for a in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8)
    for b in (15.0, 30.0, 60.0)
    for c in C_GRID
]
HINGE_GRID = [(A, c) for A in (50.0, 100.0, 150.0, 200.0, 300.0, 400.0, 600.0) for c in C_GRID]
DEMOTE_GRID = [(a, c) for a in (0.25, 0.35, 0.5, 0.75, 1.0) for c in C_GRID]
COMBO_GRID = [
    (a, c, big_a, h)
    for a in (0.25, 0.5, 0.75, 1.0)
    for c in C_GRID
    for big_a in (100.0, 200.0, 300.0, 400.0)
    for h in (-0.02, 0.0, 0.02, 0.04, 0.06, 0.08, 0.1)
]


def apply_mult(score: np.ndarray, m: np.ndarray, grid: Sequence[tuple[float, ...]]) -> np.ndarray:
    p = np.array(grid)
    a, b, c = p[:, :1], p[:, 1:2], p[:, 2:3]
    return score[None] * (1.0 - a / (1.0 + np.exp(-np.clip(b * (m[None] - c), -60, 60))))


def apply_hinge(score: np.ndarray, m: np.ndarray, grid: Sequence[tuple[float, ...]]) -> np.ndarray:
    p = np.array(grid)
    big_a, c = p[:, :1], p[:, 1:2]
    return np.maximum(0.0, score[None] - big_a * np.maximum(0.0, m[None] - c))


def apply_demote(
    coverage: np.ndarray, weights: np.ndarray, kp_m: np.ndarray, grid: Sequence[tuple[float, ...]]
) -> np.ndarray:
    p = np.array(grid)
    a, c = p[:, 0][:, None, None], p[:, 1][:, None, None]
    factor = 1.0 - a * (kp_m[None] > c)
    return weighted_score(coverage[None] * factor, weights)


def apply_combo(
    coverage: np.ndarray,
    weights: np.ndarray,
    kp_m: np.ndarray,
    m: np.ndarray,
    grid: Sequence[tuple[float, ...]],
) -> np.ndarray:
    """Demote the points stated wrongly, then take a hinge off for the answer-level signal."""
    p = np.array(grid)
    demoted = apply_demote(coverage, weights, kp_m, [tuple(row) for row in p[:, :2]])
    return np.maximum(0.0, demoted - p[:, 2:3] * np.maximum(0.0, m[None] - p[:, 3:4]))


@dataclass
class Form:
    """One adjustment with its grid: `apply(base, rows, grid) -> (G, N)` adjusted scores."""

    name: str
    signal: str
    grid: list[tuple[float, ...]]
    apply: Callable[[dict[str, np.ndarray], np.ndarray, list[tuple[float, ...]]], np.ndarray]


def forms() -> list[Form]:
    out: list[Form] = []
    for signal in ANSWER_SIGNALS:
        out.append(
            Form(
                "mult",
                signal,
                MULT_GRID,
                lambda b, i, g, s=signal: apply_mult(b["score"][i], b[s][i], g),
            )
        )
        out.append(
            Form(
                "hinge",
                signal,
                HINGE_GRID,
                lambda b, i, g, s=signal: apply_hinge(b["score"][i], b[s][i], g),
            )
        )
    for signal in KP_SIGNALS:
        out.append(
            Form(
                "demote",
                signal,
                DEMOTE_GRID,
                lambda b, i, g, s=signal: apply_demote(
                    b["coverage"][i], b["weights"][i], b[s][i], g
                ),
            )
        )
    out.append(
        Form(
            "combo",
            "kp_best+pair_ev",
            COMBO_GRID,
            lambda b, i, g: apply_combo(
                b["coverage"][i], b["weights"][i], b["kp_best"][i], b["pair_ev"][i], g
            ),
        )
    )
    return out


def fit_form(
    form: Form, train: dict[str, np.ndarray], idx: np.ndarray, grades: np.ndarray, objective: str
) -> tuple[tuple[float, ...], float]:
    """The grid point best on the training rows; identity (no change) competes too."""
    scores = form.apply(train, idx, form.grid)
    values = objective_rows(scores, grades, objective)
    base = objective_rows(train["score"][idx][None], grades, objective)[0]
    best = int(np.argmax(values))
    if values[best] <= base + 1e-9:
        return (), float(base)
    return form.grid[best], float(values[best])


def apply_form(
    form: Form, data: dict[str, np.ndarray], idx: np.ndarray, params: tuple[float, ...]
) -> np.ndarray:
    if not params:
        return data["score"][idx]
    return form.apply(data, idx, [params])[0]


def summary(
    rows: Sequence[AnswerData], scores: np.ndarray, base: np.ndarray | None = None
) -> dict[str, Any]:
    grades = np.array([r.grade for r in rows])
    sets = np.array([r.set for r in rows])
    kinds = np.array([r.kind for r in rows])
    out: dict[str, Any] = {
        "spearman": metrics.spearman(scores, grades),
        "spearman_clean": metrics.spearman(scores[sets == "clean"], grades[sets == "clean"]),
        "spearman_messy": metrics.spearman(scores[sets == "messy"], grades[sets == "messy"]),
        "pearson": metrics.pearson(scores, grades),
        "mae_grade": float(np.mean(np.abs(scores / 10.0 - grades))),
    }
    wrong = np.isin(kinds, WRONG)
    sound = np.isin(kinds, SOUND_CLEAN + SOUND_MESSY)
    pick = wrong | sound
    out["score_auc_sound_vs_wrong"] = metrics.roc_auc(sound[pick], scores[pick])
    out["kinds"] = {
        kind: {
            "n": int((kinds == kind).sum()),
            "score": float(scores[kinds == kind].mean()),
            "graders": float(grades[kinds == kind].mean() * 10),
            **({"delta": float((scores - base)[kinds == kind].mean())} if base is not None else {}),
        }
        for kind in sorted(set(kinds))
    }
    return out


def signal_auc(rows: Sequence[AnswerData], values: np.ndarray) -> dict[str, float]:
    kinds = np.array([r.kind for r in rows])
    out = {}
    for name, wrong, sound in (
        ("all", WRONG, SOUND_CLEAN + SOUND_MESSY),
        ("clean", WRONG_CLEAN, SOUND_CLEAN),
        ("realistic", WRONG_MESSY, SOUND_MESSY),
    ):
        pick = np.isin(kinds, wrong + sound)
        out[name] = round(metrics.roc_auc(np.isin(kinds, wrong)[pick], values[pick]), 3)
    return out


# ---------------------------------------------------------------------------------------------
# bases: today's shipped map, and the map refit leave-one-question-out


def arrays_of(
    rows: Sequence[AnswerData], scores: np.ndarray, coverage: np.ndarray
) -> dict[str, np.ndarray]:
    data = {
        "score": scores,
        "coverage": coverage,
        "weights": padded([r.weights for r in rows]),
    }
    for name in ANSWER_SIGNALS:
        data[name] = np.array([r.signals[name] for r in rows])
    for name in KP_SIGNALS:
        data[name] = padded([r.kp_signals[name] for r in rows], NO_SIGNAL)
    return data


def loqo_map(
    rows: Sequence[AnswerData],
    results: Sequence[Any],
    answers: Sequence[Any],
    rubrics: dict[str, Any],
    names: Sequence[str],
    question: str,
    extra: dict[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Scores and coverage of every answer under the map fitted without `question`'s answers.

    `extra`: more per-key-point features (name -> (N, K) padded) beside the grader's."""
    train = [i for i, r in enumerate(rows) if r.question != question]
    extra = extra or {}
    base_names = [n for n in names if n not in extra]
    all_names = base_names + list(extra)
    table_rows, labels, qs = [], [], []
    for i in train:
        for k, (label, values) in enumerate(
            zip(answers[i].coverage, rows[i].features, strict=True)
        ):
            if values:
                table_rows.append([values[n] for n in base_names] + [extra[n][i, k] for n in extra])
                labels.append(label)
                qs.append(rows[i].question)
    table = FeatureTable(np.array(table_rows), np.array(labels), qs, all_names)
    params = fit_params(table)
    if not extra:
        outs = outcomes_under(params, results, rubrics)
        return np.array([o.score for o in outs]), padded([np.array(o.coverage) for o in outs])
    coef, intercept = np.array(params.coef), params.intercept
    coverage = []
    for i, r in enumerate(rows):
        cov = []
        for k, values in enumerate(r.features):
            if not values:
                cov.append(0.0)
                continue
            x = [values[n] for n in base_names] + [extra[n][i, k] for n in extra]
            z = float(np.clip(np.dot(coef, x) + intercept, -30, 30))
            c = round(1.0 / (1.0 + math.exp(-z)), 4)
            if values.get("max", 1.0) < params.floor:
                c = 0.0
            cov.append(c)
        coverage.append(np.array(cov))
    cov_arr = padded(coverage)
    weights = padded([r.weights for r in rows])
    return np.round(weighted_score(cov_arr, weights), 1), cov_arr


# ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/h12"))
    parser.add_argument("--objective", choices=("spearman", "mae"), default="spearman")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    context = load_context()
    answers = load_labelled()
    embedder = CachedEmbedder(default_embedder(), args.out)
    grader = Grader(embedder, context.rubrics.rubrics, context.prompts(), context.params)
    rows, results = answer_data(answers, grader)
    embedder.save()
    t_features = time.perf_counter() - started
    rubrics = {
        f"{q}:{p}": r.part(p) for q, r in context.rubrics.rubrics.items() for p in (Part.MAIN,)
    } | {
        f"{q}:follow_up": r.follow_up.key_points
        for q, r in context.rubrics.rubrics.items()
        if r.follow_up is not None
    }
    names = list(context.params.features)
    questions = sorted({r.question for r in rows})
    grades = np.array([r.grade for r in rows])
    n = len(rows)

    # today's shipped map, as `interviewer eval` runs it
    shipped = np.array([r.shipped_score for r in rows])
    shipped_cov = padded([r.shipped_coverage for r in rows])
    shipped_data = arrays_of(rows, shipped, shipped_cov)

    # per-fold bases
    loqo_test = np.zeros(n)
    fold_data: dict[str, dict[str, np.ndarray]] = {}
    for q in questions:
        scores, cov = loqo_map(rows, results, answers, rubrics, names, q)
        fold_data[q] = arrays_of(rows, scores, cov)
        test = np.array([r.question == q for r in rows])
        loqo_test[test] = scores[test]

    all_forms = forms()
    outputs: dict[str, dict[str, np.ndarray]] = {"shipped": {}, "loqo": {}}
    chosen: dict[str, dict[str, list[Any]]] = {
        "shipped": defaultdict(list),
        "loqo": defaultdict(list),
    }
    families = {
        "nested": lambda f: True,  # every form and signal, chosen per fold
        "nested(pair_ev)": lambda f: f.signal == "pair_ev",  # the brief's signal, mult or hinge
    }
    for base_name in ("shipped", "loqo"):
        for form in all_forms:
            outputs[base_name][f"{form.name}:{form.signal}"] = np.zeros(n)
        for family in families:
            outputs[base_name][family] = np.zeros(n)
        for q in questions:
            data = shipped_data if base_name == "shipped" else fold_data[q]
            train = np.array([i for i, r in enumerate(rows) if r.question != q])
            test = np.array([i for i, r in enumerate(rows) if r.question == q])
            fitted = []
            for form in all_forms:
                params, value = fit_form(form, data, train, grades[train], args.objective)
                key = f"{form.name}:{form.signal}"
                outputs[base_name][key][test] = apply_form(form, data, test, params)
                chosen[base_name][key].append(params)
                fitted.append((value, form, params))
            for family, member in families.items():
                value, form, params = max((f for f in fitted if member(f[1])), key=lambda f: f[0])
                outputs[base_name][family][test] = apply_form(form, data, test, params)
                chosen[base_name][family].append(f"{form.name}:{form.signal} {params}")

    # the margins as two more features of the logistic map (refit leave-one-question-out)
    logit: dict[str, np.ndarray] = {}
    for answer_signal in ("pair_ev", "sent_ev", "kpbest"):
        for kp_signal in ("kp_assigned",):
            extra_base = arrays_of(rows, shipped, shipped_cov)
            extra = {
                "ans_M": np.maximum(
                    np.repeat(
                        extra_base[answer_signal][:, None], extra_base[kp_signal].shape[1], 1
                    ),
                    -0.3,
                ),
                "kp_M": np.maximum(extra_base[kp_signal], -0.3),
            }
            scores_out = np.zeros(n)
            for q in questions:
                scores, _ = loqo_map(rows, results, answers, rubrics, names, q, extra)
                test = np.array([r.question == q for r in rows])
                scores_out[test] = scores[test]
            logit[f"logit:{answer_signal}+{kp_signal}"] = scores_out

    # reference for MAE: a plain affine rescale of today's score, fitted leave-one-question-out
    # (Spearman cannot change; MAE falls because today's scores sit above the graders' for most kinds)
    affine = np.zeros(n)
    qarr = np.array([r.question for r in rows])
    slopes = np.arange(0.6, 1.2001, 0.02)
    shifts = np.arange(-30.0, 10.01, 1.0)
    for q in questions:
        tr = qarr != q
        candidates = np.clip(
            slopes[:, None, None] * shipped[tr][None, None] + shifts[None, :, None], 0, 100
        )
        mae = np.abs(candidates / 10.0 - grades[tr]).mean(axis=2)
        i, j = np.unravel_index(np.argmin(mae), mae.shape)
        affine[~tr] = np.clip(slopes[i] * shipped[~tr] + shifts[j], 0, 100)

    # parameters for shipping: each form fitted on every question (shipped base)
    everything = np.arange(n)
    ship_params = {}
    for form in all_forms:
        params, value = fit_form(form, shipped_data, everything, grades, args.objective)
        ship_params[f"{form.name}:{form.signal}"] = {
            "params": params,
            "train_objective": round(value, 4),
        }

    seconds = time.perf_counter() - started

    # ---- report
    table: dict[str, dict[str, Any]] = {}
    table["today (shipped map, = eval)"] = summary(rows, shipped)
    for key, scores in outputs["shipped"].items():
        table[f"shipped + {key}"] = summary(rows, scores, shipped)
    table["shipped, affine a*s+b (MAE reference)"] = summary(rows, affine, shipped)
    table["LOQO map (= tune)"] = summary(rows, loqo_test)
    for key, scores in outputs["loqo"].items():
        table[f"LOQO + {key}"] = summary(rows, scores, loqo_test)
    for key, scores in logit.items():
        table[f"LOQO {key}"] = summary(rows, scores, loqo_test)

    # uncertainty: resample questions (the unit of generalisation), paired with the base
    members = {q: np.flatnonzero(qarr == q) for q in questions}
    rng = np.random.default_rng(0)
    draws = [
        np.concatenate([members[q] for q in rng.choice(questions, len(questions))])
        for _ in range(1000)
    ]

    def compare(scores: np.ndarray, base: np.ndarray) -> dict[str, float]:
        diffs = np.array(
            [
                metrics.spearman(scores[d], grades[d]) - metrics.spearman(base[d], grades[d])
                for d in draws
            ]
        )
        wins = sum(
            metrics.spearman(scores[members[q]], grades[members[q]])
            > metrics.spearman(base[members[q]], grades[members[q]]) + 1e-9
            for q in questions
        )
        losses = sum(
            metrics.spearman(scores[members[q]], grades[members[q]])
            < metrics.spearman(base[members[q]], grades[members[q]]) - 1e-9
            for q in questions
        )
        return {
            "d_spearman": metrics.spearman(scores, grades) - metrics.spearman(base, grades),
            "ci95_low": float(np.percentile(diffs, 2.5)),
            "ci95_high": float(np.percentile(diffs, 97.5)),
            "questions_better": int(wins),
            "questions_worse": int(losses),
        }

    for name in table:
        if name.startswith("shipped + "):
            table[name]["vs_base"] = compare(outputs["shipped"][name[len("shipped + ") :]], shipped)
        elif name.startswith("LOQO + "):
            table[name]["vs_base"] = compare(outputs["loqo"][name[len("LOQO + ") :]], loqo_test)
        elif name.startswith("LOQO logit"):
            table[name]["vs_base"] = compare(logit[name[len("LOQO ") :]], loqo_test)

    aucs = {name: signal_auc(rows, shipped_data[name]) for name in ANSWER_SIGNALS}
    aucs["score_today(neg)"] = signal_auc(rows, -shipped)
    aucs["score_loqo(neg)"] = signal_auc(rows, -loqo_test)

    def fmt(v: float) -> str:
        return f"{v:6.3f}" if isinstance(v, float) and math.isfinite(v) else "   nan"

    head = (
        f"{'run':44s} {'rho':>6s} {'clean':>6s} {'messy':>6s} {'pears':>6s} {'MAE':>6s} "
        f"{'AUC':>6s} {'wrong':>6s} {'mixed':>6s} {'wrrec':>6s} {'othw':>6s} {'dStrg':>6s} {'dShEx':>6s} "
        f"{'d_rho 95% CI (questions resampled)':>24s} {'q+/-':>6s}"
    )
    print(head)

    def ci(s: dict[str, Any]) -> str:
        v = s.get("vs_base")
        if not v:
            return ""
        return (
            f"{v['d_spearman']:+.3f} [{v['ci95_low']:+.3f},{v['ci95_high']:+.3f}] "
            f"{v['questions_better']:2d}/{v['questions_worse']:2d}"
        )

    for name, s in table.items():
        k = s["kinds"]

        def delta(kind: str, k: dict[str, Any] = k) -> str:
            return f"{k[kind].get('delta', 0.0):6.1f}"

        print(
            f"{name[:44]:44s} {fmt(s['spearman'])} {fmt(s['spearman_clean'])} {fmt(s['spearman_messy'])} "
            f"{fmt(s['pearson'])} {fmt(s['mae_grade'])} {fmt(s['score_auc_sound_vs_wrong'])} "
            f"{k['wrong']['score']:6.1f} {k['mixed']['score']:6.1f} {k['wrong-recommendation']['score']:6.1f} "
            f"{k['other-words']['score']:6.1f} {delta('strong')} {delta('short-expert')} {ci(s)}"
        )
    print("\nsignal ROC-AUC, wrong (wrong/mixed/wrong-recommendation) vs sound answers")
    for name, a in aucs.items():
        print(
            f"  {name:18s} all {a['all']:.3f}  clean {a['clean']:.3f}  realistic {a['realistic']:.3f}"
        )
    print("\nkind means (graders | today | LOQO | LOQO+nested | shipped+nested)")
    for kind, v in table["today (shipped map, = eval)"]["kinds"].items():
        print(
            f"  {kind:22s} {v['graders']:6.1f} | {v['score']:6.1f} | "
            f"{table['LOQO map (= tune)']['kinds'][kind]['score']:6.1f} | "
            f"{table['LOQO + nested']['kinds'][kind]['score']:6.1f} | "
            f"{table['shipped + nested']['kinds'][kind]['score']:6.1f}"
        )
    print("\nnested choices per held-out question (LOQO base):")
    for q, c in zip(questions, chosen["loqo"]["nested"], strict=True):
        print(f"  {q:60s} {c}")
    print(f"\nfeatures+embedding {t_features:.1f} s, total {seconds:.1f} s, {n} answers")

    def clean(obj: Any) -> Any:
        if isinstance(obj, dict):
            return {k: clean(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return [clean(v) for v in obj]
        if isinstance(obj, float | np.floating):
            return round(float(obj), 4) if math.isfinite(obj) else None
        if isinstance(obj, np.integer):
            return int(obj)
        return obj

    result = {
        "objective": args.objective,
        "n_answers": n,
        "seconds": round(seconds, 1),
        "seconds_features": round(t_features, 1),
        "wrong_kinds": WRONG,
        "sound_kinds": SOUND_CLEAN + SOUND_MESSY,
        "table": table,
        "signal_auc": aucs,
        "fold_params": {b: dict(v) for b, v in chosen.items()},
        "ship_params_all_questions": ship_params,
        "per_answer": [
            {
                "id": r.id,
                "kind": r.kind,
                "grade": r.grade,
                "today": float(shipped[i]),
                "loqo": float(loqo_test[i]),
                "loqo_nested": float(outputs["loqo"]["nested"][i]),
                **{name: r.signals[name] for name in ANSWER_SIGNALS},
            }
            for i, r in enumerate(rows)
        ],
    }
    suffix = "" if args.objective == "spearman" else f"_{args.objective}"
    path = args.out / f"result{suffix}.json"
    path.write_text(json.dumps(clean(result), indent=1))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
