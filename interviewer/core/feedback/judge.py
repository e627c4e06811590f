"""Whose verdicts set the score: the local grader's (the default) or the LLM's (`--judge llm`).

The LLM's per-key-point opinions (see `prompt.parse_second_opinion`) either sit beside the local
verdicts, or, with the LLM as the judge, replace them: coverage and the 0-100 score come from its
verdicts, while the evidence spans stay the local grader's, so the highlights still show where the
answer matches the rubric. Either way the other judge's verdict is kept on each key point
(`KeyPointResult.second`), so a user always sees both.

A "covered" verdict whose quote is not in the answer counts as partial: the model claims evidence
it cannot show.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from interviewer.core.ports import KeyPointOpinion
from interviewer.core.result import Flag, KeyPointResult, ScoreResult, SecondOpinion, Verdict
from interviewer.core.terms import VERDICT_COVERAGE, weighted_score


class Judge(StrEnum):
    LOCAL = "local"
    LLM = "llm"


def supported_verdict(opinion: KeyPointOpinion) -> Verdict:
    """The opinion's verdict, lowered to partial when its quote is not in the answer."""
    if opinion.verdict is Verdict.COVERED and not opinion.quote_in_answer:
        return Verdict.PARTIAL
    return opinion.verdict


def _quote(opinion: KeyPointOpinion) -> str:
    return opinion.quote if opinion.quote_in_answer else ""


def with_second_opinion(result: ScoreResult, opinions: Sequence[KeyPointOpinion]) -> ScoreResult:
    """The local result, each key point carrying the LLM's verdict beside its own (a covered
    verdict whose quote is not in the answer shows as partial, as it would count)."""
    _check(result, opinions)
    points = [
        kp.model_copy(
            update={
                "second": SecondOpinion(
                    judge=Judge.LLM, verdict=supported_verdict(o), quote=_quote(o)
                )
            }
        )
        for kp, o in zip(result.key_points, opinions, strict=True)
    ]
    return result.model_copy(update={"key_points": points})


def judged_by_llm(result: ScoreResult, opinions: Sequence[KeyPointOpinion]) -> ScoreResult:
    """The result with the LLM as the judge: its verdicts set coverage and the score; the local
    verdicts are kept beside them, and the local evidence spans are kept for the highlights."""
    _check(result, opinions)
    points: list[KeyPointResult] = []
    for kp, opinion in zip(result.key_points, opinions, strict=True):
        verdict = supported_verdict(opinion)
        local = SecondOpinion(judge=Judge.LOCAL, verdict=kp.verdict)
        points.append(
            kp.model_copy(
                update={
                    "verdict": verdict,
                    "coverage": VERDICT_COVERAGE[verdict],
                    "second": local,
                    "judgement": None,  # the local verifier's reading no longer sets the verdict
                    "contradicted": None,
                }
            )
        )
    score = round(weighted_score([p.weight for p in points], [p.coverage for p in points]), 1)
    flags = [f for f in result.flags if f is not Flag.LLM_JUDGED] + [Flag.LLM_JUDGED]
    return result.model_copy(update={"key_points": points, "score": score, "flags": flags})


def _check(result: ScoreResult, opinions: Sequence[KeyPointOpinion]) -> None:
    if len(opinions) != len(result.key_points):
        raise ValueError(
            f"{len(opinions)} opinions for {len(result.key_points)} key points: "
            "parse_second_opinion gives exactly one per key point"
        )
