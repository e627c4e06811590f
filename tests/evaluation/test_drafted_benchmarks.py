"""A benchmark question (prompt and reference answers, no key points) goes through the drafting
path as a user's bank question would: a valid bank question, a drafted rubric whose evidence is the
reference answers, and a grader that scores answers to it."""

from __future__ import annotations

from eval.drafted import drafted_grader
from eval.drafted_benchmarks import _label, _question, _slug
from interviewer.core.bank.schema import MAX_LABEL
from interviewer.core.grading.embedding import HashingEmbedder
from interviewer.core.grading.grader import ScoreRequest
from interviewer.core.grading.params import ScoringParams

REFERENCES = [
    "To simulate the behaviour of portions of the desired software product.",
    "A prototype lets you test parts of the design before building it all.",
]


def test_a_benchmark_question_becomes_a_bank_question_with_a_drafted_rubric() -> None:
    qid = _slug("mohler", "1.1")
    assert qid == "mohler-1-1"
    question = _question(qid, "What is the role of a prototype program?", REFERENCES, 1)
    assert question.key_points == [REFERENCES[0]]
    assert all(f"- {r}" in question.answer for r in REFERENCES)
    grader = drafted_grader(HashingEmbedder(), [question], ScoringParams())
    (point,) = grader.rubric_for(qid).key_points
    assert REFERENCES[0] in point.evidence and REFERENCES[1] in point.evidence
    good, bad = grader.score_batch(
        [
            ScoreRequest(qid, "It simulates the behaviour of portions of the desired software."),
            ScoreRequest(qid, "Bananas are yellow and grow in bunches."),
        ]
    )
    assert good.score > bad.score


def test_a_long_reference_is_cut_at_a_word_within_the_label_limit() -> None:
    label = _label("word " * 200)
    assert len(label) <= MAX_LABEL and label.endswith("…") and " wor…" not in label
    assert _label("  short   reference ") == "short reference"
