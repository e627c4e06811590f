"""`interviewer score`'s terminal output: the user's answer and the bank's labels are printed as
text, never read as Rich markup (an answer with `[/]` in it once crashed or restyled the output)."""

from __future__ import annotations

import pytest

from interviewer.commands.score import print_result
from interviewer.core.result import EvidenceSpan, KeyPointResult, ScoreResult, Verdict


def test_answer_and_labels_with_markup_print_literally(capsys: pytest.CaptureFixture[str]) -> None:
    evidence = EvidenceSpan(text="close it [/] then [red]retry[/red]", start=0, end=33)
    point = KeyPointResult(
        key_point="Knows [bold]half-open[/]",
        coverage=0.5,
        verdict=Verdict.PARTIAL,
        evidence=evidence,
        similarity=0.5,
    )
    result = ScoreResult(question="q", part="main", score=50.0, key_points=[point], model="m")
    print_result(result)
    assert capsys.readouterr().out.splitlines() == [
        "Score 50/100  q · main",
        "◐ partial  Knows [bold]half-open[/]  (0.50)",
        "    “close it [/] then [red]retry[/red]”",
    ]
