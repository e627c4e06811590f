"""The plain words of a score: which part of a question an answer is to, and a key point's verdict
with what it counts for.

Enums only, no pydantic: the interview session, the ports and the TUI's first frame import them
without paying for the models in `interviewer.core.result` (which re-exports them).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class Part(StrEnum):
    """Which part of a question an answer is to; the values are what transcripts and JSON store."""

    MAIN = "main"
    FOLLOW_UP = "follow_up"


class Verdict(StrEnum):
    COVERED = "covered"
    PARTIAL = "partial"
    MISSING = "missing"
    INCORRECT = "incorrect"  # stated, but the verifier reads it as contradicting the point


# A verdict read as a coverage label, in the eval set's 1 / 0.5 / 0 scale (stated incorrectly
# earns what missing earns).
VERDICT_COVERAGE = {
    Verdict.COVERED: 1.0,
    Verdict.PARTIAL: 0.5,
    Verdict.MISSING: 0.0,
    Verdict.INCORRECT: 0.0,
}


def weighted_score(weights: Sequence[float], coverages: Sequence[float]) -> float:
    """The 0-100 score: key points' coverages weighted by their weights (0 when nothing weighs)."""
    total = sum(weights)
    if not total:
        return 0.0
    return 100.0 * sum(w * c for w, c in zip(weights, coverages, strict=True)) / total
