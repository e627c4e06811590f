"""Spaced repetition: every answered question is an FSRS card, every first attempt a review.

Cards are not stored: they are replayed from the transcript history, so re-scoring or correcting an
old answer reschedules the question, and the schedule can never disagree with the transcripts.
Question ids (slugs) are the card keys; they stay stable when a bank's wording is edited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler

from interviewer.core.transcripts.records import SessionRecord

# Score bands -> FSRS rating. A low-coverage answer is a lapse (Again). Hard is still a pass, as the
# FSRS authors advise: an answer that made most points with effort, not a failure.
AGAIN_BELOW = 50.0
HARD_BELOW = 65.0
GOOD_BELOW = 85.0


def rating_for(score: float) -> Rating:
    if score < AGAIN_BELOW:
        return Rating.Again
    if score < HARD_BELOW:
        return Rating.Hard
    if score < GOOD_BELOW:
        return Rating.Good
    return Rating.Easy


@dataclass(frozen=True)
class Review:
    """One scored first attempt at a question."""

    at: datetime
    score: float


def scheduler() -> Scheduler:
    """Day-scale intervals: no minute learning steps (one interview question a minute is no use),
    and no fuzzing, so replaying the same history always gives the same schedule."""
    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def card_for(history: Sequence[Review], engine: Scheduler | None = None) -> Card:
    engine = engine or scheduler()
    card = Card(card_id=1)
    for review in sorted(history, key=lambda r: r.at):
        card, _ = engine.review_card(card, rating_for(review.score), review_datetime=review.at)
    return card


@dataclass(frozen=True)
class CardState:
    question_id: str
    due: datetime | None  # None: never practised
    last_score: float | None
    retrievability: float | None

    def is_due(self, now: datetime) -> bool:
        return self.due is None or self.due <= now


class PracticePlan:
    """Orders questions for a "due and weakest first" session."""

    def __init__(
        self, history: Mapping[str, Sequence[Review]], now: datetime | None = None
    ) -> None:
        self.now = now or datetime.now(UTC)
        self._engine = scheduler()
        self._states: dict[str, CardState] = {}
        for question_id, reviews in history.items():
            if reviews:
                self._states[question_id] = self._state(question_id, reviews)

    def _state(self, question_id: str, reviews: Sequence[Review]) -> CardState:
        card = card_for(reviews, self._engine)
        last = max(reviews, key=lambda r: r.at)
        recall = self._engine.get_card_retrievability(card, current_datetime=self.now)
        return CardState(question_id, card.due, last.score, recall)

    def state(self, question_id: str) -> CardState:
        return self._states.get(question_id, CardState(question_id, None, None, None))

    def order(self, question_ids: Sequence[str]) -> list[str]:
        """Due practised questions weakest first, then never-practised ones in the given order, then
        the rest by how soon they fall due."""
        states = [self.state(q) for q in dict.fromkeys(question_ids)]
        due = [s for s in states if s.due is not None and s.due <= self.now]
        new = [s for s in states if s.due is None]
        later = [s for s in states if s.due is not None and s.due > self.now]
        due.sort(key=lambda s: (s.last_score or 0.0, s.retrievability or 0.0))
        later.sort(key=lambda s: s.due or self.now)
        return [s.question_id for s in (*due, *new, *later)]

    def due(self, question_ids: Sequence[str] | None = None) -> list[CardState]:
        """Practised questions due now, soonest-due first."""
        ids = question_ids if question_ids is not None else list(self._states)
        states = [self._states[q] for q in ids if q in self._states]
        return sorted((s for s in states if s.is_due(self.now)), key=lambda s: s.due or self.now)

    def upcoming(self) -> list[CardState]:
        return sorted(self._states.values(), key=lambda s: s.due or self.now)


def history_from(records: Sequence[SessionRecord]) -> dict[str, list[Review]]:
    """Per question, its scored first attempts: one review per session."""
    history: dict[str, list[Review]] = {}
    for record in records:
        for answer in record.first_attempts():
            if (score := answer.effective_score()) is not None:
                history.setdefault(answer.question_id, []).append(
                    Review(answer.submitted_at, score)
                )
    return history
