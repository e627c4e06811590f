"""What an interview asks: the user's choices (`InterviewSettings`, from the start screen or the
command line) and the questions they select, in their order.

Apart from `interviewer.core.interview.session` (which re-exports all of it) so that the TUI's
first frame imports only this: a handful of plain values, no state machine.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from interviewer.core.bank.schema import Question


class Order(StrEnum):
    SHUFFLED = "shuffled"
    BANK = "bank"
    DUE = "due"  # due for review and weakest first; needs an ordering from the transcripts


# Reorders question ids, most urgent first ("due and weakest first"); supplied by the store side.
DueOrder = Callable[[Sequence[str]], Sequence[str]]


MAX_TIME_LIMIT = 24 * 60 * 60.0  # seconds per question: a day, as `--time-limit` allows


def checked_time_limit(seconds: object) -> float | None:
    """A per-question limit from anywhere (the command line, the start screen, config.toml, a
    stored or imported session) as the clock can use it: a finite number of seconds above 0, at most
    a day; anything else (inf, nan, 0, negative, not a number) is no limit."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return None
    if not math.isfinite(seconds) or seconds <= 0:
        return None
    return min(float(seconds), MAX_TIME_LIMIT)


def _positive_int(value: object, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return default
    return value


def _names(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(v for v in value if isinstance(v, str))


@dataclass(frozen=True)
class InterviewSettings:
    """What the start screen and `interviewer interview` choose. Defaults start at once."""

    bank_id: str | None = None  # None: the first bank found
    categories: tuple[str, ...] = ()  # empty: every category
    difficulties: tuple[str, ...] = ()  # empty: every difficulty
    count: int = 5
    order: Order = Order.SHUFFLED
    time_limit: float | None = None  # seconds per question; running out only warns
    seed: int | None = None  # fixes the shuffle (tests, screenshots)

    def __post_init__(self) -> None:
        # The one place every time limit passes: an infinite or huge one would overflow the clock.
        object.__setattr__(self, "time_limit", checked_time_limit(self.time_limit))

    def as_dict(self) -> dict[str, object]:
        """Plain values for the transcript store's `settings` column."""
        return {
            "bank_id": self.bank_id,
            "categories": list(self.categories),
            "difficulties": list(self.difficulties),
            "count": self.count,
            "order": self.order.value,
            "time_limit": self.time_limit,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InterviewSettings:
        """Back from `as_dict` (a resumed session); unknown or broken values fall back to defaults."""
        try:
            order = Order(str(data.get("order", Order.SHUFFLED.value)))
        except ValueError:
            order = Order.SHUFFLED
        bank = data.get("bank_id")
        return cls(
            bank_id=bank if isinstance(bank, str) and bank else None,
            categories=_names(data.get("categories")),
            difficulties=_names(data.get("difficulties")),
            count=_positive_int(data.get("count"), 5),
            order=order,
            time_limit=checked_time_limit(data.get("time_limit")),
        )


def resolve_categories(known: Iterable[str], wanted: Iterable[str]) -> dict[str, set[str]]:
    """Each wanted category -> the known ones it names (casefolded): its full name, else every
    category it is a case-insensitive prefix of. An empty set: no such category."""
    names = {c.casefold() for c in known}
    resolved: dict[str, set[str]] = {}
    for ref in wanted:
        key = ref.strip().casefold()
        resolved[ref] = {key} if key in names else {c for c in names if key and c.startswith(key)}
    return resolved


def matching(questions: Sequence[Question], settings: InterviewSettings) -> list[Question]:
    """The questions the settings' categories and difficulties keep, in bank order."""
    named = resolve_categories({q.category for q in questions}, settings.categories)
    categories = {name for names in named.values() for name in names}
    levels = {d.casefold() for d in settings.difficulties}
    return [
        q
        for q in questions
        if (not settings.categories or q.category.casefold() in categories)
        and (not levels or q.difficulty.value.casefold() in levels)
    ]


def select_questions(
    questions: Sequence[Question],
    settings: InterviewSettings,
    due_order: DueOrder | None = None,
) -> list[Question]:
    """The questions to ask, filtered and ordered; `due` without an ordering falls back to shuffled.
    A category may be named by a case-insensitive prefix ("dist" for Distributed Systems)."""
    pool = matching(questions, settings)
    if settings.order is Order.BANK:
        ordered = sorted(pool, key=lambda q: q.number)
    elif settings.order is Order.DUE and due_order is not None:
        by_id = {q.id: q for q in pool}
        ranked = [by_id[i] for i in dict.fromkeys(due_order([q.id for q in pool])) if i in by_id]
        ordered = ranked + [q for q in pool if q not in ranked]
    else:
        ordered = list(pool)
        random.Random(settings.seed).shuffle(ordered)
    return ordered[: max(0, settings.count)]
