"""Whose verdicts set the score: the LLM's opinions beside the local verdicts, or in their place."""

from __future__ import annotations

import pytest

from interviewer.core.feedback.judge import judged_by_llm, supported_verdict, with_second_opinion
from interviewer.core.ports import KeyPointOpinion
from interviewer.core.result import EvidenceSpan, Flag, KeyPointResult, ScoreResult, Verdict

ANSWER = "Write-through writes to the cache and the database. It is slower for writes."


def _local() -> ScoreResult:
    span = EvidenceSpan(text="Write-through writes to the cache and the database.", start=0, end=51)
    points = [
        KeyPointResult(
            key_point="Knows the strategies",
            coverage=0.9,
            verdict=Verdict.COVERED,
            evidence=span,
            similarity=0.8,
            weight=2.0,
        ),
        KeyPointResult(
            key_point="Understands trade-offs",
            coverage=0.1,
            verdict=Verdict.MISSING,
            evidence=None,
            similarity=0.3,
        ),
    ]
    return ScoreResult(question="q", score=60.0, key_points=points, flags=[Flag.TERM_LIST])


def _opinion(label: str, verdict: Verdict, quote: str) -> KeyPointOpinion:
    return KeyPointOpinion(label, verdict, quote, bool(quote) and quote in ANSWER)


def test_the_llm_as_judge_sets_coverage_and_score_and_keeps_the_local_verdicts_beside() -> None:
    opinions = [
        _opinion("Knows the strategies", Verdict.PARTIAL, "Write-through writes to the cache"),
        _opinion("Understands trade-offs", Verdict.COVERED, "It is slower for writes."),
    ]
    judged = judged_by_llm(_local(), opinions)

    assert [kp.verdict for kp in judged.key_points] == [Verdict.PARTIAL, Verdict.COVERED]
    assert [kp.coverage for kp in judged.key_points] == [0.5, 1.0]
    assert judged.score == pytest.approx(100 * (2 * 0.5 + 1 * 1.0) / 3, abs=0.05)
    seconds = [kp.second for kp in judged.key_points]
    assert [(s.judge, s.verdict) for s in seconds if s] == [
        ("local", Verdict.COVERED),
        ("local", Verdict.MISSING),
    ]
    # the local evidence span stays for the highlights
    assert judged.key_points[0].evidence == _local().key_points[0].evidence
    assert judged.flags == [Flag.TERM_LIST, Flag.LLM_JUDGED]
    assert judged.contract()["key_points"][1]["second_opinion"] == {  # type: ignore[index]
        "judge": "local",
        "verdict": "missing",
        "quote": "",
    }


def test_a_covered_verdict_quoting_text_not_in_the_answer_counts_as_partial() -> None:
    invented = _opinion("Knows the strategies", Verdict.COVERED, "write-back batches flushes")
    assert not invented.quote_in_answer
    assert supported_verdict(invented) is Verdict.PARTIAL
    missing = _opinion("Understands trade-offs", Verdict.MISSING, "")
    judged = judged_by_llm(_local(), [invented, missing])
    assert judged.score == pytest.approx(100 * (2 * 0.5) / 3, abs=0.05)


def test_a_second_opinion_beside_the_local_one_leaves_the_score_alone() -> None:
    opinions = [
        _opinion("Knows the strategies", Verdict.MISSING, ""),
        _opinion("Understands trade-offs", Verdict.COVERED, "It is slower for writes."),
    ]
    shown = with_second_opinion(_local(), opinions)
    assert shown.score == 60.0
    assert [kp.verdict for kp in shown.key_points] == [Verdict.COVERED, Verdict.MISSING]
    second = shown.key_points[1].second
    assert second is not None
    assert (second.judge, second.verdict, second.quote) == (
        "llm",
        Verdict.COVERED,
        "It is slower for writes.",
    )
    assert Flag.LLM_JUDGED not in shown.flags


def test_judging_again_does_not_repeat_the_flag_and_a_count_mismatch_is_refused() -> None:
    opinions = [
        _opinion("Knows the strategies", Verdict.COVERED, "Write-through writes to the cache"),
        _opinion("Understands trade-offs", Verdict.MISSING, ""),
    ]
    twice = judged_by_llm(judged_by_llm(_local(), opinions), opinions)
    assert twice.flags.count(Flag.LLM_JUDGED) == 1
    with pytest.raises(ValueError, match="1 opinions for 2 key points"):
        judged_by_llm(_local(), opinions[:1])


def test_a_stored_result_with_a_second_opinion_reads_back() -> None:
    opinions = [
        _opinion("Knows the strategies", Verdict.PARTIAL, ""),
        _opinion("Understands trade-offs", Verdict.MISSING, ""),
    ]
    judged = judged_by_llm(_local(), opinions)
    again = ScoreResult.model_validate_json(judged.model_dump_json())
    assert again == judged
