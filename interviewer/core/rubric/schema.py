"""Pydantic models of a scoring rubric (see rubrics/README.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from interviewer.core.result import Part


class RubricMissing(LookupError):
    """No rubric for this question, or for this part of it: the answer cannot be scored."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# What the score view says of a follow-up with no key points (PracticeOnly), in place of a score.
PRACTICE_NOTE = "this follow-up is for practice and is not graded (its bank gives it no key points)"


class PracticeOnly(RubricMissing):
    """A follow-up with no key points (a user's bank gives none): asked for practice, not graded."""

    def __init__(self, question: str) -> None:
        super().__init__(
            f"the follow-up of {question} is for practice and is not graded (it has no key points)"
        )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# Bounds a real rubric is far inside (the shipped ones: at most 5 key points, 18 evidence statements
# of under 170 characters): each statement is embedded before the first score, and a weight,
# threshold or calibration out of range would force every point covered or the score to NaN.
MAX_KEY_POINTS = 20
MAX_STATEMENTS = 60  # per list: evidence, mistakes, mentions
MAX_RUBRIC_STATEMENTS = 400  # per rubric, every list of every key point of both parts
MAX_STATEMENT = 1_000
MAX_LABEL = 300
MAX_WEIGHT = 100.0
MAX_CALIBRATION = 1_000.0


class Calibration(_Strict):
    """Logistic map from a key point's raw match to a coverage probability, fitted by `tune`."""

    slope: float = Field(allow_inf_nan=False, ge=-MAX_CALIBRATION, le=MAX_CALIBRATION)
    intercept: float = Field(allow_inf_nan=False, ge=-MAX_CALIBRATION, le=MAX_CALIBRATION)


class KeyPointRubric(_Strict):
    label: str = Field(min_length=1, max_length=MAX_LABEL)
    weight: float = Field(default=1.0, gt=0, le=MAX_WEIGHT, allow_inf_nan=False)
    evidence: list[str] = Field(min_length=1, max_length=MAX_STATEMENTS)
    mistakes: list[str] = Field(default_factory=list, max_length=MAX_STATEMENTS)
    mentions: list[str] = Field(default_factory=list, max_length=MAX_STATEMENTS)
    # the coverage at which this point counts as covered; 0 would make every answer cover it
    threshold: float | None = Field(default=None, gt=0, le=1, allow_inf_nan=False)
    calibration: Calibration | None = None

    @field_validator("evidence", "mistakes", "mentions")
    @classmethod
    def _no_blank(cls, value: list[str]) -> list[str]:
        if any(not str(item).strip() for item in value):
            raise ValueError("an entry is empty")
        if any(len(str(item)) > MAX_STATEMENT for item in value):
            raise ValueError(f"an entry is longer than {MAX_STATEMENT} characters")
        return [str(item).strip() for item in value]

    @property
    def statement_count(self) -> int:
        return len(self.evidence) + len(self.mistakes) + len(self.mentions)


class FollowUpRubric(_Strict):
    prompt: str = Field(min_length=1, max_length=10_000)
    source: str = Field(default="ours", max_length=MAX_LABEL)
    key_points: list[KeyPointRubric] = Field(min_length=1, max_length=MAX_KEY_POINTS)


class Rubric(_Strict):
    question: str = Field(min_length=1, max_length=MAX_LABEL)
    version: int = Field(default=1, ge=1, le=1_000_000)
    key_points: list[KeyPointRubric] = Field(min_length=1, max_length=MAX_KEY_POINTS)
    follow_up: FollowUpRubric | None = None

    @model_validator(mode="after")
    def _bounded(self) -> Rubric:
        points = [*self.key_points, *(self.follow_up.key_points if self.follow_up else [])]
        total = sum(kp.statement_count for kp in points)
        if total > MAX_RUBRIC_STATEMENTS:
            raise ValueError(f"{total} statements; the limit is {MAX_RUBRIC_STATEMENTS} per rubric")
        return self

    def part(self, part: Part) -> list[KeyPointRubric]:
        """The key points of one part; RubricMissing when the rubric has no such part."""
        if part == Part.MAIN:
            return self.key_points
        if part == Part.FOLLOW_UP and self.follow_up is not None:
            return self.follow_up.key_points
        if part == Part.FOLLOW_UP:
            raise PracticeOnly(self.question)
        raise RubricMissing(f"rubric {self.question} has no part {str(part)!r}")
