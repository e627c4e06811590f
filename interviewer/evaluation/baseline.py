"""The naive baseline: match answers against the seed's key points themselves (no evidence)."""

from __future__ import annotations

from collections.abc import Mapping

from interviewer.core.rubric.schema import FollowUpRubric, KeyPointRubric, Rubric


def _naive(points: list[KeyPointRubric]) -> list[KeyPointRubric]:
    return [KeyPointRubric(label=kp.label, weight=kp.weight, evidence=[kp.label]) for kp in points]


def naive_rubrics(rubrics: Mapping[str, Rubric]) -> dict[str, Rubric]:
    out: dict[str, Rubric] = {}
    for question, rubric in rubrics.items():
        follow = None
        if rubric.follow_up is not None:
            follow = FollowUpRubric(
                prompt=rubric.follow_up.prompt, key_points=_naive(rubric.follow_up.key_points)
            )
        out[question] = Rubric(
            question=question,
            version=rubric.version,
            key_points=_naive(rubric.key_points),
            follow_up=follow,
        )
    return out
