"""`rubric check`'s own logic (interviewer/core/rubric/quality.py) on the hashing embedder: which
statement problems it lists and how findings read. The grading claims use the real model
(tests/commands/test_rubric_check.py)."""

from __future__ import annotations

import numpy as np

from interviewer.core.bank.schema import Question
from interviewer.core.grading.embedding import HashingEmbedder, StatementCache
from interviewer.core.grading.grader import Grader
from interviewer.core.grading.params import ScoringParams
from interviewer.core.result import Part
from interviewer.core.rubric.quality import (
    Finding,
    MemoEmbedder,
    QualityLimits,
    Severity,
    answer_sections,
    check_bank,
    copied_from,
)
from interviewer.core.rubric.schema import KeyPointRubric, Rubric
from tests.grading.conftest import BURSTS, KEYS, REJECTS, TOKENS, CountingEmbedder

ANSWER = (
    "The bucket refills tokens at a steady rate every second. "
    "A full bucket lets a short burst of requests through at once."
)


def _question(answer: str = ANSWER) -> Question:
    return Question(
        id="bucket",
        number=1,
        category="Basics",
        title="Token bucket",
        prompt="How does a token bucket limit requests?",
        difficulty="Mid",
        answer=answer,
        key_points=["Explains refill", "Explains bursts"],
    )


def _rubric(refill: list[str], bursts: list[str], mistakes: list[str] | None = None) -> Rubric:
    return Rubric(
        question="bucket",
        key_points=[
            KeyPointRubric(label="Explains refill", evidence=refill, mistakes=mistakes or []),
            KeyPointRubric(label="Explains bursts", evidence=bursts),
        ],
    )


def _findings(rubric: Rubric, answer: str = ANSWER) -> list[str]:
    embedder = HashingEmbedder()
    grader = Grader(
        embedder,
        {"bucket": rubric},
        {"bucket": "Token bucket"},
        ScoringParams(),
        StatementCache(embedder, None),
    )
    report = check_bank([_question(answer)], {"bucket": rubric}, grader)
    return [str(finding) for finding in report.findings]


REFILL = [
    "Tokens are added at a fixed rate up to the capacity.",
    "Every second the limiter puts new tokens back.",
    "The sustained limit is the refill rate of the tokens.",
    "An idle client earns tokens back while it waits.",
]
BURST = [
    "A bucket that is full admits a sudden spike of calls.",
    "Capacity decides how large a spike passes in one go.",
    "Short peaks pass until the saved tokens run out.",
    "Burst size and steady rate are two separate settings.",
]


def test_too_few_evidence_statements_are_listed() -> None:
    lines = _findings(_rubric(REFILL[:2], BURST))
    assert (
        "warn: bucket: 'Explains refill': 2 evidence statements; write at least 4, each a "
        "different way a strong answer says it" in lines
    )
    assert not any(
        "'Explains bursts': " in line and "evidence statements;" in line for line in lines
    )


def test_duplicates_and_evidence_listed_as_a_mistake() -> None:
    refill = [*REFILL, REFILL[0]]
    lines = _findings(_rubric(refill, BURST, mistakes=[REFILL[1].upper()]))
    assert any("is listed more than once" in line for line in lines)
    assert any("is listed as evidence and as a mistake or mention" in line for line in lines)


def test_a_reworded_duplicate_is_named() -> None:
    twin = "Up to the capacity, tokens are added at a fixed rate."  # the same words reordered
    lines = _findings(_rubric([*REFILL, twin], BURST))
    assert any(
        "say the same (similarity" in line and "Up to the capacity" in line for line in lines
    )
    assert not any("say the same" in line for line in _findings(_rubric(REFILL, BURST)))


def test_statements_copied_from_the_model_answer() -> None:
    lines = _findings(_rubric([*REFILL, TOKENS], BURST))
    copied = [line for line in lines if "copied from the model answer" in line]
    assert copied == [
        "warn: bucket: 'Explains refill': 1 evidence statement(s) copied from the model answer, "
        "e.g. 'The bucket refills tokens at a steady rate every second.': say it in other words "
        "(an answer pasting the model answer back would match it exactly)"
    ]


def test_copied_means_the_statement_is_one_sentence_near_enough() -> None:
    sentence = "The bucket refills its tokens at a steady rate of ten every single second."
    assert copied_from(
        "the bucket refills its tokens at a steady rate of ten each single second", [sentence], 0.8
    )
    assert not copied_from("The bucket refills tokens slowly.", [sentence], 0.8)  # too short
    assert not copied_from(REJECTS, [sentence], 0.8)


def test_overlapping_key_points_are_named() -> None:
    lines = _findings(_rubric(REFILL, REFILL[::-1]), answer=" ".join(REFILL))
    assert any(
        line.startswith(
            "warn: bucket: 'Explains refill': its evidence overlaps that of "
            "'Explains bursts' (similarity 1.00)"
        )
        for line in lines
    )


def test_a_question_without_a_rubric_or_answer() -> None:
    embedder = HashingEmbedder()
    grader = Grader(embedder, {}, {}, ScoringParams(), StatementCache(embedder, None))
    report = check_bank([_question()], {}, grader)
    assert (report.findings, report.without_rubric, report.key_points) == ([], ["bucket"], 0)
    rubric = _rubric(REFILL, BURST)
    grader = Grader(
        embedder, {"bucket": rubric}, {}, ScoringParams(), StatementCache(embedder, None)
    )
    report = check_bank([_question(answer="")], {"bucket": rubric}, grader)
    assert any("has no model answer" in str(f) for f in report.findings)
    assert report.key_points == 2 and not report.failures


def test_a_point_the_model_answer_never_reaches_fails() -> None:
    """With the hashing embedder an answer sharing no word with a point's evidence gets 0."""
    rubric = _rubric(REFILL, [KEYS, BURSTS, *BURST[:2]])
    lines = _findings(rubric, answer="Each client key gets its own bucket stored in Redis.")
    assert any(
        line.startswith("fail: bucket: 'Explains refill': the model answer does not")
        for line in lines
    )


def test_sections_are_paragraphs_run_together() -> None:
    text = "one two three\n\nfour five\n\n\nsix seven eight nine"
    assert answer_sections(text, 5) == ["one two three\n\nfour five", "six seven eight nine"]
    assert answer_sections(text, 100) == [text.replace("\n\n\n", "\n\n")]


def test_finding_reads_as_one_line() -> None:
    finding = Finding(Severity.FAIL, "q", Part.FOLLOW_UP, "Knows x", "the reason")
    assert str(finding) == "fail: q (follow-up): 'Knows x': the reason"
    assert QualityLimits().min_evidence == 4


def test_memo_embedder_embeds_each_text_once() -> None:
    counting = CountingEmbedder()
    memo = MemoEmbedder(counting)
    first = memo.encode([TOKENS, BURSTS, TOKENS])
    second = memo.encode([BURSTS, REJECTS])
    assert counting.calls == [[TOKENS, BURSTS], [REJECTS]]
    assert np.allclose(first[1], second[0]) and memo.name == counting.name
    assert memo.encode([]).shape[0] == 0
