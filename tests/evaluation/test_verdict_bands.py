"""Three-way verdicts for real: the bands are fitted together for agreement (QWK) with the graders'
1 / 0.5 / 0 labels, and tune reports how often each verdict appears beside the graders'."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from interviewer.cli import main
from interviewer.core.grading.embedding import HashingEmbedder
from interviewer.core.result import Part
from interviewer.evaluation import metrics, tuning
from interviewer.evaluation.evaluator import Outcome
from interviewer.evaluation.labelled import LabelledAnswer

Floats = npt.NDArray[np.float64]
LABELLED = Path(__file__).resolve().parents[2] / "eval" / "labelled"
QUESTIONS = (
    "circuit-breaker-pattern",
    "cap-theorem-in-practice",
    "bulkhead-pattern-for-fault-isolation",
)


def three_levels(n: int = 600) -> tuple[Floats, Floats]:
    """Coverage whose labels are 0 below 0.4, 0.5 up to 0.6, 1 above, with a little noise."""
    rng = np.random.default_rng(7)
    coverage = rng.uniform(0.0, 1.0, n)
    noisy = coverage + rng.normal(0.0, 0.03, n)
    labels = np.where(noisy >= 0.6, 1.0, np.where(noisy >= 0.4, 0.5, 0.0))
    return coverage, labels


def qwk_of(coverage: Floats, labels: Floats, partial_at: float, covered_at: float) -> float:
    verdicts = np.where(coverage >= covered_at, 2, np.where(coverage >= partial_at, 1, 0))
    return metrics.quadratic_weighted_kappa((labels * 2).astype(int), verdicts, 0, 2)


def test_the_bands_find_the_graders_partial_band() -> None:
    coverage, labels = three_levels()
    partial_at, covered_at = tuning.fit_bands(coverage, labels)
    assert abs(partial_at - 0.4) <= 0.04
    assert abs(covered_at - 0.6) <= 0.04
    verdicts = np.where(coverage >= covered_at, 2, np.where(coverage >= partial_at, 1, 0))
    assert 0.1 < np.mean(verdicts == 1) < 0.3, "partial appears about as often as the graders say"


def test_no_other_pair_of_cuts_agrees_better() -> None:
    coverage, labels = three_levels(300)
    grid = tuning.BAND_GRID
    partial_at, covered_at = tuning.fit_bands(coverage, labels, grid)
    best = qwk_of(coverage, labels, partial_at, covered_at)
    for j, high in enumerate(grid):
        for low in grid[:j]:
            assert qwk_of(coverage, labels, float(low), float(high)) <= best + 1e-9


def test_the_bands_stay_ordered_when_nobody_says_partial() -> None:
    coverage, labels = three_levels()
    binary = np.where(labels == 0.5, 0.0, labels)
    partial_at, covered_at = tuning.fit_bands(coverage, binary)
    assert partial_at < covered_at


def _answer(coverage: tuple[float, ...]) -> LabelledAnswer:
    return LabelledAnswer(
        id="q/x",
        question="q",
        part=Part.MAIN,
        kind="k",
        set="clean",
        answer="a",
        coverage=coverage,
        grade=5.0,
    )


def test_verdict_shares_put_the_grader_beside_the_graders() -> None:
    answers = [_answer((1.0, 0.5, 0.0, 0.0)), _answer((1.0, 1.0, 0.5, 0.0))]
    outcomes = [
        Outcome(coverage=[0.9, 0.5, 0.1, 0.1], verdicts=[2, 1, 0, 0], score=40.0),
        Outcome(coverage=[0.9, 0.3, 0.3, 0.1], verdicts=[2, 0, 0, 0], score=40.0),
    ]
    shares = tuning.verdict_shares(answers, outcomes)
    assert shares.n == 8
    assert shares.graders == {"missing": 0.375, "partial": 0.25, "covered": 0.375}
    assert shares.grader == {"missing": 0.625, "partial": 0.125, "covered": 0.25}
    assert shares.exact == 0.75
    labels = [2, 1, 0, 0, 2, 2, 1, 0]
    verdicts = [2, 1, 0, 0, 2, 0, 0, 0]
    assert shares.qwk == round(metrics.quadratic_weighted_kappa(labels, verdicts, 0, 2), 4)
    line = shares.line()
    assert line.startswith(f"QWK {shares.qwk:.3f}, exact 75% of 8 key points; ")
    assert "graders: missing 38% partial 25% covered 38%" in line
    assert "grader: missing 62% partial 12% covered 25%" in line
    assert tuning.verdict_shares([], []).n == 0


def test_tune_reports_the_verdicts_beside_the_graders(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bag-of-words embedder stands in for the model: this is about what tune prints."""
    monkeypatch.setattr("interviewer.wiring.default_embedder", lambda model=None: HashingEmbedder())
    monkeypatch.setenv("COLUMNS", "400")
    data = [f"--data={LABELLED / f'{q}.jsonl'}" for q in QUESTIONS]
    assert main(["tune", *data, "--dry-run"]) == 0
    out = capsys.readouterr().out
    for name in ("current", "tuned (held-out questions)"):
        line = next(line for line in out.splitlines() if line.startswith(f"verdicts, {name}: "))
        assert re.search(r"QWK -?\d\.\d{3}, exact \d+% of \d+ key points; ", line), line
        assert re.search(r"graders: missing \d+% partial \d+% covered \d+%; grader: ", line), line
