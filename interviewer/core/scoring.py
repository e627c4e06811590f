"""The grader: an answer's key-point coverage from embedding similarity to evidence statements.

Answer -> units (sentences, bullets, lines) and windows of two neighbouring units -> for each key
point the span that best matches its evidence -> a few match features -> a logistic map (fitted by `tune`)
-> coverage, verdict and evidence span -> overall 0-100 as the weighted mean coverage.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from interviewer.core.embedding import Embedder, Matrix, StatementCache, normalise
from interviewer.core.params import ScoringParams
from interviewer.core.result import EvidenceSpan, Flag, KeyPointResult, ScoreResult, Verdict
from interviewer.core.rubric import KeyPointRubric, Rubric
from interviewer.core.text import (
    Unit,
    addressed_to_grader,
    explanation_factor,
    non_english,
    split_units,
)


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
    part: str
    prompt: Matrix  # (d,)
    key_points: list[PreparedKeyPoint]
    version: int


@dataclass(frozen=True)
class Candidates:
    """Spans to match: each unit and each pair of neighbouring units."""

    spans: list[tuple[int, int]]
    vectors: Matrix
    explain: np.ndarray
    whole: Matrix  # (d,) the answer as a whole


@dataclass(frozen=True)
class ScoreRequest:
    question: str
    answer: str
    part: str = "main"


def _top2(sims: np.ndarray) -> np.ndarray:
    """Per row, the mean of the two highest similarities (the best one when there is only one)."""
    if sims.shape[1] == 1:
        return np.asarray(sims[:, 0])
    part = -np.partition(-sims, 1, axis=1)[:, :2]
    return np.asarray(part.mean(axis=1))


def coverage_of(values: Mapping[str, float], params: ScoringParams, kp: KeyPointRubric) -> float:
    """The logistic map from match features to coverage (a key point's own calibration wins)."""
    if not values:
        return 0.0
    if kp.calibration is not None:
        z = kp.calibration.slope * values["best"] + kp.calibration.intercept
    else:
        z = params.intercept + sum(
            c * values[name] for name, c in zip(params.features, params.coef, strict=True)
        )
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def verdict_of(coverage: float, params: ScoringParams, kp: KeyPointRubric) -> Verdict:
    covered_at = kp.threshold if kp.threshold is not None else params.covered_at
    if coverage >= covered_at:
        return Verdict.COVERED
    if coverage >= params.partial_at:
        return Verdict.PARTIAL
    return Verdict.MISSING


class Grader:
    def __init__(
        self,
        embedder: Embedder,
        rubrics: Mapping[str, Rubric],
        prompts: Mapping[str, str],
        params: ScoringParams | None = None,
        cache: StatementCache | None = None,
    ) -> None:
        self.embedder = embedder
        self.rubrics = rubrics
        self.prompts = prompts  # question id -> title and prompt, for the relevance feature
        self.params = params or ScoringParams()
        self.cache = cache or StatementCache(embedder, None)
        self._prepared: dict[tuple[str, str], PreparedPart] = {}

    # -- rubric side, computed once -------------------------------------------------------------
    def prepare(self, question: str, part: str = "main") -> PreparedPart:
        key = (question, part)
        if key in self._prepared:
            return self._prepared[key]
        rubric = self.rubrics.get(question)
        if rubric is None:
            raise KeyError(f"no rubric for question {question!r}")
        points = rubric.part(part)
        prompt_text = self.prompts.get(question, question)
        if part == "follow_up" and rubric.follow_up is not None:
            prompt_text = rubric.follow_up.prompt
        texts = [prompt_text]
        for kp in points:
            texts += [*kp.evidence, *kp.mistakes, *kp.mentions]
        vectors = self.cache.encode(texts)
        cursor = 1
        prepared: list[PreparedKeyPoint] = []
        for kp in points:
            sizes = (len(kp.evidence), len(kp.mistakes), len(kp.mentions))
            blocks = []
            for size in sizes:
                blocks.append(vectors[cursor : cursor + size])
                cursor += size
            centroid = normalise(blocks[0].mean(axis=0, keepdims=True))[0]
            prepared.append(PreparedKeyPoint(kp, blocks[0], blocks[1], blocks[2], centroid))
        result = PreparedPart(question, part, vectors[0], prepared, rubric.version)
        self._prepared[key] = result
        return result

    def warm_up(self, questions: Sequence[str]) -> None:
        for question in questions:
            self.prepare(question)
            rubric = self.rubrics[question]
            if rubric.follow_up is not None:
                self.prepare(question, "follow_up")
        self.cache.save()

    # -- answer side ------------------------------------------------------------------------------
    def score(self, question: str, answer: str, part: str = "main") -> ScoreResult:
        return self.score_batch([ScoreRequest(question, answer, part)])[0]

    def score_batch(self, requests: Sequence[ScoreRequest]) -> list[ScoreResult]:
        """Scores many answers with one call to the embedder; the model batches the rest."""
        prepared = [self.prepare(r.question, r.part) for r in requests]
        plans = [self._plan(r.answer) for r in requests]
        texts = [u.text for units, _ in plans for u in units]
        vectors = self.embedder.encode(texts) if texts else np.zeros((0, 1), np.float32)
        results: list[ScoreResult] = []
        cursor = 0
        for request, part, (units, flags) in zip(requests, prepared, plans, strict=True):
            unit_vectors = vectors[cursor : cursor + len(units)]
            cursor += len(units)
            results.append(self._score_units(request, part, units, unit_vectors, flags))
        self.cache.save()
        return results

    def _plan(self, answer: str) -> tuple[list[Unit], list[Flag]]:
        flags: list[Flag] = []
        if not answer.strip():
            return [], [Flag.EMPTY]
        if non_english(answer):
            return [], [Flag.NON_ENGLISH]
        units, truncated = split_units(answer)
        if truncated:
            flags.append(Flag.TRUNCATED)
        kept = [u for u in units if not addressed_to_grader(u.text)]
        if len(kept) < len(units):
            flags.append(Flag.ADDRESSED_TO_GRADER)
        if not kept and not flags:
            flags.append(Flag.EMPTY)
        return kept, flags

    def _candidates(self, units: list[Unit], vectors: Matrix) -> Candidates:
        spans = [(u.start, u.end) for u in units]
        explain = [explanation_factor(u.text) for u in units]
        windows = [vectors]
        for i in range(len(units) - 1):
            spans.append((units[i].start, units[i + 1].end))
            explain.append(max(explain[i], explain[i + 1]))
        if len(units) > 1:
            windows.append(normalise(vectors[:-1] + vectors[1:]))
        whole = normalise(vectors.mean(axis=0, keepdims=True))[0]
        return Candidates(spans, np.vstack(windows), np.asarray(explain), whole)

    def _score_units(
        self,
        request: ScoreRequest,
        part: PreparedPart,
        units: list[Unit],
        vectors: Matrix,
        flags: list[Flag],
    ) -> ScoreResult:
        if not units:
            points = [self._missing(kp.rubric) for kp in part.key_points]
            return self._result(request, part, points, flags)
        candidates = self._candidates(units, vectors)
        relevance = float(np.max(candidates.vectors @ part.prompt))
        points = [
            self._key_point(request.answer, part, index, candidates, relevance)
            for index in range(len(part.key_points))
        ]
        if float(np.mean(candidates.explain[: len(units)])) < 0.7:
            flags = [*flags, Flag.TERM_LIST]
        if all(p.verdict is Verdict.MISSING for p in points) and relevance < 0.3:
            flags = [*flags, Flag.OFF_TOPIC]
        return self._result(request, part, points, flags)

    def features(
        self, part: PreparedPart, index: int, candidates: Candidates, relevance: float
    ) -> tuple[dict[str, float], int]:
        kp = part.key_points[index]
        sims = candidates.vectors @ kp.evidence.T
        gated = _top2(sims) - self.params.penalty_unexplained * (1.0 - candidates.explain)
        best = int(np.argmax(gated))
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
            "relevance": relevance,
            "explain": float(candidates.explain[best]),
        }
        return values, best

    def coverage(self, values: Mapping[str, float], kp: KeyPointRubric) -> float:
        return coverage_of(values, self.params, kp)

    def _key_point(
        self, answer: str, part: PreparedPart, index: int, candidates: Candidates, relevance: float
    ) -> KeyPointResult:
        kp = part.key_points[index].rubric
        values, best = self.features(part, index, candidates, relevance)
        coverage = round(self.coverage(values, kp), 4)
        verdict = verdict_of(coverage, self.params, kp)
        start, end = candidates.spans[best]
        evidence = None
        if verdict is not Verdict.MISSING:
            evidence = EvidenceSpan(text=answer[start:end], start=start, end=end)
        return KeyPointResult(
            key_point=kp.label,
            coverage=coverage,
            verdict=verdict,
            evidence=evidence,
            similarity=round(values["best"], 4),
            weight=kp.weight,
            features=values,
        )

    @staticmethod
    def _missing(kp: KeyPointRubric) -> KeyPointResult:
        return KeyPointResult(
            key_point=kp.label,
            coverage=0.0,
            verdict=Verdict.MISSING,
            evidence=None,
            similarity=0.0,
            weight=kp.weight,
        )

    def _result(
        self,
        request: ScoreRequest,
        part: PreparedPart,
        points: list[KeyPointResult],
        flags: list[Flag],
    ) -> ScoreResult:
        total = sum(p.weight for p in points)
        score = 100.0 * sum(p.weight * p.coverage for p in points) / total if total else 0.0
        return ScoreResult(
            question=request.question,
            part=request.part,
            score=round(score, 1),
            key_points=points,
            flags=flags,
            model=self.embedder.name,
            rubric_version=part.version,
        )
