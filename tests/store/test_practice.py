"""Spaced repetition with FSRS: ratings from scores, due dates, "due and weakest first"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Rating, State

from interviewer.adapters.store.sqlite import SqliteTranscriptStore
from interviewer.core.interview.practice import PracticePlan, Review, card_for, rating_for
from tests.store.helpers import CACHE, CIRCUIT, VERSIONS, circuit_result

DAY0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("score", "rating"),
    [
        (0, Rating.Again),
        (49.9, Rating.Again),
        (50, Rating.Hard),
        (70, Rating.Good),
        (90, Rating.Easy),
    ],
)
def test_scores_map_to_ratings(score: float, rating: Rating) -> None:
    assert rating_for(score) is rating


def test_a_low_score_makes_a_question_due_sooner_than_a_high_score() -> None:
    low = card_for([Review(DAY0, 20)])
    high = card_for([Review(DAY0, 92)])
    assert low.due < high.due
    assert (high.due - DAY0) >= timedelta(days=5)


def test_hard_is_still_a_pass() -> None:
    """A Hard answer after a good streak grows the interval; an Again answer resets it."""
    streak = [Review(DAY0, 80), Review(DAY0 + timedelta(days=3), 80)]
    hard = card_for([*streak, Review(DAY0 + timedelta(days=10), 55)])
    again = card_for([*streak, Review(DAY0 + timedelta(days=10), 20)])
    assert hard.state is State.Review
    assert hard.due - (DAY0 + timedelta(days=10)) > timedelta(days=1)
    assert again.due < hard.due


def test_order_puts_due_weakest_first_then_new_then_the_rest() -> None:
    history = {
        "strong": [Review(DAY0, 95)],
        "weak": [Review(DAY0, 10)],
        "middling": [Review(DAY0, 40)],
    }
    plan = PracticePlan(history, now=DAY0 + timedelta(days=2))
    assert plan.order(["strong", "new", "middling", "weak"]) == [
        "weak",
        "middling",
        "new",
        "strong",
    ]
    assert [s.question_id for s in plan.due()] == ["weak", "middling"]


def test_the_store_replays_first_attempts_into_the_plan(db_path: Path, tmp_path: Path) -> None:
    """One review per session: a retry after reading the model answer does not count."""
    clock = iter([DAY0 + timedelta(seconds=i) for i in range(100)])
    db_path.parent.mkdir(parents=True)
    store = SqliteTranscriptStore(
        db_path, fallback_dir=tmp_path / "fallback", clock=lambda: next(clock)
    )
    session = store.start_session("b", [CIRCUIT, CACHE], {})
    weak = store.submit_answer(session, CIRCUIT, "main", "no idea", 5.0)
    store.save_score(weak, circuit_result().model_copy(update={"score": 5.0}), VERSIONS)
    retry = store.submit_answer(session, CIRCUIT, "main", "better", 5.0)
    store.save_score(retry, circuit_result().model_copy(update={"score": 99.0}), VERSIONS)
    strong = store.submit_answer(session, CACHE, "main", "all of it", 5.0)
    store.save_score(
        strong, circuit_result().model_copy(update={"score": 95.0, "question": CACHE}), VERSIONS
    )
    history = store.history()
    assert [r.score for r in history[CIRCUIT]] == [5.0]
    plan = store.practice_plan(now=DAY0 + timedelta(days=1, hours=1))
    assert plan.order([CACHE, CIRCUIT, "never-seen"]) == [CIRCUIT, "never-seen", CACHE]


def test_due_order_is_what_the_start_screen_calls(store: SqliteTranscriptStore) -> None:
    from interviewer.core.interview.session import DueOrder

    order: DueOrder = store.due_order
    assert list(order(["a", "b"])) == ["a", "b"]  # nothing practised yet: as given


def test_due_order_keeps_the_given_order_when_the_database_is_broken(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"not a database" * 100)
    store = SqliteTranscriptStore(broken, fallback_dir=tmp_path / "fallback")
    assert store.due_order(["b", "a"]) == ["b", "a"]
