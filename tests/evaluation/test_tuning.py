"""The tuning maths on a small synthetic feature table: the fitted map, its cuts, and the demotion of
points stated like a known mistake carried into the parameters."""

from __future__ import annotations

import numpy as np

from interviewer.evaluation import tuning


def table(names: list[str]) -> tuning.FeatureTable:
    """Coverage labels that follow `best`; rows whose best span is a mistake are labelled 0."""
    rng = np.random.default_rng(3)
    best = rng.uniform(0.0, 1.0, 300)
    margin = np.where(rng.uniform(size=300) < 0.2, 0.1, -0.2)
    labels = np.where(best > 0.66, 1.0, np.where(best > 0.33, 0.5, 0.0))
    labels = np.where(margin > 0, 0.0, labels)
    columns = {"best": best, "mistake_margin": margin}
    values = np.column_stack([columns[n] for n in names])
    return tuning.FeatureTable(values, labels, [f"q{i % 7}" for i in range(300)], names)


def test_the_fitted_params_carry_the_mistake_demotion() -> None:
    params = tuning.fit_params(table(["best", "mistake_margin"]))
    assert params.mistake_factor == tuning.MISTAKE_FACTOR == 0.5
    assert params.mistake_at == tuning.MISTAKE_AT
    assert params.features == ["best", "mistake_margin"]
    assert params.coef[0] > 0  # more evidence similarity, more coverage
    assert params.coef[1] < 0  # closer to a mistake, less
    assert 0.2 <= params.partial_at < params.covered_at <= 0.86


def test_the_demotion_can_be_turned_off_and_needs_its_feature() -> None:
    assert (
        tuning.fit_params(table(["best", "mistake_margin"]), mistake_factor=0.0).mistake_factor == 0
    )
    assert tuning.fit_params(table(["best"])).mistake_factor == 0.0
