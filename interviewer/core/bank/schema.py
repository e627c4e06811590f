"""Pydantic models of a question bank."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Difficulty(StrEnum):
    JUNIOR = "Junior"
    MID = "Mid"
    SENIOR = "Senior"


def slugify(text: str) -> str:
    """A readable, stable id from a title: lower case words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Question(_Strict):
    id: str = Field(min_length=1)
    number: int = Field(ge=1)
    category: str = Field(min_length=1)
    title: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    difficulty: Difficulty
    answer: str = ""
    key_points: list[str] = Field(min_length=1)
    follow_up: str | None = None

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(f"{value!r} is not a slug (lower-case words joined by '-')")
        return value

    @field_validator("key_points")
    @classmethod
    def _key_points_not_blank(cls, value: list[str]) -> list[str]:
        cleaned = [point.strip() for point in value]
        if any(not point for point in cleaned):
            raise ValueError("a key point is empty")
        return cleaned

    @field_validator("follow_up")
    @classmethod
    def _follow_up_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("follow-up is empty; leave it out instead")
        return value


class BankSource(_Strict):
    file: str
    sha256: str


class Bank(_Strict):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    source: BankSource | None = None
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Bank:
        seen_ids: dict[str, int] = {}
        seen_numbers: set[int] = set()
        for question in self.questions:
            if question.id in seen_ids:
                raise ValueError(
                    f"question {question.id}: id: duplicate id "
                    f"(also question #{seen_ids[question.id]})"
                )
            if question.number in seen_numbers:
                raise ValueError(
                    f"question {question.id}: number: duplicate number {question.number}"
                )
            seen_ids[question.id] = question.number
            seen_numbers.add(question.number)
        return self

    def get(self, ref: str) -> Question | None:
        """A question by its id or by its number in the bank."""
        for question in self.questions:
            if question.id == ref or (ref.isdigit() and question.number == int(ref)):
                return question
        return None

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(q.category for q in self.questions))
