"""The core metrics: small hand-worked cases, then agreement with scikit-learn and scipy."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import special, stats
from sklearn import linear_model
from sklearn import metrics as skm

from interviewer.evaluation import metrics as m

# --- hand-checked ---------------------------------------------------------------------------------


def test_roc_auc_by_hand() -> None:
    # positives 0.35, 0.8; negatives 0.1, 0.4. Pairs (pos > neg): 0.35>0.1 yes, 0.35>0.4 no,
    # 0.8>0.1 yes, 0.8>0.4 yes -> 3 of 4 pairs = 0.75.
    assert m.roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)


def test_roc_auc_counts_a_tie_as_half() -> None:
    # positives 0.5, 0.9; negatives 0.5, 0.2. Pairs: (0.5,0.5) tie = 0.5, (0.5,0.2) = 1,
    # (0.9,0.5) = 1, (0.9,0.2) = 1 -> 3.5 / 4 = 0.875.
    assert m.roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]) == pytest.approx(0.875)


def test_roc_auc_is_nan_with_one_class_and_drops_nan_scores() -> None:
    assert math.isnan(m.roc_auc([1, 1, 1], [0.1, 0.2, 0.3]))
    # the NaN-scored row is dropped, leaving the 0.75 case above
    assert m.roc_auc([0, 0, 1, 1, 1], [0.1, 0.4, 0.35, 0.8, np.nan]) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="binary"):
        m.roc_auc([0, 2], [0.1, 0.2])


def test_classification_metrics_by_hand() -> None:
    truth, pred = [1, 1, 0, 0, 1], [1, 0, 1, 0, 1]
    # positive class: TP 2 (rows 0, 4), FP 1 (row 2), FN 1 (row 1) -> P = R = F1 = 2/3
    assert m.precision_recall(truth, pred) == pytest.approx((2 / 3, 2 / 3))
    assert m.f1_binary(truth, pred) == pytest.approx(2 / 3)
    # rows 0, 3, 4 right -> 3/5
    assert m.accuracy(truth, pred) == pytest.approx(0.6)
    # class 0: TP 1 (row 3), predicted 2 (rows 1, 3), actual 2 (rows 2, 3) -> F1 0.5
    # macro = (0.5 + 2/3) / 2 = 7/12; weighted by support 2 and 3 = (2*0.5 + 3*2/3) / 5 = 0.6
    assert m.macro_f1(truth, pred) == pytest.approx(7 / 12)
    assert m.weighted_f1(truth, pred) == pytest.approx(0.6)


def test_f1_is_zero_when_nothing_is_predicted_positive() -> None:
    assert m.f1_binary([1, 0, 1], [0, 0, 0]) == 0.0
    assert m.precision_recall([1, 0, 1], [0, 0, 0]) == (0.0, 0.0)


def test_macro_f1_with_explicit_labels_counts_absent_labels() -> None:
    # label 2 never occurs: its F1 is 0 and it still pulls the mean down -> (1 + 1 + 0) / 3
    assert m.macro_f1([0, 1], [0, 1], labels=[0, 1, 2]) == pytest.approx(2 / 3)


def test_correlations_and_rmse_by_hand() -> None:
    # ranks x = [1, 2.5, 2.5, 4], ranks y = [1, 3, 2, 4]; centred: dx = [-1.5, 0, 0, 1.5],
    # dy = [-1.5, .5, -.5, 1.5]; sum dx*dy = 4.5, sum dx^2 = 4.5, sum dy^2 = 5 -> 4.5/sqrt(22.5)
    assert m.spearman([1, 2, 2, 3], [1, 3, 2, 4]) == pytest.approx(3 / math.sqrt(10))
    # dx = [-1, 0, 1], dy = [-7/3, -1/3, 8/3]: sum dx*dy = 5, sum dx^2 = 2, sum dy^2 = 114/9
    assert m.pearson([1, 2, 3], [2, 4, 7]) == pytest.approx(15 / math.sqrt(228))
    # errors 0, 0, 2 -> sqrt(4/3)
    assert m.rmse([1, 2, 3], [1, 2, 5]) == pytest.approx(math.sqrt(4 / 3))


def test_correlations_drop_nan_pairs_and_are_nan_on_constant_input() -> None:
    assert m.pearson([1, 2, np.nan, 3], [2, 4, 0, 7]) == pytest.approx(15 / math.sqrt(228))
    assert m.rmse([1, np.inf, 3], [1, 2, 3]) == 0.0
    assert math.isnan(m.pearson([1, 1, 1], [1, 2, 3]))
    assert math.isnan(m.spearman([1.0], [2.0]))
    assert math.isnan(m.rmse([np.nan], [1.0]))


def test_average_ranks_share_ties() -> None:
    assert m.average_ranks([10, 20, 20, 5]).tolist() == [2.0, 3.5, 3.5, 1.0]


def test_quadratic_weighted_kappa_by_hand() -> None:
    # a = [0, 1, 2], b = [0, 2, 2] on 0-2. Observed disagreement: one (1, 2) cell, weight 1 -> 1.
    # Expected = outer(hist a = [1, 1, 1], hist b = [1, 0, 2]) / 3; weighted sum over rows
    # i = 0: 4*2/3, i = 1: 1/3 + 2/3, i = 2: 4/3 -> 5. Kappa = 1 - 1/5 = 0.8.
    assert m.quadratic_weighted_kappa([0, 1, 2], [0, 2, 2]) == pytest.approx(0.8)
    assert m.quadratic_weighted_kappa([1, 2, 3], [1, 2, 3]) == pytest.approx(1.0)
    assert math.isnan(m.quadratic_weighted_kappa([1, 1], [1, 1]))
    with pytest.raises(ValueError, match="integer"):
        m.quadratic_weighted_kappa([0.5, 1], [1, 1])
    with pytest.raises(ValueError, match="outside"):
        m.quadratic_weighted_kappa([0, 4], [0, 1], min_rating=0, max_rating=3)


def test_fit_linear_by_hand() -> None:
    assert m.fit_linear([0, 1, 2], [1, 3, 5]) == pytest.approx((2.0, 1.0))
    # dx = [-1.5, -.5, .5, 1.5], dy = [-1.25, -.25, -.25, 1.75]: slope 4.5 / 5 = 0.9,
    # intercept 2.25 - 0.9 * 1.5 = 0.9
    assert m.fit_linear([0, 1, 2, 3], [1, 2, 2, 4]) == pytest.approx((0.9, 0.9))
    assert m.fit_linear([2, 2, 2], [1, 2, 6]) == pytest.approx((0.0, 3.0))


def test_fit_logistic_meets_its_stationarity_condition() -> None:
    # x = [-1, 1], y = [0, 1], l2 = 1: by symmetry the intercept is 0 and the loss is
    # 2 log(1 + e^-c) + c^2/2, whose derivative vanishes where c = 2 * sigmoid(-c) (c ~ 0.675).
    coef, intercept = m.fit_logistic([[-1.0], [1.0]], [0, 1], l2=1.0)
    assert intercept == pytest.approx(0.0, abs=1e-9)
    assert coef[0] == pytest.approx(2 * m.sigmoid(-coef[0]), abs=1e-9)
    assert 0.67 < coef[0] < 0.68


def test_sigmoid_is_stable_at_the_extremes() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = m.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    assert values.tolist() == [0.0, 0.5, 1.0]
    assert m.sigmoid(0.0) == 0.5


# --- against scikit-learn / scipy on random data --------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_binary_metrics_match_sklearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, 300)
    scores = np.round(rng.normal(truth * 0.7, 1.0), 1)  # rounding makes ties
    pred = (scores > 0.3).astype(int)
    assert m.roc_auc(truth, scores) == pytest.approx(skm.roc_auc_score(truth, scores))
    assert m.f1_binary(truth, pred) == pytest.approx(skm.f1_score(truth, pred))
    assert m.precision_recall(truth, pred) == pytest.approx(
        (skm.precision_score(truth, pred), skm.recall_score(truth, pred))
    )
    assert m.accuracy(truth, pred) == pytest.approx(skm.accuracy_score(truth, pred))


@pytest.mark.parametrize("seed", range(5))
def test_multiclass_f1_and_kappa_match_sklearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 4, 200)
    pred = np.clip(truth + rng.integers(-1, 2, 200), 0, 3)
    for average, ours in (("macro", m.macro_f1), ("weighted", m.weighted_f1)):
        assert ours(truth, pred) == pytest.approx(skm.f1_score(truth, pred, average=average))
    assert m.quadratic_weighted_kappa(truth, pred) == pytest.approx(
        skm.cohen_kappa_score(truth, pred, weights="quadratic")
    )
    labels = [0, 1, 2, 3, 4]  # a rating never used still widens the scale
    assert m.quadratic_weighted_kappa(truth, pred, 0, 4) == pytest.approx(
        skm.cohen_kappa_score(truth, pred, weights="quadratic", labels=labels)
    )


@pytest.mark.parametrize("seed", range(5))
def test_correlations_and_fits_match_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(size=150), 1)
    y = 0.5 * x + rng.normal(size=150)
    assert m.pearson(x, y) == pytest.approx(stats.pearsonr(x, y)[0])
    assert m.spearman(x, y) == pytest.approx(stats.spearmanr(x, y)[0])
    assert m.average_ranks(x) == pytest.approx(stats.rankdata(x))
    assert m.rmse(x, y) == pytest.approx(np.sqrt(skm.mean_squared_error(x, y)))
    assert m.fit_linear(x, y) == pytest.approx(tuple(np.polyfit(x, y, 1)))
    assert m.sigmoid(y) == pytest.approx(special.expit(y))


@pytest.mark.parametrize(
    ("seed", "l2", "weighted"), [(0, 1.0, False), (1, 0.1, True), (2, 5, True)]
)
def test_fit_logistic_matches_sklearn(seed: int, l2: float, weighted: bool) -> None:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(400, 3))
    y = (X @ np.array([1.5, -2.0, 0.3]) + 0.4 + rng.normal(size=400) > 0).astype(int)
    weight = rng.uniform(0.2, 3.0, 400) if weighted else None
    coef, intercept = m.fit_logistic(X, y, l2=l2, sample_weight=weight)
    reference = linear_model.LogisticRegression(C=1 / l2, tol=1e-12, max_iter=10_000)
    reference.fit(X, y, sample_weight=weight)
    assert coef == pytest.approx(reference.coef_[0], abs=1e-5)
    assert intercept == pytest.approx(reference.intercept_[0], abs=1e-5)
