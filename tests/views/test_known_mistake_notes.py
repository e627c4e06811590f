"""A point that reads like one of its rubric's known mistakes says which one, wherever notes show."""

from __future__ import annotations

from interviewer.core.result import EvidenceSpan, KeyPointResult, ScoreResult, Verdict
from interviewer.core.transcripts.export_text import (
    LIKE_A_KNOWN_MISTAKE,
    STRONG_ANSWER_SAYS,
    strong_answer_notes,
)
from interviewer.tui.widgets.score_card import strong_answer_rows

MISTAKE = "Write-back writes to the database first [bold]and[/] updates the cache later."


def _point(verdict: Verdict, like_mistake: str | None) -> KeyPointResult:
    return KeyPointResult(
        key_point="Knows multiple strategies",
        coverage=0.3,
        verdict=verdict,
        evidence=EvidenceSpan(text="Write-back writes to the DB first.", start=0, end=34),
        similarity=0.7,
        like_mistake=like_mistake,
        expected=("Write-back: writes land in the cache and are flushed later.",),
    )


def test_the_known_mistake_comes_before_what_a_strong_answer_says() -> None:
    notes = strong_answer_notes(_point(Verdict.PARTIAL, MISTAKE), Verdict.PARTIAL)
    assert [label for label, _ in notes] == [LIKE_A_KNOWN_MISTAKE, STRONG_ANSWER_SAYS]
    assert notes[0][1] == MISTAKE
    assert strong_answer_notes(_point(Verdict.PARTIAL, None), Verdict.PARTIAL)[0][0] == (
        STRONG_ANSWER_SAYS
    )
    # a point the user corrected to covered shows no notes at all
    assert strong_answer_notes(_point(Verdict.PARTIAL, MISTAKE), Verdict.COVERED) == []


def test_the_score_view_shows_it_as_text_and_the_json_carries_it() -> None:
    result = ScoreResult(question="q", score=30.0, key_points=[_point(Verdict.PARTIAL, MISTAKE)])
    rows = strong_answer_rows(result)
    assert [kind for kind, _ in rows] == ["point", "says", "says"]
    shown = rows[1][1].plain
    assert shown.startswith(f"{LIKE_A_KNOWN_MISTAKE}: ") and "[bold]and[/]" in shown
    payload = result.contract()
    assert payload["key_points"][0]["like_mistake"] == MISTAKE  # type: ignore[index]
    assert ScoreResult.model_validate_json(result.model_dump_json()) == result
