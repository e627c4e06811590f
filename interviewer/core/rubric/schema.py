"""Pydantic models of a scoring rubric (see rubrics/README.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interviewer.core.result import Part


class RubricMissing(LookupError):
    """No rubric for this question, or for this part of it: the answer cannot be scored."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Calibration(_Strict):
    """Logistic map from a key point's raw match to a coverage probability, fitted by `tune`."""

    slope: float
    intercept: float


class KeyPointRubric(_Strict):
    label: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)
    evidence: list[str] = Field(min_length=1)
    mistakes: list[str] = Field(default_factory=list)
    mentions: list[str] = Field(default_factory=list)
    threshold: float | None = None
    calibration: Calibration | None = None

    @field_validator("evidence", "mistakes", "mentions")
    @classmethod
    def _no_blank(cls, value: list[str]) -> list[str]:
        if any(not str(item).strip() for item in value):
            raise ValueError("an entry is empty")
        return [str(item).strip() for item in value]


class FollowUpRubric(_Strict):
    prompt: str = Field(min_length=1)
    source: str = "ours"
    key_points: list[KeyPointRubric] = Field(min_length=1)


class Rubric(_Strict):
    question: str = Field(min_length=1)
    version: int = Field(default=1, ge=1)
    key_points: list[KeyPointRubric] = Field(min_length=1)
    follow_up: FollowUpRubric | None = None

    def part(self, part: Part) -> list[KeyPointRubric]:
        """The key points of one part; RubricMissing when the rubric has no such part."""
        if part == Part.MAIN:
            return self.key_points
        if part == Part.FOLLOW_UP and self.follow_up is not None:
            return self.follow_up.key_points
        raise RubricMissing(f"rubric {self.question} has no part {str(part)!r}")
