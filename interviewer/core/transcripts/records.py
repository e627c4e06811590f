"""What a stored practice session is, as the review, export, stats and practice plan read it.

The store writes through the `TranscriptStore` port; these models are the read side. They are plain
pydantic models so a session exports to JSON and imports back as the very same record.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from interviewer.core.bank.schema import Bank, Question
from interviewer.core.result import KeyPointResult, Part, ScoreResult, Verdict, Versions
from interviewer.core.terms import VERDICT_COVERAGE as VERDICT_COVERAGE  # one verdict scale
from interviewer.core.terms import weighted_score

RECORD_FORMAT = "interviewer.session/1"

# The largest id SQLite stores: an imported record with a larger one is refused, not an overflow.
MAX_ID = 2**63 - 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class QuestionSnapshot(_Frozen):
    """The question as it was asked: a review still reads well after the bank is edited."""

    id: str
    title: str = ""
    category: str = ""
    difficulty: str = ""
    prompt: str = ""
    model_answer: str = ""
    follow_up: str | None = None

    @classmethod
    def of(cls, question: Question) -> QuestionSnapshot:
        return cls(
            id=question.id,
            title=question.title,
            category=question.category,
            difficulty=question.difficulty.value,
            prompt=question.prompt,
            model_answer=question.answer,
            follow_up=question.follow_up,
        )


class StoredScore(_Frozen):
    result: ScoreResult
    versions: Versions = Field(default_factory=Versions)
    scored_at: datetime


class Correction(_Frozen):
    """The user's verdict for one key point; the label guards against a rubric that was reordered."""

    key_point_index: int = Field(ge=0, le=MAX_ID)
    key_point: str
    verdict: Verdict
    corrected_at: datetime


class StoredFeedback(_Frozen):
    text: str
    complete: bool
    model: str = ""
    error: str | None = None
    saved_at: datetime


class StoredDraft(_Frozen):
    question_id: str
    part: Part
    text: str
    saved_at: datetime


class StoredAnswer(_Frozen):
    id: int = Field(ge=0, le=MAX_ID)
    question_id: str
    part: Part
    text: str
    seconds: float = Field(allow_inf_nan=False)
    submitted_at: datetime
    scores: list[StoredScore] = Field(default_factory=list)  # oldest first: the last is current
    corrections: list[Correction] = Field(default_factory=list)
    feedback: StoredFeedback | None = None

    @property
    def score(self) -> StoredScore | None:
        return self.scores[-1] if self.scores else None

    def correction(self, index: int) -> Correction | None:
        """The user's verdict for key point `index` of the current score, if it still applies."""
        if self.score is None or index >= len(self.score.result.key_points):
            return None
        label = self.score.result.key_points[index].key_point
        for correction in self.corrections:
            if correction.key_point_index == index and correction.key_point == label:
                return correction
        return None

    def verdicts(self) -> list[Verdict]:
        """Per key point: the user's correction where there is one, else the grader's verdict."""
        if self.score is None:
            return []
        return [
            (c.verdict if (c := self.correction(i)) else kp.verdict)
            for i, kp in enumerate(self.score.result.key_points)
        ]

    def effective_score(self) -> float | None:
        """The 0-100 score with corrected key points counted at their corrected coverage."""
        if self.score is None:
            return None
        points = self.score.result.key_points
        if not any(self.correction(i) for i in range(len(points))):
            return self.score.result.score
        return _weighted(points, [_coverage(self, i, kp) for i, kp in enumerate(points)])


def _coverage(answer: StoredAnswer, index: int, kp: KeyPointResult) -> float:
    correction = answer.correction(index)
    return VERDICT_COVERAGE[correction.verdict] if correction else kp.coverage


def _weighted(points: Sequence[KeyPointResult], coverages: Sequence[float]) -> float:
    return round(weighted_score([kp.weight for kp in points], coverages), 1)


class SessionRecord(_Frozen):
    """One session in full: the export format, and what `import` reads back."""

    format: Literal["interviewer.session/1"] = "interviewer.session/1"
    id: int = Field(0, ge=0, le=MAX_ID)
    uid: str
    bank_id: str
    started_at: datetime
    finished_at: datetime | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    questions: list[QuestionSnapshot] = Field(default_factory=list)
    answers: list[StoredAnswer] = Field(default_factory=list)
    drafts: list[StoredDraft] = Field(default_factory=list)

    def question(self, question_id: str) -> QuestionSnapshot:
        found = next((q for q in self.questions if q.id == question_id), None)
        return found or QuestionSnapshot(id=question_id, title=question_id)

    def first_attempts(self, part: Part | None = Part.MAIN) -> list[StoredAnswer]:
        """The first answer per question (and part; None: every part). Retries after seeing the
        model answer are not recall, so scores, progress and the practice plan read these."""
        seen: dict[tuple[str, Part], StoredAnswer] = {}
        for answer in self.answers:
            if part in (None, answer.part):
                seen.setdefault((answer.question_id, answer.part), answer)
        return list(seen.values())

    def mean_score(self) -> float | None:
        scores = [s for a in self.first_attempts() if (s := a.effective_score()) is not None]
        return round(sum(scores) / len(scores), 1) if scores else None

    def with_questions(self, lookup: Callable[[str], Question | None]) -> SessionRecord:
        """Questions stored without their text (older sessions, no bank at hand) read from `lookup`."""
        if all(snapshot.title for snapshot in self.questions):
            return self
        filled = []
        for snapshot in self.questions:
            question = None if snapshot.title else lookup(snapshot.id)
            filled.append(QuestionSnapshot.of(question) if question else snapshot)
        return self.model_copy(update={"questions": filled})

    def without_ids(self) -> SessionRecord:
        """The record with its database ids cleared: what must survive an export and import."""
        answers = [a.model_copy(update={"id": 0}) for a in self.answers]
        return self.model_copy(update={"id": 0, "answers": answers})


class SessionSummary(_Frozen):
    id: int
    started_at: datetime
    finished_at: datetime | None
    bank_id: str
    questions: int
    answered: int
    mean_score: float | None
    categories: list[str] = Field(default_factory=list)
    question_ids: list[str] = Field(default_factory=list)


class KeyPointStat(_Frozen):
    """How one key point fared across every scored first attempt."""

    question_id: str
    part: Part
    key_point: str
    mean_coverage: float
    answers: int


def versions_of(
    bank: Bank | None, result: ScoreResult, params: BaseModel | None = None
) -> Versions:
    """What produced a score, in the one stored format: bank `<id>@<content hash>`, rubric
    `<question>/v<n>`, the model's name, the scoring parameters' content hash ("" when unknown).
    Content hashes, so edits show up. Every writer of a score's versions builds them here."""
    return Versions(
        bank=f"{bank.id}@{_digest(bank.model_dump(mode='json'))}" if bank else "",
        rubric=f"{result.question}/v{result.rubric_version}",
        model=result.model,
        params=_digest(params.model_dump(mode="json")) if params is not None else "",
    )


def upgraded_versions(versions: Versions, question: str) -> Versions:
    """`versions` in `versions_of`'s format. Scores saved by the interview screen before schema
    m006 (and exports of them) had the bank id alone and a bare rubric number; the bank's content
    hash was never recorded, so it stays empty (`<id>@`). The store's m006 rewrites its rows so."""
    bank, rubric = versions.bank, versions.rubric
    if bank and "@" not in bank:
        bank = f"{bank}@"
    if re.fullmatch("[0-9]+", rubric):
        rubric = f"{question}/v{rubric}"
    return replace(versions, bank=bank, rubric=rubric)


def _digest(data: object) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def labelled_row(answer: StoredAnswer) -> dict[str, object] | None:
    """A corrected answer in the eval set's JSONL shape (eval/README.md); None if uncorrected.

    Key points the user did not correct keep the grader's verdict: they were reviewed and let stand.
    """
    if answer.score is None or not any(
        answer.correction(i) for i in range(len(answer.score.result.key_points))
    ):
        return None
    coverage = [VERDICT_COVERAGE[v] for v in answer.verdicts()]
    return {
        "id": f"{answer.question_id}/transcript-{answer.id}",
        "question": answer.question_id,
        "part": answer.part,
        "kind": "transcript",
        "set": "transcripts",
        "answer": answer.text,
        "coverage": [int(c) if c in (0.0, 1.0) else c for c in coverage],
        "grade": round(10 * sum(coverage) / len(coverage)) if coverage else 0,
        "note": "corrected in review; uncorrected key points keep the grader's verdict",
    }


class TimelinePoint(_Frozen):
    at: datetime
    session_id: int
    question_id: str
    category: str
    score: float


def score_timeline(records: Sequence[SessionRecord]) -> list[TimelinePoint]:
    """Every scored first attempt, oldest first: the progress plot's points."""
    points = [
        TimelinePoint(
            at=answer.submitted_at,
            session_id=record.id,
            question_id=answer.question_id,
            category=record.question(answer.question_id).category or "(unknown)",
            score=score,
        )
        for record in records
        for answer in record.first_attempts()
        if (score := answer.effective_score()) is not None
    ]
    return sorted(points, key=lambda p: p.at)


def weakest_key_points(records: Sequence[SessionRecord], limit: int = 10) -> list[KeyPointStat]:
    """Key points with the lowest mean coverage over first attempts (corrections applied)."""
    totals: dict[tuple[str, Part, str], list[float]] = {}
    for record in records:
        for answer in record.first_attempts(part=None):
            if answer.score is None:
                continue
            for index, kp in enumerate(answer.score.result.key_points):
                key = (answer.question_id, answer.part, kp.key_point)
                totals.setdefault(key, []).append(_coverage(answer, index, kp))
    stats = [
        KeyPointStat(
            question_id=qid,
            part=part,
            key_point=label,
            mean_coverage=round(sum(values) / len(values), 3),
            answers=len(values),
        )
        for (qid, part, label), values in totals.items()
    ]
    return sorted(stats, key=lambda s: (s.mean_coverage, -s.answers))[:limit]
