"""The verifier stage's own maths with a scripted verifier (the real model's claims are tested in
tests/adapters/test_onnx_verifier.py and measured in eval/README.md): which pairs are asked, how
their probabilities become features, which points are not judged, and when a contradiction wins."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from interviewer.core.grading.embedding import HashingEmbedder, StatementCache
from interviewer.core.grading.grader import Grader, decide
from interviewer.core.grading.matching import Match
from interviewer.core.grading.params import ScoringParams
from interviewer.core.grading.verification import (
    NEUTRAL,
    NO_MISTAKE,
    pairs_for,
    verifier_features,
)
from interviewer.core.result import Judgement, Verdict
from interviewer.core.rubric.schema import KeyPointRubric, Rubric
from tests.grading.conftest import BURSTS, REJECTS, TOKENS, UNRELATED

ANSWER = "first span. second span. third span."
SPANS = [(0, 11), (12, 24), (25, 36)]
EVIDENCE = ["e0", "e1", "e2"]
MISTAKES = ["m0", "m1"]


def _match(best: int = 1, mistake: int | None = 1) -> Match:
    return Match({}, best, shortlist=[best], statements=[[2, 0]], mistake=mistake)


def test_the_best_span_meets_its_closest_statements_then_its_closest_mistake() -> None:
    pairs = pairs_for(ANSWER, SPANS, _match(), EVIDENCE, MISTAKES)
    assert pairs == [("second span.", "e2"), ("second span.", "e0"), ("second span.", "m1")]
    assert pairs_for(ANSWER, SPANS, _match(), EVIDENCE) == pairs[:2]  # mistakes not wanted
    assert pairs_for(ANSWER, SPANS, _match(mistake=None), EVIDENCE, MISTAKES) == pairs[:2]


def test_probabilities_become_the_point_features() -> None:
    # rows: supports, contradicts, mentions, unrelated; two evidence pairs, then the mistake pair
    probabilities = np.array(
        [[0.6, 0.1, 0.3, 0.0], [0.2, 0.5, 0.3, 0.0], [0.9, 0.0, 0.1, 0.0]], dtype=np.float32
    )
    judged = verifier_features(_match(), probabilities, EVIDENCE)
    values = judged.values
    assert values["v_support"] == np.float32(0.4)  # the span's mean over its statements
    assert values["v_contra"] == np.float32(0.3)
    assert values["v_mention"] == np.float32(0.3)
    # how much more the span entails its closest mistake than its closest evidence statement
    assert abs(values["v_mistake"] - (0.9 - 0.6)) < 1e-6
    assert judged.contradicted is None  # contradiction 0.3 < support 0.4
    alone = verifier_features(_match(mistake=None), probabilities[:2], EVIDENCE)
    assert alone.values["v_mistake"] == NO_MISTAKE


class ScriptedVerifier:
    """Every pair gets the same probabilities; the pairs asked are recorded."""

    def __init__(self, row: Sequence[float]) -> None:
        self.row = np.array(row, dtype=np.float32)
        self.asked: list[tuple[str, str]] = []

    @property
    def name(self) -> str:
        return "scripted"

    def judge(self, question: str, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        self.asked.extend(pairs)
        return np.tile(self.row, (len(pairs), 1))


def _grader(verifier: ScriptedVerifier, params: ScoringParams) -> Grader:
    embedder = HashingEmbedder()
    point = [
        KeyPointRubric(label=label, evidence=[statement], mistakes=[f"not {statement}"])
        for label, statement in (("refill", TOKENS), ("bursts", BURSTS), ("rejects", REJECTS))
    ]
    return Grader(
        embedder,
        {"bucket": Rubric(question="bucket", key_points=point)},
        {"bucket": "Token bucket rate limiting."},
        params,
        StatementCache(embedder, None),
        verifier,
    )


def test_points_below_the_floor_are_not_judged_and_read_neutral() -> None:
    verifier = ScriptedVerifier([0.7, 0.1, 0.2, 0.0])
    params = ScoringParams(
        features=["best", "v_support"],
        coef=[14.0, 0.0],
        pasted_at=2.0,
        one_liner_words=0,
        floor=0.5,
    )
    result = _grader(verifier, params).score("bucket", f"{TOKENS} {UNRELATED}")
    asked = {statement for _, statement in verifier.asked}
    assert asked == {TOKENS}  # only the point the answer is about; no mistake pair by default
    refill, bursts, rejects = result.key_points
    assert refill.features["v_support"] > 0.69 and refill.judgement is Judgement.SUPPORTS
    for point in (bursts, rejects):
        assert point.coverage == 0.0 and point.judgement is None
        assert {k: point.features[k] for k in ("v_support", "v_contra", "v_mention")} == {
            k: NEUTRAL[k] for k in ("v_support", "v_contra", "v_mention")
        }


def test_the_answer_level_signal_is_the_largest_point_signal_when_the_map_reads_it() -> None:
    verifier = ScriptedVerifier([0.5, 0.1, 0.4, 0.0])
    params = ScoringParams(
        features=["best", "v_mistake", "v_wrong"],
        coef=[14.0, 0.0, 0.0],
        pasted_at=2.0,
        one_liner_words=0,
    )
    result = _grader(verifier, params).score("bucket", f"{TOKENS} {BURSTS} {REJECTS}")
    assert any(statement.startswith("not ") for _, statement in verifier.asked)
    signals = [kp.features["v_mistake"] for kp in result.key_points]
    assert all(abs(s) < 1e-6 for s in signals)  # the same entailment of mistake and evidence
    assert {kp.features["v_wrong"] for kp in result.key_points} == {max(signals)}


def test_a_contradiction_caps_the_point_only_from_the_threshold_on() -> None:
    kp = KeyPointRubric(label="k", evidence=["e"])
    params = ScoringParams(features=["best", "v_support"], coef=[14.0, 0.0], intercept=-7.0)
    assert params.contradiction_at == 0.7
    values = {"best": 0.9, "max": 0.9, "v_support": 0.2, "v_mention": 0.1}
    coverage, verdict, judgement = decide({**values, "v_contra": 0.65}, params, kp)
    assert coverage > 0.9 and verdict is Verdict.COVERED and judgement is Judgement.SUPPORTS
    coverage, verdict, judgement = decide({**values, "v_contra": 0.75}, params, kp)
    assert coverage == 0.1 and verdict is Verdict.INCORRECT
    assert judgement is Judgement.CONTRADICTS


def test_every_verdict_has_a_mark_a_style_a_label_and_a_scale() -> None:
    from interviewer.core.terms import VERDICT_COVERAGE
    from interviewer.core.transcripts import export_text
    from interviewer.evaluation.evaluator import _ORDINAL
    from interviewer.evaluation.llm_judge import ORDINAL
    from interviewer.tui.widgets.score_card import _VERDICT
    from interviewer.views import transcripts

    for table in (
        VERDICT_COVERAGE,
        _ORDINAL,
        ORDINAL,
        _VERDICT,
        export_text.MARKS,
        transcripts.MARKS,
        transcripts.VERDICT_STYLE,
    ):
        assert set(table) == set(Verdict)
    assert VERDICT_COVERAGE[Verdict.INCORRECT] == 0.0 and _ORDINAL[Verdict.INCORRECT] == 0
    assert export_text.points_summary([Verdict.COVERED, Verdict.INCORRECT, Verdict.PARTIAL]) == (
        "1 of 3 covered, 1 partial, 1 stated incorrectly"
    )


def test_a_map_that_takes_all_of_a_mistaken_point_still_names_the_mistake() -> None:
    """mistake_factor 1.0 is allowed in a user's map: the demoted coverage is 0, and whether the
    point earned anything before is read from the map, not divided back out of 0."""
    params = ScoringParams(pasted_at=2.0, one_liner_words=0, mistake_factor=1.0, mistake_at=-2.0)
    grader = _grader(ScriptedVerifier([0.5, 0.1, 0.4, 0.0]), params)
    grader.verifier = None  # similarity alone: the demotion is the map's own rule
    result = grader.score("bucket", f"{TOKENS} {BURSTS} {REJECTS}")
    assert all(kp.coverage == 0.0 for kp in result.key_points)
    assert any(kp.like_mistake for kp in result.key_points)
