"""The grader: an answer's key-point coverage from embedding similarity and, optionally, a verifier.

Answer -> units (sentences, bullets, lines) and windows of two neighbouring units -> for each key
point the span that best matches its evidence (matching.py) -> optionally the verifier's judgement of
the best spans (verification.py) -> a logistic map fitted by `tune` -> coverage, verdict, evidence
span -> overall 0-100 as the weighted mean coverage. Many answers share one embedding call and one
verifier call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from interviewer.core.grading.embedding import Matrix, StatementCache, normalise
from interviewer.core.grading.matching import (
    Candidates,
    Match,
    PreparedKeyPoint,
    PreparedPart,
    candidates_of,
    match,
)
from interviewer.core.grading.params import ScoringParams
from interviewer.core.grading.text import (
    Unit,
    addressed_to_grader,
    clean_text,
    from_text,
    non_english,
    split_units,
    word_pairs,
)
from interviewer.core.grading.verification import (
    NEUTRAL,
    NO_MISTAKE,
    pairs_for,
    verifier_features,
)
from interviewer.core.ports import Embedder, Verifier
from interviewer.core.result import (
    EvidenceSpan,
    Flag,
    Judgement,
    KeyPointResult,
    Part,
    ScoreResult,
    Verdict,
)
from interviewer.core.rubric.schema import KeyPointRubric, Rubric, RubricMissing
from interviewer.core.terms import weighted_score

EXPECTED_SHOWN = 2  # evidence statements a result carries per key point, for "a strong answer says"


@dataclass(frozen=True)
class ScoreRequest:
    question: str
    answer: str
    part: Part = Part.MAIN


@dataclass
class _Draft:
    """An answer between matching and the final map: candidates and one Match per key point."""

    request: ScoreRequest
    part: PreparedPart
    flags: list[Flag]
    candidates: Candidates | None
    matches: list[Match]
    contradicted: list[str | None]


def coverage_of(values: Mapping[str, float], params: ScoringParams, kp: KeyPointRubric) -> float:
    """The logistic map from match features to coverage (a key point's own calibration wins)."""
    if not values:
        return 0.0
    if kp.calibration is not None:
        z = kp.calibration.slope * values["best"] + kp.calibration.intercept
    else:
        z = params.intercept + sum(
            c * values.get(name, 0.0) for name, c in zip(params.features, params.coef, strict=True)
        )
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def verdict_of(coverage: float, params: ScoringParams, kp: KeyPointRubric) -> Verdict:
    covered_at = kp.threshold if kp.threshold is not None else params.covered_at
    if coverage >= covered_at:
        return Verdict.COVERED
    if coverage >= params.partial_at:
        return Verdict.PARTIAL
    return Verdict.MISSING


def judgement_from(values: Mapping[str, float], params: ScoringParams) -> Judgement | None:
    if "v_support" not in values:
        return None
    if values["v_contra"] >= params.contradiction_at and values["v_contra"] > values["v_support"]:
        return Judgement.CONTRADICTS
    if values["v_mention"] > values["v_support"]:
        return Judgement.MENTIONS
    return Judgement.SUPPORTS


def stated_like_a_mistake(values: Mapping[str, float], params: ScoringParams) -> bool:
    """The best span is as close to one of the point's known mistakes as to its evidence: the point
    keeps only part of its coverage, and the score view names the mistake."""
    return bool(params.mistake_factor) and values.get("mistake_margin", -1.0) > params.mistake_at


def coverage_before_demotion(
    values: Mapping[str, float], params: ScoringParams, kp: KeyPointRubric
) -> float:
    """The fitted map's coverage, with the floor and the pasted-text cap, before a known mistake
    or a contradiction takes any of it."""
    coverage = round(coverage_of(values, params, kp), 4)
    if values.get("max", 1.0) < params.floor:
        coverage = 0.0
    if values.get("pasted", 0.0) > 0.0:  # rubric text pasted back counts at most as a mention
        coverage = min(coverage, params.partial_at)
    return coverage


def decide(
    values: Mapping[str, float], params: ScoringParams, kp: KeyPointRubric
) -> tuple[float, Verdict, Judgement | None]:
    """Coverage, verdict and the verifier's judgement from a key point's features.

    Below the similarity floor nothing in the answer is about the point ("I don't know", a recipe),
    so it gets no coverage whatever the fitted map would say about an ordinary sentence."""
    coverage = coverage_before_demotion(values, params, kp)
    if stated_like_a_mistake(values, params):
        coverage = round(coverage * (1.0 - params.mistake_factor), 4)
    judgement = judgement_from(values, params) if params.uses_verifier else None
    if judgement is Judgement.CONTRADICTS:  # "stated incorrectly", with what the rubric says
        return min(coverage, 0.1), Verdict.INCORRECT, judgement
    return coverage, verdict_of(coverage, params, kp), judgement


class Grader:
    def __init__(
        self,
        embedder: Embedder,
        rubrics: Mapping[str, Rubric],
        prompts: Mapping[str, str],
        params: ScoringParams | None = None,
        cache: StatementCache | None = None,
        verifier: Verifier | None = None,
        *,
        drafter: Callable[[str], Rubric | None] | None = None,
        answers: Mapping[str, str] | None = None,
    ) -> None:
        """`drafter` makes a rubric for a question that has none (its results carry
        Flag.DRAFT_RUBRIC); `answers` are the model answers, whose own sentences in a rubric are no
        secret an answer could paste."""
        self.embedder = embedder
        self.rubrics = rubrics
        self.prompts = prompts  # question id -> title and prompt, for the relevance feature
        self.params = params or ScoringParams()
        self.cache = cache or StatementCache(embedder, None)
        self.verifier = verifier
        self.drafter = drafter
        self.answers = answers or {}
        self.drafted: dict[str, Rubric] = {}
        self._prepared: dict[tuple[str, Part], PreparedPart] = {}
        self._centroids: tuple[list[tuple[str, Part]], Matrix] | None = None

    # -- rubric side, computed once -------------------------------------------------------------
    def prepare(self, question: str, part: Part = Part.MAIN) -> PreparedPart:
        """The rubric side of one part, embedded once; RubricMissing when there is no rubric."""
        key = (question, part)
        if key not in self._prepared:
            self._prepared[key] = self._prepare(question, part)
        return self._prepared[key]

    def rubric_for(self, question: str) -> Rubric:
        """The question's rubric, else one drafted now (once); RubricMissing when neither."""
        rubric = self.rubrics.get(question) or self.drafted.get(question)
        if rubric is None and self.drafter is not None:
            rubric = self.drafter(question)
            if rubric is not None:
                self.drafted[question] = rubric
        if rubric is None:
            raise RubricMissing(f"no rubric for question {question!r}")
        return rubric

    def _prepare(self, question: str, part: Part) -> PreparedPart:
        rubric = self.rubric_for(question)
        points = rubric.part(part)
        answer = word_pairs(self.answers.get(question, ""))
        prompt_text = self.prompts.get(question, question)
        if part == Part.FOLLOW_UP and rubric.follow_up is not None:
            prompt_text = rubric.follow_up.prompt
        texts = [prompt_text]
        for kp in points:
            texts += [*kp.evidence, *kp.mistakes, *kp.mentions]
        vectors = self.cache.encode(texts)
        cursor = 1
        prepared: list[PreparedKeyPoint] = []
        for kp in points:
            blocks = []
            for size in (len(kp.evidence), len(kp.mistakes), len(kp.mentions)):
                blocks.append(vectors[cursor : cursor + size])
                cursor += size
            centroid = normalise(blocks[0].mean(axis=0, keepdims=True))[0]
            open_text = tuple(bool(answer) and from_text(e, answer) for e in kp.evidence)
            prepared.append(
                PreparedKeyPoint(kp, blocks[0], blocks[1], blocks[2], centroid, open_text)
            )
        everything = np.vstack([kp.evidence for kp in prepared])
        centroid = normalise(everything.mean(axis=0, keepdims=True))[0]
        rivals = self._rivals(question, part)
        return PreparedPart(question, part, vectors[0], prepared, rubric.version, centroid, rivals)

    def _rivals(self, question: str, part: Part) -> Matrix:
        """Centroids of every other part: an answer closer to one of them answers something else."""
        if self._centroids is None:
            texts = [
                (q, p, [e for kp in rubric.part(p) for e in kp.evidence])
                for q, rubric in self.rubrics.items()
                for p in ((Part.MAIN, Part.FOLLOW_UP) if rubric.follow_up else (Part.MAIN,))
            ]
            vectors = self.cache.encode([e for _, _, evidence in texts for e in evidence])
            keys, rows, cursor = [], [], 0
            for q, p, evidence in texts:
                rows.append(vectors[cursor : cursor + len(evidence)].mean(axis=0))
                keys.append((q, p))
                cursor += len(evidence)
            empty = np.zeros((0, 1), dtype=np.float32)  # no rubric files: no rivals
            self._centroids = (keys, normalise(np.vstack(rows)) if rows else empty)
        keys, matrix = self._centroids
        keep = [i for i, key in enumerate(keys) if key != (question, part)]
        return matrix[keep]

    def warm_up(self, questions: Sequence[str]) -> None:
        for question in questions:
            self.prepare(question)
            if self.rubric_for(question).follow_up is not None:
                self.prepare(question, Part.FOLLOW_UP)
        self.cache.save()

    # -- answer side ------------------------------------------------------------------------------
    def score(self, question: str, answer: str, part: Part = Part.MAIN) -> ScoreResult:
        return self.score_batch([ScoreRequest(question, answer, part)])[0]

    def score_batch(self, requests: Sequence[ScoreRequest]) -> list[ScoreResult]:
        """Scores many answers with one embedding call and one verifier call."""
        drafts = self._drafts(requests)
        if self.verifier is not None:
            self._verify(drafts, self.verifier)
        self.cache.save()
        return [self._finish(draft) for draft in drafts]

    def _drafts(self, requests: Sequence[ScoreRequest]) -> list[_Draft]:
        prepared = [self.prepare(r.question, r.part) for r in requests]
        plans = [self._plan(r.answer) for r in requests]
        texts = [u.text for units, _ in plans for u in units]
        vectors = self.embedder.encode(texts) if texts else np.zeros((0, 1), np.float32)
        drafts: list[_Draft] = []
        cursor = 0
        for request, part, (units, flags) in zip(requests, prepared, plans, strict=True):
            unit_vectors = vectors[cursor : cursor + len(units)]
            cursor += len(units)
            drafts.append(self._draft(request, part, units, unit_vectors, flags))
        return drafts

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
        if not kept and not flags:  # not blank (that is EMPTY above), but no words in it
            flags.append(Flag.NO_WORDS)
        return kept, flags

    def _draft(
        self,
        request: ScoreRequest,
        part: PreparedPart,
        units: list[Unit],
        vectors: Matrix,
        flags: list[Flag],
    ) -> _Draft:
        if not units:
            return _Draft(request, part, flags, None, [], [])
        params = self.params
        candidates = candidates_of(units, vectors, part, params.pasted_at, params.one_liner_words)
        penalty = self.params.penalty_unexplained
        matches = [
            match(part, i, candidates, penalty, params.verify_spans, params.verify_statements)
            for i in range(len(part.key_points))
        ]
        if candidates.pasted.any():
            flags = [*flags, Flag.RUBRIC_PASTED]
        elif float(np.mean(candidates.explain[: len(units)])) < 0.7:
            flags = [*flags, Flag.TERM_LIST]
        return _Draft(request, part, flags, candidates, matches, [None] * len(matches))

    @property
    def _wants_mistakes(self) -> bool:
        """Pair the best span with its closest mistake only when the map reads the result."""
        return bool({"v_mistake", "v_wrong"} & set(self.params.features))

    def _verify(self, drafts: list[_Draft], verifier: Verifier) -> None:
        by_question: dict[str, list[tuple[_Draft, int, list[tuple[str, str]]]]] = {}
        wants_mistakes = self._wants_mistakes
        for draft in drafts:
            if draft.candidates is None:
                continue
            answer = clean_text(draft.request.answer)  # as embedded: same offsets, no controls
            for index, found in enumerate(draft.matches):
                if found.values["max"] < self.params.floor:
                    continue  # nothing here is about the point: no coverage whatever is judged
                rubric = draft.part.key_points[index].rubric
                mistakes = rubric.mistakes if wants_mistakes else ()
                pairs = pairs_for(answer, draft.candidates.spans, found, rubric.evidence, mistakes)
                by_question.setdefault(draft.request.question, []).append((draft, index, pairs))
        for question, jobs in by_question.items():
            probabilities = verifier.judge(question, [p for _, _, pairs in jobs for p in pairs])
            cursor = 0
            for draft, index, pairs in jobs:
                block = probabilities[cursor : cursor + len(pairs)]
                cursor += len(pairs)
                evidence = draft.part.key_points[index].rubric.evidence
                judged = verifier_features(draft.matches[index], block, evidence)
                draft.matches[index].values.update(judged.values)
                draft.contradicted[index] = judged.contradicted
        for draft in drafts:  # the answer-level signal, once every point is judged
            if draft.candidates is not None and draft.matches:
                wrong = max(m.values.get("v_mistake", NO_MISTAKE) for m in draft.matches)
                for found in draft.matches:
                    found.values["v_wrong"] = wrong

    def _finish(self, draft: _Draft) -> ScoreResult:
        if draft.candidates is None:
            points = [self._missing(kp.rubric) for kp in draft.part.key_points]
            return self._result(draft, points, draft.flags)
        points = [self._key_point(draft, i) for i in range(len(draft.matches))]
        flags = draft.flags
        if all(p.verdict is Verdict.MISSING for p in points) and draft.candidates.relevance < 0.3:
            flags = [*flags, Flag.OFF_TOPIC]
        return self._result(draft, points, flags)

    def _key_point(self, draft: _Draft, index: int) -> KeyPointResult:
        kp = draft.part.key_points[index].rubric
        found = draft.matches[index]
        values = found.values if self.verifier is not None else {**found.values, **NEUTRAL}
        coverage, verdict, judgement = decide(values, self.params, kp)
        start, end = draft.candidates.spans[found.best] if draft.candidates else (0, 0)
        like_mistake = None
        # named only where it cost the point something: without it the span would have earned at
        # least partial (a generic sentence near nothing in particular names no mistake)
        if (
            found.mistake is not None
            and stated_like_a_mistake(values, self.params)
            and coverage_before_demotion(values, self.params, kp) >= self.params.partial_at
        ):
            like_mistake = kp.mistakes[found.mistake]
        evidence = None
        if verdict is not Verdict.MISSING or judgement is Judgement.CONTRADICTS or like_mistake:
            evidence = EvidenceSpan(text=draft.request.answer[start:end], start=start, end=end)
        return KeyPointResult(
            key_point=kp.label,
            coverage=coverage,
            verdict=verdict,
            evidence=evidence,
            similarity=round(found.values["best"], 4),
            weight=kp.weight,
            judgement=judgement,
            contradicted=draft.contradicted[index] if judgement is Judgement.CONTRADICTS else None,
            like_mistake=like_mistake,
            features={**NEUTRAL, **values},  # a point not verified (below the floor) reads neutral
            expected=tuple(kp.evidence[:EXPECTED_SHOWN]),
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
            expected=tuple(kp.evidence[:EXPECTED_SHOWN]),
        )

    def _result(
        self, draft: _Draft, points: list[KeyPointResult], flags: list[Flag]
    ) -> ScoreResult:
        score = weighted_score([p.weight for p in points], [p.coverage for p in points])
        if draft.request.question in self.drafted:
            flags = [*flags, Flag.DRAFT_RUBRIC]
        return ScoreResult(
            question=draft.request.question,
            part=draft.request.part,
            score=round(score, 1),
            key_points=points,
            flags=flags,
            model=self.embedder.name,
            rubric_version=draft.part.version,
        )
