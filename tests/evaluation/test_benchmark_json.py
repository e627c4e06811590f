"""`interviewer eval --benchmark NAME --json` prints one JSON document, not the rich table (issue 16)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest
from rich.console import Console

from interviewer.commands.eval import _benchmarks
from interviewer.core.grading.embedding import HashingEmbedder
from interviewer.evaluation import external as ext

pytestmark = pytest.mark.skipif(
    not (ext.external_eval_dir() / "semeval2013").is_dir(),
    reason=f"external benchmark data not found at {ext.external_eval_dir()}",
)


def test_benchmark_json_is_one_document_with_the_rows(capsys: pytest.CaptureFixture[str]) -> None:
    console = Console(record=True)
    assert _benchmarks(console, HashingEmbedder(), ["semeval"], as_json=True) == 0
    payload = json.loads(capsys.readouterr().out)
    result = payload["benchmarks"]["semeval"]
    assert result["benchmark"] == "semeval2013" and result["splits"]["beetle/test_ua"]["n"] > 0
    ours = result["ours"]
    assert ours and {"system", "setting", "metric", "value", "status"} <= set(ours[0])
    assert console.export_text() == ""  # no table


class OverlapVerifier:
    """A scripted verifier for the protocol's plumbing: "entails" is the share of the reference's
    words the answer uses (the real model's numbers are in eval/README.md)."""

    @property
    def name(self) -> str:
        return "overlap"

    def judge(self, question: str, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(pairs), 4), dtype=np.float32)
        for i, (answer, reference) in enumerate(pairs):
            wanted, have = set(reference.lower().split()), set(answer.lower().split())
            out[i, 0] = len(wanted & have) / max(1, len(wanted))
        return out


def test_with_a_verifier_mohler_runs_again_on_its_entailment(
    capsys: pytest.CaptureFixture[str],
) -> None:
    console = Console(record=True)
    code = _benchmarks(
        console, HashingEmbedder(), ["mohler"], as_json=True, verifier=OverlapVerifier()
    )
    assert code == 0
    payload = json.loads(capsys.readouterr().out)["benchmarks"]
    assert set(payload) == {"mohler", "mohler+verifier"}
    plain, verified = payload["mohler"], payload["mohler+verifier"]
    assert verified["n"] == plain["n"] > 2000
    assert verified["pearson"] != plain["pearson"] and verified["pearson"] > 0.2
