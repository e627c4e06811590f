"""Evaluation metrics and the two small fits that calibrate a scorer, in plain numpy.

They live in the pure core so that grading quality can be measured (and thresholds fitted) without
pulling scikit-learn or scipy into the app; the tests cross-check every one against those libraries.

NaN policy, the same everywhere it applies:
- paired continuous metrics (`roc_auc` on its scores, `pearson`, `spearman`, `rmse`, `fit_linear`)
  drop the positions where either value is NaN or infinite, like scipy's `nan_policy="omit"`;
- they return `nan` when too little is left to define the number: no pair left, a constant input to
  a correlation, or only one class for `roc_auc`;
- label metrics (`accuracy`, the F1 family, `quadratic_weighted_kappa`) take discrete labels and do
  not drop anything; an F1 whose precision or recall has a zero denominator counts as 0, as
  scikit-learn's default `zero_division` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


def _finite_pairs(x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[Floats, Floats]:
    """Both inputs as float vectors of equal length, without the pairs that hold a NaN or inf."""
    xs = np.asarray(x, dtype=np.float64).ravel()
    ys = np.asarray(y, dtype=np.float64).ravel()
    if xs.shape != ys.shape:
        raise ValueError(f"length mismatch: {xs.size} vs {ys.size}")
    keep = np.isfinite(xs) & np.isfinite(ys)
    return xs[keep], ys[keep]


def _labels(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    truth, pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if truth.shape != pred.shape:
        raise ValueError(f"length mismatch: {truth.size} vs {pred.size}")
    return truth, pred


def _binary(y: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """0/1 or bool labels as a bool vector; anything else is a caller's mistake, not a class."""
    values = np.asarray(y).ravel()
    if values.dtype != np.bool_ and not np.isin(values, (0, 1)).all():
        raise ValueError("binary labels must be 0/1 or bool")
    return values.astype(bool)


def average_ranks(values: npt.ArrayLike) -> Floats:
    """1-based ranks where tied values share the mean of the ranks they span (scipy's 'average')."""
    data = np.asarray(values, dtype=np.float64).ravel()
    order = np.argsort(data, kind="mergesort")
    sorted_data = data[order]
    starts = np.flatnonzero(np.r_[True, sorted_data[1:] != sorted_data[:-1]])
    ends = np.r_[starts[1:], data.size]
    group_rank = (starts + ends + 1) / 2.0  # mean of the 1-based ranks starts+1 .. ends
    ranks = np.empty(data.size, dtype=np.float64)
    ranks[order] = np.repeat(group_rank, ends - starts)
    return ranks


def roc_auc(y_true: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    """P(score of a random positive > score of a random negative), a tie counting one half.

    Computed from average ranks (the Mann-Whitney U), so it is exact with ties and O(n log n).
    """
    truth = _binary(y_true).astype(np.float64)
    truth, score = _finite_pairs(truth, scores)
    positives = truth == 1.0
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    rank_sum = float(average_ranks(score)[positives].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def accuracy(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    truth, pred = _labels(y_true, y_pred)
    return float(np.mean(truth == pred)) if truth.size else float("nan")


def _precision_recall_f1(
    truth: npt.NDArray[Any], pred: npt.NDArray[Any], label: Any
) -> tuple[float, float, float]:
    true_pos = float(np.sum((truth == label) & (pred == label)))
    predicted, actual = float(np.sum(pred == label)), float(np.sum(truth == label))
    precision = true_pos / predicted if predicted else 0.0
    recall = true_pos / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def precision_recall(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, pos_label: Any = 1
) -> tuple[float, float]:
    """Precision and recall of `pos_label`; a zero denominator gives 0."""
    precision, recall, _ = _precision_recall_f1(*_labels(y_true, y_pred), pos_label)
    return precision, recall


def f1_binary(y_true: npt.ArrayLike, y_pred: npt.ArrayLike, pos_label: Any = 1) -> float:
    """F1 of `pos_label` (the harmonic mean of its precision and recall); 0 when undefined."""
    return _precision_recall_f1(*_labels(y_true, y_pred), pos_label)[2]


def _per_label_f1(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, labels: Sequence[Any] | None
) -> tuple[Floats, Floats]:
    """F1 and true support per label; labels default to every value seen in either input."""
    truth, pred = _labels(y_true, y_pred)
    chosen = np.unique(np.concatenate([truth, pred])) if labels is None else np.asarray(labels)
    f1 = np.array([_precision_recall_f1(truth, pred, lab)[2] for lab in chosen], dtype=np.float64)
    support = np.array([np.sum(truth == lab) for lab in chosen], dtype=np.float64)
    return f1, support


def macro_f1(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, labels: Sequence[Any] | None = None
) -> float:
    """Unweighted mean of the per-label F1: every class counts the same, however rare."""
    f1, _ = _per_label_f1(y_true, y_pred, labels)
    return float(f1.mean()) if f1.size else float("nan")


def weighted_f1(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, labels: Sequence[Any] | None = None
) -> float:
    """Per-label F1 averaged with the labels' true counts as weights (SemEval's headline number)."""
    f1, support = _per_label_f1(y_true, y_pred, labels)
    total = support.sum()
    return float((f1 * support).sum() / total) if total else 0.0


def pearson(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    xs, ys = _finite_pairs(x, y)
    if xs.size < 2:
        return float("nan")
    dx, dy = xs - xs.mean(), ys - ys.mean()
    denominator = float(np.sqrt((dx * dx).sum() * (dy * dy).sum()))
    return float((dx * dy).sum()) / denominator if denominator > 0 else float("nan")


def spearman(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Pearson correlation of the average ranks (ties share their mean rank)."""
    xs, ys = _finite_pairs(x, y)
    return pearson(average_ranks(xs), average_ranks(ys))


def rmse(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    xs, ys = _finite_pairs(x, y)
    return float(np.sqrt(np.mean((xs - ys) ** 2))) if xs.size else float("nan")


def _integer_ratings(values: npt.ArrayLike) -> npt.NDArray[np.int64]:
    data = np.asarray(values, dtype=np.float64).ravel()
    if not np.all(np.isfinite(data)) or np.any(data != np.round(data)):
        raise ValueError("quadratic weighted kappa needs integer ratings")
    return data.astype(np.int64)


def quadratic_weighted_kappa(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    min_rating: int | None = None,
    max_rating: int | None = None,
) -> float:
    """Cohen's kappa with squared-distance weights (the ASAP/Kaggle metric) for integer ratings.

    The rating range defaults to the values seen; pass the scale's bounds to fix the weights.
    Returns nan when the chance disagreement is zero (e.g. both raters constant).
    """
    ra, rb = _integer_ratings(a), _integer_ratings(b)
    if ra.shape != rb.shape or ra.size == 0:
        raise ValueError("kappa needs two non-empty rating vectors of equal length")
    low = int(min(ra.min(), rb.min())) if min_rating is None else min_rating
    high = int(max(ra.max(), rb.max())) if max_rating is None else max_rating
    if min(ra.min(), rb.min()) < low or max(ra.max(), rb.max()) > high:
        raise ValueError(f"ratings fall outside [{low}, {high}]")
    k = high - low + 1
    observed = np.bincount((ra - low) * k + (rb - low), minlength=k * k).reshape(k, k)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / ra.size
    grid = np.arange(k)
    weights = (grid[:, None] - grid[None, :]) ** 2
    chance = float((weights * expected).sum())
    return 1.0 - float((weights * observed).sum()) / chance if chance > 0 else float("nan")


def fit_linear(x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[float, float]:
    """Least-squares `y ≈ slope * x + intercept`; a constant x gives slope 0 and the mean of y."""
    xs, ys = _finite_pairs(x, y)
    if xs.size == 0:
        raise ValueError("fit_linear needs at least one finite pair")
    dx = xs - xs.mean()
    spread = float((dx * dx).sum())
    slope = float((dx * (ys - ys.mean())).sum()) / spread if spread > 0 else 0.0
    return slope, float(ys.mean() - slope * xs.mean())


@overload
def sigmoid(z: float) -> float: ...
@overload
def sigmoid(z: npt.NDArray[Any]) -> Floats: ...
def sigmoid(z: float | npt.NDArray[Any]) -> float | Floats:
    """The logistic function, written so that large |z| neither overflows nor loses precision."""
    values = np.asarray(z, dtype=np.float64)
    small = np.exp(-np.abs(values))  # in (0, 1]: never overflows
    result = np.where(values >= 0, 1.0 / (1.0 + small), small / (1.0 + small))
    return float(result) if np.ndim(z) == 0 else result


def _logistic_objective(
    design: Floats, y: Floats, weight: Floats, penalty: Floats, beta: Floats
) -> float:
    z = design @ beta
    loss = np.logaddexp(0.0, z) - y * z  # -log-likelihood per row, stable for large |z|
    return float((weight * loss).sum() + 0.5 * (penalty * beta * beta).sum())


def fit_logistic(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    l2: float = 1.0,
    sample_weight: npt.ArrayLike | None = None,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> tuple[Floats, float]:
    """L2-penalised logistic regression by damped Newton steps: `(coef, intercept)`.

    Minimises `sum_i w_i * logloss_i + l2/2 * |coef|^2` with the intercept unpenalised, the same
    objective as scikit-learn's `LogisticRegression(C=1/l2)`. Newton converges in a handful of
    steps on the few features a calibration needs, and it is deterministic (no random init).
    """
    features = np.asarray(X, dtype=np.float64)
    features = features.reshape(-1, 1) if features.ndim == 1 else features
    target = _binary(y).astype(np.float64)
    n, d = features.shape
    weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if target.size != n or weight.shape != (n,):
        raise ValueError("X, y and sample_weight must have the same number of rows")
    design = np.hstack([features, np.ones((n, 1))])
    penalty = np.r_[np.full(d, float(l2)), 0.0]
    beta = np.zeros(d + 1)
    objective = _logistic_objective(design, target, weight, penalty, beta)
    for _ in range(max_iter):
        p = sigmoid(design @ beta)
        gradient = design.T @ (weight * (p - target)) + penalty * beta
        hessian = (design * (weight * p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        hessian += 1e-12 * np.eye(d + 1)  # keeps separable, unpenalised fits solvable
        step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        scale = 1.0  # halve the step until the objective does not increase
        while scale > 1e-8:
            value = _logistic_objective(design, target, weight, penalty, beta - scale * step)
            if value <= objective:
                break
            scale /= 2
        else:
            break  # no descent left: at the optimum to machine precision
        beta, objective = beta - scale * step, value
        if float(np.max(np.abs(scale * step))) < tol:
            break
    return beta[:d].copy(), float(beta[d])
