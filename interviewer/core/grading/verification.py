"""The verifier stage: does the best-matching span support its key point, contradict it, or only
mention it? Similarity finds the span; a verifier (a small cross-encoder) judges it.

The verifier's probabilities become features beside the similarity ones, so one fitted map decides
coverage; a clear contradiction also overrides the verdict and names the statement it contradicts,
so the user reads "stated incorrectly" with what the rubric expected.

Pairing is narrow on purpose (pairing every sentence with every nearby statement makes
contradiction noise: strong answers collect more of it than wrong ones): a key point's two best
spans each with their own three closest evidence statements, and the best span with the point's
closest known mistake. `v_mistake` is how much more the best span entails that mistake than its own
closest evidence statement; `v_wrong` is the largest `v_mistake` over the answer's key points (an
answer-level "somewhere here a known mistake is stated").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from interviewer.core.grading.matching import Match

SUPPORTS, CONTRADICTS, MENTIONS, UNRELATED = range(4)
NO_MISTAKE = -1.0  # v_mistake of a point without known mistakes (or without a verifier)
NEUTRAL = {
    "v_support": 0.0,
    "v_contra": 0.0,
    "v_mention": 0.0,
    "v_mistake": NO_MISTAKE,
    "v_wrong": NO_MISTAKE,
}


@dataclass(frozen=True)
class VerifierFeatures:
    """The verifier's reading of one key point: its three features and, when the answer states a
    rubric statement wrongly, that statement. (The user-facing label is `result.Judgement`.)"""

    values: dict[str, float]
    contradicted: str | None  # the evidence statement the answer got wrong, when it did


def pairs_for(
    answer: str,
    spans: Sequence[tuple[int, int]],
    match: Match,
    evidence: Sequence[str],
    mistakes: Sequence[str] = (),
) -> list[tuple[str, str]]:
    """The (span text, statement) pairs the verifier is asked about for one key point: each
    shortlisted span with its closest evidence statements, then the best span with the closest
    known mistake (when the point has one)."""
    pairs: list[tuple[str, str]] = []
    for candidate, statements in zip(match.shortlist, match.statements, strict=True):
        start, end = spans[candidate]
        pairs.extend((answer[start:end], evidence[e]) for e in statements)
    if match.mistake is not None and match.mistake < len(mistakes):
        start, end = spans[match.best]
        pairs.append((answer[start:end], mistakes[match.mistake]))
    return pairs


def verifier_features(
    match: Match, probabilities: npt.NDArray[np.float32], evidence: Sequence[str]
) -> VerifierFeatures:
    """Fold a key point's pair probabilities into features (mean over statements, per span); a row
    after the evidence pairs is the best span against its closest mistake."""
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
        "v_mistake": NO_MISTAKE,
    }
    if len(probabilities) > cursor:  # the best span against its closest mistake
        best = match.shortlist.index(match.best) if match.best in match.shortlist else 0
        start = sum(len(s) for s in match.statements[:best])
        closest = float(probabilities[start, SUPPORTS]) if len(match.statements[best]) else 0.0
        values["v_mistake"] = float(probabilities[cursor, SUPPORTS]) - closest
    contradicted = None
    if values["v_contra"] > values["v_support"]:
        start = sum(len(s) for s in match.statements[:focus])
        rows = probabilities[start : start + len(match.statements[focus])]
        contradicted = evidence[match.statements[focus][int(np.argmax(rows[:, CONTRADICTS]))]]
    return VerifierFeatures(values, contradicted)
