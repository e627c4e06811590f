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


def _number(ref: str) -> int | None:
    """A question number typed by a user: ASCII digits only (int() would take '١٢' and choke on
    '²' or 5,000 digits)."""
    if ref.isascii() and ref.isdigit() and len(ref) <= len(str(MAX_NUMBER)):
        return int(ref)
    return None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# Bounds a real bank is far inside (the shipped one: 34 questions, answers under 5,000 characters,
# 5 key points of under 40): they keep a hostile or mistaken file from stalling scoring or output.
MAX_QUESTIONS = 1_000
MAX_NUMBER = 1_000_000
MAX_KEY_POINTS = 20
MAX_ID = 100
MAX_LABEL = 300
MAX_TEXT = 10_000
MAX_ANSWER = 100_000


class Question(_Strict):
    id: str = Field(min_length=1, max_length=MAX_ID)
    number: int = Field(ge=1, le=MAX_NUMBER)
    category: str = Field(min_length=1, max_length=MAX_LABEL)
    title: str = Field(min_length=1, max_length=MAX_LABEL)
    prompt: str = Field(min_length=1, max_length=MAX_TEXT)
    difficulty: Difficulty
    answer: str = Field(default="", max_length=MAX_ANSWER)
    key_points: list[str] = Field(min_length=1, max_length=MAX_KEY_POINTS)
    follow_up: str | None = Field(default=None, max_length=MAX_TEXT)

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
        if any(len(point) > MAX_LABEL for point in cleaned):
            raise ValueError(f"a key point is longer than {MAX_LABEL} characters")
        return cleaned

    @field_validator("follow_up")
    @classmethod
    def _follow_up_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("follow-up is empty; leave it out instead")
        return value


class BankSource(_Strict):
    file: str = Field(max_length=MAX_TEXT)
    sha256: str = Field(max_length=MAX_ID)


class Bank(_Strict):
    id: str = Field(min_length=1, max_length=MAX_ID)
    title: str = Field(min_length=1, max_length=MAX_LABEL)
    description: str = Field(default="", max_length=MAX_TEXT)
    source: BankSource | None = None
    questions: list[Question] = Field(min_length=1, max_length=MAX_QUESTIONS)

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
        """A question by its id, by its number in the bank, or by a unique prefix of its id."""
        number = _number(ref)
        for question in self.questions:
            if question.id == ref or question.number == number:
                return question
        prefix = ref.strip().casefold()
        matches = [q for q in self.questions if prefix and q.id.startswith(prefix)]
        return matches[0] if len(matches) == 1 else None

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(q.category for q in self.questions))
