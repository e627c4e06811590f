"""The verifier stage: does the best-matching span support its key point, contradict it, or only
mention it? Similarity finds the span; a verifier (a small cross-encoder) judges it.

The verifier's probabilities become three features beside the similarity ones, so one fitted map
decides coverage; a clear contradiction also overrides the verdict and names the statement it
contradicts, so the user reads "stated incorrectly" with what the rubric expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from interviewer.core.grading.matching import Match

SUPPORTS, CONTRADICTS, MENTIONS, UNRELATED = range(4)
NEUTRAL = {"v_support": 0.0, "v_contra": 0.0, "v_mention": 0.0}


@dataclass(frozen=True)
class VerifierFeatures:
    """The verifier's reading of one key point: its three features and, when the answer states a
    rubric statement wrongly, that statement. (The user-facing label is `result.Judgement`.)"""

    values: dict[str, float]
    contradicted: str | None  # the evidence statement the answer got wrong, when it did


def pairs_for(
    answer: str, spans: Sequence[tuple[int, int]], match: Match, evidence: Sequence[str]
) -> list[tuple[str, str]]:
    """The (span text, evidence statement) pairs the verifier is asked about for one key point."""
    pairs: list[tuple[str, str]] = []
    for candidate, statements in zip(match.shortlist, match.statements, strict=True):
        start, end = spans[candidate]
        pairs.extend((answer[start:end], evidence[e]) for e in statements)
    return pairs


def verifier_features(
    match: Match, probabilities: npt.NDArray[np.float32], evidence: Sequence[str]
) -> VerifierFeatures:
    """Fold a key point's pair probabilities into features (mean over statements, per span)."""
    per_span: list[npt.NDArray[np.float32]] = []
    cursor = 0
    for statements in match.statements:
        block = probabilities[cursor : cursor + len(statements)]
        cursor += len(statements)
        per_span.append(block.mean(axis=0))
    spans = np.vstack(per_span)
    focus = int(np.argmax(spans[:, SUPPORTS] + spans[:, CONTRADICTS]))
    values = {
        "v_support": float(spans[:, SUPPORTS].max()),
        "v_contra": float(spans[focus, CONTRADICTS]),
        "v_mention": float(spans[0, MENTIONS]),
    }
    contradicted = None
    if values["v_contra"] > values["v_support"]:
        start = sum(len(s) for s in match.statements[:focus])
        rows = probabilities[start : start + len(match.statements[focus])]
        contradicted = evidence[match.statements[focus][int(np.argmax(rows[:, CONTRADICTS]))]]
    return VerifierFeatures(values, contradicted)
