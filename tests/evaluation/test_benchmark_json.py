"""`interviewer eval --benchmark NAME --json` prints one JSON document, not the rich table (issue 16)."""

from __future__ import annotations

import json

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
