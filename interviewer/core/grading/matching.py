"""Matching an answer's spans against a key point's statements: the similarity features.

A candidate span is a unit or a pair of neighbouring units. For each key point the best span is the
one whose top-2 evidence similarity (less a penalty for bare term lists) is highest; the features
describe how well, how specifically and how explanatorily that span matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from interviewer.core.grading.embedding import Matrix, normalise
from interviewer.core.grading.text import (
    TERM_LIST_FACTOR,
    Unit,
    copied,
    explanation_factor,
    restates_labels,
)
from interviewer.core.result import Part
from interviewer.core.rubric.schema import KeyPointRubric


@dataclass(frozen=True)
class PreparedKeyPoint:
    rubric: KeyPointRubric
    evidence: Matrix
    mistakes: Matrix
    mentions: Matrix
    centroid: Matrix  # (d,)
    # per evidence statement, True when it is the model answer's own text (a drafted rubric's):
    # no secret, so an answer saying it is not rubric text pasted back
    open_text: tuple[bool, ...] = ()


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
    pasted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # per span


@dataclass
class Match:
    """One key point against one answer: features, the best span, and what to verify."""

    values: dict[str, float]
    best: int
    shortlist: list[int]  # candidate spans worth verifying, best first
    statements: list[list[int]]  # per shortlisted span: evidence indices, closest first
    mistake: int | None = (
        None  # the known mistake closest to the best span (None: the point has none)
    )


WHOLE_FROM = 0.2  # a unit no nearer than this to any evidence statement adds nothing to the whole
_COPY_CHECK_AT = 0.6  # below this similarity no unit is compared word for word


def pasted_units(
    units: list[Unit], vectors: Matrix, part: PreparedPart, pasted_at: float = 0.97
) -> np.ndarray:
    """Per unit, True when it is one of this part's evidence statements pasted back (at least
    `pasted_at` similar in meaning, or the same words with a few changed) or mostly its key-point
    labels said back; above 1: never."""
    if pasted_at > 1.0:
        return np.zeros(len(units), dtype=bool)
    evidence = np.vstack([kp.evidence for kp in part.key_points])
    statements = [s for kp in part.key_points for s in kp.rubric.evidence]
    sims = vectors @ evidence.T
    secret = ~np.array(
        [
            kp.open_text[i] if i < len(kp.open_text) else False
            for kp in part.key_points
            for i in range(len(kp.rubric.evidence))
        ],
        dtype=bool,
    )
    sims = np.where(secret[None, :], sims, -1.0)
    result = sims.max(axis=1) >= pasted_at
    labels = [kp.rubric.label for kp in part.key_points]
    for i, unit in enumerate(units):
        if not result[i]:
            close = np.flatnonzero(sims[i] >= _COPY_CHECK_AT)
            result[i] = any(copied(unit.text, statements[j]) for j in close)
            result[i] = result[i] or restates_labels(unit.text, labels)
    if result.mean() >= 0.5:  # mostly rubric text: its short pieces are pasted too
        result[:] = True
    return np.asarray(result, dtype=bool)


def candidates_of(
    units: list[Unit],
    vectors: Matrix,
    part: PreparedPart,
    pasted_at: float = 0.97,
    one_liner_words: int = 12,
) -> Candidates:
    """The spans to match, with their explain factors: pasted rubric text and a whole answer of one
    short sentence (a name-drop, not an explanation) pay the term-list penalty."""
    spans = [(u.start, u.end) for u in units]
    pasted = pasted_units(units, vectors, part, pasted_at)
    explain = [
        min(explanation_factor(u.text), TERM_LIST_FACTOR) if p else explanation_factor(u.text)
        for u, p in zip(units, pasted, strict=True)
    ]
    if len(units) == 1 and units[0].words <= one_liner_words:
        explain[0] = min(explain[0], TERM_LIST_FACTOR)
    blocks = [vectors]
    for i in range(len(units) - 1):
        spans.append((units[i].start, units[i + 1].end))
        pair = min if pasted[i] or pasted[i + 1] else max
        explain.append(pair(explain[i], explain[i + 1]))
    copies = np.concatenate([pasted, pasted[:-1] | pasted[1:]]) if len(units) > 1 else pasted
    if len(units) > 1:
        blocks.append(normalise(vectors[:-1] + vectors[1:]))
    stacked = np.vstack(blocks)
    whole = _whole(vectors, part)
    relevance = float(np.max(stacked @ part.prompt))
    own = float(whole @ part.centroid)
    rival = float(np.max(part.rivals @ whole)) if len(part.rivals) else 0.0
    return Candidates(spans, stacked, np.asarray(explain), whole, relevance, own - rival, copies)


def _whole(vectors: Matrix, part: PreparedPart) -> Matrix:
    """The answer as a whole, each unit weighted by how far its nearest evidence statement of this
    part is above WHOLE_FROM: small talk or a story after a good answer does not drag the whole away
    from the topic (an answer with nothing near the topic is its plain mean)."""
    evidence = np.vstack([kp.evidence for kp in part.key_points])
    weights = np.clip((vectors @ evidence.T).max(axis=1) - WHOLE_FROM, 0.0, None)
    if not weights.any():
        weights = np.ones(len(vectors), dtype=np.float32)
    whole: Matrix = normalise((weights[:, None] * vectors).sum(axis=0, keepdims=True))[0]
    return whole


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
    to_mistakes = kp.mistakes @ best_vector if len(kp.mistakes) else None
    mistake = float(np.max(to_mistakes)) if to_mistakes is not None else 0.0
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
    if len(candidates.pasted) and candidates.pasted[best]:
        values["pasted"] = 1.0  # the rubric's own words: `decide` counts them at most as a mention
    picked = [int(c) for c in order[:shortlist]]
    closest = [[int(e) for e in np.argsort(-sims[c])[:statements]] for c in picked]
    nearest_mistake = int(np.argmax(to_mistakes)) if to_mistakes is not None else None
    return Match(values, best, picked, closest, nearest_mistake)
