"""The external-benchmark protocols, end to end on the real data with a lexical baseline.

The baseline (token Jaccard, token recall for key elements) is cheap and deterministic; these tests
check structure and sanity, not quality. The data lives outside the repository, so the data-backed
tests skip with the path when it is absent.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console

from interviewer.evaluation import external as ext
from interviewer.evaluation import metrics

TOKEN = re.compile(r"[a-z0-9]+")
_COMMON = {"a", "an", "the", "of", "to", "in", "on", "is", "are", "was", "be", "and", "or"}
_FRAME = {"you", "need", "know", "what", "how"}  # ASAP set 1's "You need to know ..." frame
STOPWORDS = frozenset(_COMMON | _FRAME)


def _tokens(text: str) -> set[str]:
    return set(TOKEN.findall(text.lower())) - STOPWORDS


def jaccard(references: list[str], answers: list[str]) -> np.ndarray:
    out = np.zeros(len(answers))
    for i, (ref, ans) in enumerate(zip(references, answers, strict=True)):
        a, b = _tokens(ref), _tokens(ans)
        out[i] = len(a & b) / len(a | b) if a | b else 0.0
    return out


def token_recall(elements: list[str], answers: list[str]) -> np.ndarray:
    """Share of each key element's content words that the answer uses."""
    wanted = [_tokens(e) for e in elements]
    out = np.zeros((len(answers), len(elements)))
    for i, answer in enumerate(answers):
        have = _tokens(answer)
        out[i] = [len(w & have) / len(w) if w else 0.0 for w in wanted]
    return out


def _counting(function: Callable[..., Any], calls: list[int]) -> Callable[..., Any]:
    def wrapped(left: list[str], right: list[str]) -> Any:
        calls.append(len(right))
        return function(left, right)

    return wrapped


def _data_present() -> bool:
    root = ext.external_eval_dir()
    return (root / "mohler" / "mohler.jsonl").is_file() and (
        root / "published_anchors.csv"
    ).is_file()


needs_data = pytest.mark.skipif(
    not _data_present(),
    reason=f"external benchmark data not found at {ext.external_eval_dir()} "
    f"(set {ext.ENV_VAR} to the eval-external folder)",
)


@pytest.fixture(scope="module")
def mohler() -> tuple[ext.MohlerResult, list[int]]:
    calls: list[int] = []
    return ext.run_mohler(_counting(jaccard, calls)), calls


@pytest.fixture(scope="module")
def semeval() -> tuple[ext.SemEvalResult, list[int]]:
    calls: list[int] = []
    return ext.run_semeval(_counting(jaccard, calls)), calls


@pytest.fixture(scope="module")
def asap() -> tuple[ext.AsapResult, list[int]]:
    calls: list[int] = []
    return ext.run_asap(_counting(token_recall, calls)), calls


def _render(table: Any) -> str:
    console = Console(file=io.StringIO(), width=240, record=True)
    console.print(table)
    return console.export_text()


@needs_data
def test_mohler_lexical_baseline(mohler: tuple[ext.MohlerResult, list[int]]) -> None:
    result, calls = mohler
    assert result["n"] == 2273
    assert calls == [2273], "one call with every pair"
    for key in ("pearson", "spearman", "pearson_calibrated", "rmse", "rmse_floor"):
        assert np.isfinite(result[key]), key
    assert result["pearson"] > 0.2
    assert result["rmse"] < result["rmse_floor"], "calibration beats predicting the mean"
    published = {(row.system, row.metric): row.value for row in result["published"]}
    assert published[("human grader 1 vs grader 2", "pearson")] == 0.589
    assert published[("tf-idf cosine(student; reference)", "pearson")] == 0.458
    assert 0.625 in {row.value for row in result["published"]}
    text = _render(ext.format_table(result))
    assert "ours, zero training" in text and "0.589" in text


@needs_data
def test_semeval_lexical_baseline(semeval: tuple[ext.SemEvalResult, list[int]]) -> None:
    result, calls = semeval
    sizes = {
        "beetle/test_ua": 439,
        "beetle/test_uq": 819,
        "scientsbank/test_ua": 540,
        "scientsbank/test_uq": 733,
        "scientsbank/test_ud": 4562,
    }
    assert {split: s["n"] for split, s in result["splits"].items()} == sizes
    assert len(calls) == 7, "one call per corpus split (2 train + 5 test)"
    assert result["threshold_objective"] == "macro_f1"
    assert set(result["thresholds"]) == {"beetle", "scientsbank"}
    for split, scores in result["splits"].items():
        for key in ("accuracy", "macro_f1", "weighted_f1"):
            assert 0.0 <= scores[key] <= 1.0, (split, key)
        assert scores["macro_f1"] > scores["majority_macro_f1"], split
    assert any(row.value == 0.833 for row in result["published"])
    assert "beetle UQ" in _render(ext.format_table(result))


@needs_data
def test_asap_lexical_baseline(asap: tuple[ext.AsapResult, list[int]]) -> None:
    result, calls = asap
    assert set(result["sets"]) == {1, 2, 5, 6, 10}
    assert calls == [557, 426, 598, 599, 546], "one call per essay set"
    for number, scores in result["sets"].items():
        assert -1.0 <= scores["qwk"] <= 1.0, number
        assert np.isfinite(scores["threshold"]), number
    assert -1.0 <= result["qwk_mean"] <= 1.0
    assert np.isfinite(result["qwk_fisher_mean"])
    # our QWK on the training score pairs reproduces the data's reference_baselines.json
    human = {n: s["human_qwk"] for n, s in result["sets"].items()}
    expected = {1: 0.9435, 2: 0.9143, 5: 0.9534, 6: 0.9562, 10: 0.8838}
    assert human == pytest.approx(expected, abs=1e-4)
    assert "0.7717" in _render(ext.format_table(result))


@pytest.mark.parametrize("run", [ext.run_mohler, ext.run_semeval, ext.run_asap])
def test_missing_data_names_the_path(
    run: Callable[[Any], Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ext.ENV_VAR, str(tmp_path))
    with pytest.raises(ext.ExternalDataMissing, match=re.escape(str(tmp_path))) as caught:
        run(jaccard)
    assert "\n" not in str(caught.value)
    assert ext.ENV_VAR in str(caught.value)


def test_best_threshold_maximises_macro_f1() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 300)
    scores = np.round(rng.normal(labels * 0.8, 1.0), 1)
    cut = ext.best_threshold(scores, labels)
    found = metrics.macro_f1(labels, (scores >= cut).astype(int), labels=[0, 1])
    brute = max(
        metrics.macro_f1(labels, (scores >= t).astype(int), labels=[0, 1])
        for t in np.unique(scores)
    )
    assert found == pytest.approx(brute)


def test_set_two_rule_adds_a_conclusion_to_up_to_two_improvements() -> None:
    # elements: 2 conclusions, then 3 improvements; threshold 0.5
    groups = ["Conclusions"] * 2 + ["Experimental Design Improvements"] * 3
    coverage = np.array(
        [
            [0.9, 0.9, 0.9, 0.9, 0.9],  # conclusion (capped at 1) + 3 improvements (capped at 2)
            [0.0, 0.0, 0.9, 0.9, 0.0],  # two improvements, no conclusion -> 2
            [0.9, 0.0, 0.0, 0.0, 0.0],  # conclusion only -> 1
            [0.4, 0.0, 0.0, 0.0, 0.0],  # nothing reaches the threshold -> 0
        ]
    )
    points = ext.points_for_thresholds(coverage, groups, ext.POINTS_RULES[2], np.array([0.5]))
    assert points[:, 0].tolist() == [3, 2, 1, 0]
    # set 5: 4 elements -> 3 points, 3 -> 2, 2 -> 1, 1 -> 1
    five = np.tril(np.ones((4, 8)))[::-1] * 0.9  # rows with 4, 3, 2, 1 elements present
    points = ext.points_for_thresholds(five, ["*"] * 8, ext.POINTS_RULES[5], np.array([0.5]))
    assert points[:, 0].tolist() == [3, 2, 1, 1]
