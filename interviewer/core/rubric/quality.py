"""How good a bank's rubrics are, before any candidate answers (`interviewer rubric check`).

A rubric is only as good as what it separates. The question's own model answer must cover every
key point (scored by the real grader, as plain text and section by section: a model answer is long
reference notes, and a candidate says one part of it in a short answer; a point no part of it earns
can never be earned by an honest answer); the other questions' model answers should not cover it
better (a point they cover rewards any answer on the neighbouring topic). Evidence statements are what the grader matches: too few of them, two key
points whose evidence says the same thing, duplicates, and sentences lifted from the model answer
(an answer pasting it back would look strong) are reported. Pure: the grader brings the embedder.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from interviewer.core.bank.answer_markdown import to_plain
from interviewer.core.bank.schema import Question
from interviewer.core.grading.embedding import Matrix
from interviewer.core.grading.grader import Grader, ScoreRequest
from interviewer.core.grading.text import split_units
from interviewer.core.ports import Embedder
from interviewer.core.result import Part, ScoreResult
from interviewer.core.rubric.schema import KeyPointRubric, Rubric


class Severity(StrEnum):
    FAIL = "fail"  # the rubric cannot work as written: `rubric check` exits 1
    WARN = "warn"  # worth a look: the rubric works, less well than it could


@dataclass(frozen=True)
class Finding:
    severity: Severity
    question: str
    part: Part
    key_point: str | None  # the key point's label; None for the question as a whole
    message: str

    def __str__(self) -> str:
        where = self.question + (" (follow-up)" if self.part is Part.FOLLOW_UP else "")
        point = f": {self.key_point!r}" if self.key_point is not None else ""
        return f"{self.severity.value}: {where}{point}: {self.message}"


@dataclass(frozen=True)
class QualityLimits:
    """Where a measurement becomes a finding. Set on the shipped rubrics (see rubrics/README.md):
    they pass with room to spare, and a rubric written carelessly does not."""

    min_evidence: int = 4
    # A point the model answer covers below the map's partial band is a warning; it fails when,
    # besides, no sentence of the model answer comes this close to any of its evidence statements
    # (the grader's "max" feature): the evidence is about something else. The shipped rubrics'
    # lowest is 0.52; evidence moved from another question's point gets about 0.38.
    match_below: float = 0.45
    section_words: int = 120  # a section: the model answer's paragraphs, about one spoken answer
    # another question's model answer covering a point this well (default: the map's covered_at),
    # and better than the question's own, is named
    rival_at: float | None = None
    # cosine of two key points' evidence centroids: above this they are hard to tell apart
    overlap_at: float = 0.85
    # cosine of two statements: above this they are the same statement in other words
    duplicate_at: float = 0.95
    # share of a statement's word pairs found, in order, in one model-answer sentence
    copied_share: float = 0.8


@dataclass
class QualityReport:
    findings: list[Finding] = field(default_factory=list)
    questions: int = 0
    key_points: int = 0
    without_rubric: list[str] = field(default_factory=list)  # question ids

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.FAIL]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARN]


class MemoEmbedder:
    """The embedder, remembering every text it embedded: checking a bank scores each model answer
    against every rubric, and each answer is embedded once."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self._memo: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        return self.inner.name

    def encode(self, texts: Sequence[str]) -> Matrix:
        fresh = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if fresh:
            for text, vector in zip(fresh, self.inner.encode(fresh), strict=True):
                self._memo[text] = vector
        if not texts:
            return self.inner.encode([])
        return np.vstack([self._memo[t] for t in texts]).astype(np.float32)


def check_bank(
    questions: Sequence[Question],
    rubrics: dict[str, Rubric],
    grader: Grader,
    limits: QualityLimits | None = None,
) -> QualityReport:
    """Every finding for the questions' rubrics, question by question, in bank order."""
    limits = limits or QualityLimits()
    report = QualityReport(questions=len(questions))
    checked = [q for q in questions if q.id in rubrics]
    results = _cross_scores(checked, grader)
    own = _own_scores(checked, grader, limits.section_words)
    for question in questions:
        rubric = rubrics.get(question.id)
        if rubric is None:
            report.without_rubric.append(question.id)
            continue
        report.key_points += len(rubric.key_points)
        report.findings += _model_answer(question, own.get(question.id), grader, limits)
        report.findings += _rivals(question, checked, results, own, grader, limits)
        for part in _parts(rubric):
            points = rubric.part(part)
            report.findings += _statements(question, part, points, grader, limits)
            report.findings += _overlaps(question.id, part, points, grader, limits)
    return report


def _parts(rubric: Rubric) -> list[Part]:
    return [Part.MAIN, Part.FOLLOW_UP] if rubric.follow_up is not None else [Part.MAIN]


def _cross_scores(
    questions: Sequence[Question], grader: Grader
) -> dict[tuple[str, str], ScoreResult]:
    """(rubric's question, other question) -> the other's whole model answer on that rubric."""
    plain = {a.id: to_plain(a.answer) for a in questions if a.answer.strip()}  # once per answer
    pairs = [(r.id, a) for r in questions for a in questions if a.id in plain and a.id != r.id]
    requests = [ScoreRequest(rubric_id, plain[answer.id]) for rubric_id, answer in pairs]
    scored = grader.score_batch(requests) if requests else []
    return {
        (rubric_id, answer.id): result
        for (rubric_id, answer), result in zip(pairs, scored, strict=True)
    }


def answer_sections(text: str, words: int) -> list[str]:
    """The text's paragraphs, run together into sections of about `words` words."""
    sections: list[list[str]] = []
    count = 0
    for block in (b.strip() for b in re.split(r"\n\s*\n", text)):
        if not block:
            continue
        size = len(block.split())
        if not sections or count + size > words:
            sections.append([])
            count = 0
        sections[-1].append(block)
        count += size
    return ["\n\n".join(section) for section in sections]


@dataclass(frozen=True)
class _Own:
    """How a question's model answer, whole or in one section, does on one of its key points."""

    label: str
    coverage: float  # the best coverage
    closest: float  # the highest similarity of any of its sentences to any evidence statement


def _own_scores(questions: Sequence[Question], grader: Grader, words: int) -> dict[str, list[_Own]]:
    """Question id -> per key point, the best its model answer does, whole or in part."""
    requests: list[ScoreRequest] = []
    for question in questions:
        if question.answer.strip():
            plain = to_plain(question.answer)
            sections = answer_sections(plain, words)
            texts = [plain, *sections] if len(sections) > 1 else [plain]
            requests += [ScoreRequest(question.id, text) for text in texts]
    best: dict[str, list[_Own]] = {}
    for request, result in zip(requests, grader.score_batch(requests), strict=True):
        points = [
            _Own(kp.key_point, kp.coverage, kp.features.get("max", 0.0)) for kp in result.key_points
        ]
        known = best.setdefault(request.question, points)
        best[request.question] = [
            _Own(a.label, max(a.coverage, b.coverage), max(a.closest, b.closest))
            for a, b in zip(points, known, strict=True)
        ]
    return best


def _model_answer(
    question: Question,
    own: list[_Own] | None,
    grader: Grader,
    limits: QualityLimits,
) -> list[Finding]:
    if own is None:
        message = "the question has no model answer: its coverage cannot be checked"
        return [Finding(Severity.WARN, question.id, Part.MAIN, None, message)]
    findings: list[Finding] = []
    for point in own:
        if point.coverage >= grader.params.partial_at:
            continue
        if point.closest < limits.match_below:
            message = (
                f"the model answer does not cover it (best coverage {point.coverage:.2f}; its "
                f"closest sentence to the evidence {point.closest:.2f}): the evidence says what "
                "the model answer does not"
            )
            findings.append(Finding(Severity.FAIL, question.id, Part.MAIN, point.label, message))
        else:
            message = (
                f"the model answer hardly covers it (best coverage {point.coverage:.2f}): its "
                "evidence may not say what the model answer says, or the answer says it in a "
                "diagram or code"
            )
            findings.append(Finding(Severity.WARN, question.id, Part.MAIN, point.label, message))
    return findings


def _rivals(
    question: Question,
    questions: Sequence[Question],
    results: dict[tuple[str, str], ScoreResult],
    own: dict[str, list[_Own]],
    grader: Grader,
    limits: QualityLimits,
) -> list[Finding]:
    """A key point another question's model answer covers, better than the question's own: name
    the worst offender."""
    rival_at = limits.rival_at if limits.rival_at is not None else grader.params.covered_at
    findings: list[Finding] = []
    for index, point in enumerate(own.get(question.id, [])):
        label, mine = point.label, point.coverage
        others = [
            (result.key_points[index].coverage, other.id)
            for other in questions
            if (result := results.get((question.id, other.id))) is not None
        ]
        rivals = [(c, other) for c, other in others if c >= rival_at and c >= mine + 0.02]
        if not rivals:
            continue
        coverage, worst = max(rivals)
        also = f"; {len(rivals)} other model answers do" if len(rivals) > 1 else ""
        message = (
            f"the model answer of {worst} covers it better than this question's own "
            f"({coverage:.2f} against {mine:.2f}{also}): its evidence is about the topic, "
            "not this point"
        )
        findings.append(Finding(Severity.WARN, question.id, Part.MAIN, label, message))
    return findings


def _normal(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))


def _pairs(text: str) -> set[tuple[str, str]]:
    return set(itertools.pairwise(_normal(text).split()))


def copied_from(statement: str, sentences: Iterable[str], share: float) -> bool:
    """True when the statement is (nearly) the words of one model-answer sentence, in order."""
    own = _pairs(statement)
    if len(own) < 4:
        return False
    return any(len(own & _pairs(sentence)) >= share * len(own) for sentence in sentences)


def _statements(
    question: Question,
    part: Part,
    points: Sequence[KeyPointRubric],
    grader: Grader,
    limits: QualityLimits,
) -> list[Finding]:
    sentences = [unit.text for unit in split_units(to_plain(question.answer))[0]]
    findings: list[Finding] = []
    for kp in points:

        def finding(message: str, kp: KeyPointRubric = kp) -> Finding:
            return Finding(Severity.WARN, question.id, part, kp.label, message)

        if len(kp.evidence) < limits.min_evidence:
            findings.append(
                finding(
                    f"{len(kp.evidence)} evidence statements; write at least "
                    f"{limits.min_evidence}, each a different way a strong answer says it"
                )
            )
        findings += [finding(m) for m in _duplicates(kp, grader, limits)]
        lifted = [e for e in kp.evidence if copied_from(e, sentences, limits.copied_share)]
        if lifted:
            findings.append(
                finding(
                    f"{len(lifted)} evidence statement(s) copied from the model answer, e.g. "
                    f"{_short(lifted[0])!r}: say it in other words (an answer pasting the model "
                    "answer back would match it exactly)"
                )
            )
    return findings


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _duplicates(kp: KeyPointRubric, grader: Grader, limits: QualityLimits) -> list[str]:
    """Statements of one key point that say the same thing (exactly, or nearly: cosine), and an
    evidence statement that is also listed as a mistake or a mention."""
    messages: list[str] = []
    texts = list(dict.fromkeys(kp.evidence))
    if len(texts) < len(kp.evidence):
        repeated = next(t for t in texts if kp.evidence.count(t) > 1)
        messages.append(f"evidence {_short(repeated)!r} is listed more than once")
    both = {_normal(e) for e in kp.evidence} & {_normal(m) for m in [*kp.mistakes, *kp.mentions]}
    if both:
        first = next(e for e in kp.evidence if _normal(e) in both)
        messages.append(f"{_short(first)!r} is listed as evidence and as a mistake or mention")
    if len(texts) > 1:
        vectors = grader.cache.encode(texts)
        sims = vectors @ vectors.T
        for i, j in itertools.combinations(range(len(texts)), 2):
            if float(sims[i, j]) >= limits.duplicate_at and _normal(texts[i]) != _normal(texts[j]):
                messages.append(
                    f"evidence {_short(texts[i])!r} and {_short(texts[j])!r} say the same "
                    f"(similarity {float(sims[i, j]):.2f}); one of them adds nothing"
                )
    return messages


def _overlaps(
    question: str,
    part: Part,
    points: Sequence[KeyPointRubric],
    grader: Grader,
    limits: QualityLimits,
) -> list[Finding]:
    """Two key points of one part whose evidence centroids are this close: an answer covering one
    will be taken to cover the other."""
    if len(points) < 2:
        return []
    centroids = []
    for kp in points:
        mean = grader.cache.encode(kp.evidence).mean(axis=0)
        centroids.append(mean / (np.linalg.norm(mean) or 1.0))
    matrix = np.vstack(centroids)
    sims = matrix @ matrix.T
    findings: list[Finding] = []
    for i, j in itertools.combinations(range(len(points)), 2):
        if float(sims[i, j]) >= limits.overlap_at:
            message = (
                f"its evidence overlaps that of {points[j].label!r} "
                f"(similarity {float(sims[i, j]):.2f}): "
                "make each point's statements about what only that point says"
            )
            findings.append(Finding(Severity.WARN, question, part, points[i].label, message))
    return findings
