"""Matching an answer's spans against a key point's statements: the similarity features.

A candidate span is a unit or a pair of neighbouring units. For each key point the best span is the
one whose top-2 evidence similarity (less a penalty for bare term lists) is highest; the features
describe how well, how specifically and how explanatorily that span matches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from interviewer.core.grading.embedding import Matrix, normalise
from interviewer.core.grading.text import Unit, explanation_factor
from interviewer.core.result import Part
from interviewer.core.rubric.schema import KeyPointRubric


@dataclass(frozen=True)
class PreparedKeyPoint:
    rubric: KeyPointRubric
    evidence: Matrix
    mistakes: Matrix
    mentions: Matrix
    centroid: Matrix  # (d,)


@dataclass(frozen=True)
class PreparedPart:
    question: str
    part: Part
    prompt: Matrix  # (d,)
    key_points: list[PreparedKeyPoint]
    version: int
    centroid: Matrix  # (d,) all of this part's evidence
    rivals: Matrix  # (r, d) the centroids of every other part in the rubric set (other questions)


@dataclass(frozen=True)
class Candidates:
    """Spans to match: each unit and each pair of neighbouring units."""

    spans: list[tuple[int, int]]
    vectors: Matrix
    explain: np.ndarray
    whole: Matrix  # (d,) the answer as a whole
    relevance: float  # the best similarity of any span to the question itself
    focus: float  # whole answer vs this part's evidence, minus vs the closest other part's


@dataclass
class Match:
    """One key point against one answer: features, the best span, and what to verify."""

    values: dict[str, float]
    best: int
    shortlist: list[int]  # candidate spans worth verifying, best first
    statements: list[list[int]]  # per shortlisted span: evidence indices, closest first


def candidates_of(units: list[Unit], vectors: Matrix, part: PreparedPart) -> Candidates:
    spans = [(u.start, u.end) for u in units]
    explain = [explanation_factor(u.text) for u in units]
    blocks = [vectors]
    for i in range(len(units) - 1):
        spans.append((units[i].start, units[i + 1].end))
        explain.append(max(explain[i], explain[i + 1]))
    if len(units) > 1:
        blocks.append(normalise(vectors[:-1] + vectors[1:]))
    stacked = np.vstack(blocks)
    whole = normalise(vectors.mean(axis=0, keepdims=True))[0]
    relevance = float(np.max(stacked @ part.prompt))
    own = float(whole @ part.centroid)
    rival = float(np.max(part.rivals @ whole)) if len(part.rivals) else 0.0
    return Candidates(spans, stacked, np.asarray(explain), whole, relevance, own - rival)


def _top2(sims: np.ndarray) -> np.ndarray:
    """Per row, the mean of the two highest similarities (the best one when there is only one)."""
    if sims.shape[1] == 1:
        return np.asarray(sims[:, 0])
    part = -np.partition(-sims, 1, axis=1)[:, :2]
    return np.asarray(part.mean(axis=1))


def match(
    part: PreparedPart,
    index: int,
    candidates: Candidates,
    penalty_unexplained: float,
    shortlist: int = 2,
    statements: int = 3,
) -> Match:
    kp = part.key_points[index]
    sims = candidates.vectors @ kp.evidence.T
    gated = _top2(sims) - penalty_unexplained * (1.0 - candidates.explain)
    order = np.argsort(-gated)
    best = int(order[0])
    best_vector = candidates.vectors[best]
    evidence_at_best = float(np.max(sims[best]))
    others = [p.evidence for i, p in enumerate(part.key_points) if i != index]
    other = float(np.max(np.vstack(others) @ best_vector)) if others else 0.0
    mistake = float(np.max(kp.mistakes @ best_vector)) if len(kp.mistakes) else 0.0
    mention = float(np.max(kp.mentions @ best_vector)) if len(kp.mentions) else 0.0
    values = {
        "best": float(gated[best]),
        "max": float(np.max(sims)),
        "centroid": float(candidates.whole @ kp.centroid),
        "mistake_margin": mistake - evidence_at_best if len(kp.mistakes) else -0.2,
        "mention_margin": mention - evidence_at_best if len(kp.mentions) else -0.2,
        "specificity": evidence_at_best - other,
        "relevance": candidates.relevance,
        "focus": candidates.focus,
        "explain": float(candidates.explain[best]),
    }
    picked = [int(c) for c in order[:shortlist]]
    closest = [[int(e) for e in np.argsort(-sims[c])[:statements]] for c in picked]
    return Match(values, best, picked, closest)
