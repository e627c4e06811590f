"""The LLM as the verifier: its per-key-point verdicts (the second opinion) measured like our grader.

When an endpoint is configured, `interviewer eval --llm` asks it about every labelled answer and
reports its agreement with the graders beside the local grader's. A covered verdict whose quote is
not in the answer is counted as partial (the model claims evidence it cannot show). An answer the
endpoint cannot judge keeps the local grader's result and is counted as a failure, so a flaky
endpoint lowers the number of judged answers, never the run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from interviewer.core.feedback.judge import supported_verdict
from interviewer.core.ports import (
    FeedbackRequest,
    KeyPointOpinion,
    OpinionFailure,
    SecondOpinionSource,
)
from interviewer.core.result import ScoreResult
from interviewer.core.terms import VERDICT_COVERAGE, weighted_score
from interviewer.evaluation.evaluator import _ORDINAL, Outcome

ORDINAL = _ORDINAL  # a verdict on the 0 / 1 / 2 scale, as the evaluator reads the grader's


@dataclass
class JudgeRun:
    outcomes: list[Outcome]
    failures: list[str] = field(default_factory=list)  # "<answer id>: <one line>"
    seconds: float = 0.0

    @property
    def judged(self) -> int:
        return len(self.outcomes) - len(self.failures)


def outcome_of(opinions: Sequence[KeyPointOpinion], result: ScoreResult) -> Outcome:
    """The LLM's verdicts as an Outcome; weights and evidence come from the rubric's result."""
    verdicts = [supported_verdict(o) for o in opinions]
    coverage = [VERDICT_COVERAGE[v] for v in verdicts]
    return Outcome(
        coverage=coverage,
        verdicts=[ORDINAL[v] for v in verdicts],
        score=weighted_score([kp.weight for kp in result.key_points], coverage),
        evidence=[o.quote if o.quote_in_answer else None for o in opinions],
    )


async def judge_all(
    source: SecondOpinionSource,
    ids: Sequence[str],
    requests: Sequence[FeedbackRequest],
    *,
    concurrency: int = 4,
    progress: Callable[[int], None] | None = None,
) -> JudgeRun:
    """Every answer's second opinion, `concurrency` at a time, in the order given; `progress` is
    called with the number of answers judged so far."""
    started = time.perf_counter()
    gate = asyncio.Semaphore(concurrency)
    done = 0

    async def one(request: FeedbackRequest) -> list[KeyPointOpinion] | OpinionFailure:
        nonlocal done
        async with gate:
            reply = await source.second_opinion(request)
        done += 1
        if progress is not None:
            progress(done)
        return reply

    replies = await asyncio.gather(*(one(r) for r in requests))
    run = JudgeRun(outcomes=[])
    for answer_id, request, reply in zip(ids, requests, replies, strict=True):
        if isinstance(reply, OpinionFailure):
            run.failures.append(f"{answer_id}: {reply.message}")
            run.outcomes.append(Outcome.of(request.result))
        else:
            run.outcomes.append(outcome_of(reply, request.result))
    run.seconds = time.perf_counter() - started
    return run
