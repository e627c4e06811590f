"""The interview state machine and the in-memory transcript store, without a terminal."""

from __future__ import annotations

import pytest

from interviewer.core.bank.schema import Difficulty, Question
from interviewer.core.interview.session import (
    InterviewSession,
    InterviewSettings,
    Order,
    StepKey,
    select_questions,
    summarise,
)
from interviewer.core.result import (
    EvidenceSpan,
    KeyPointResult,
    Part,
    ScoreResult,
    Verdict,
    Versions,
)
from interviewer.core.transcripts.memory_store import InMemoryTranscriptStore


def question(number: int, category: str = "Fundamentals", follow_up: str | None = None) -> Question:
    return Question(
        id=f"q-{number}",
        number=number,
        category=category,
        title=f"Question {number}",
        prompt=f"Explain thing {number}.",
        difficulty=Difficulty.MID if number % 2 else Difficulty.SENIOR,
        answer="**model**",
        key_points=["first point", "second point"],
        follow_up=follow_up,
    )


BANK = [
    question(1, follow_up="And then?"),
    question(2, "Observability"),
    question(3, "Observability", follow_up="Why?"),
    question(4),
]


def result(q: Question, score: float, part: Part = Part.MAIN, coverage: float = 0.2) -> ScoreResult:
    points = [
        KeyPointResult(
            key_point="first point",
            coverage=0.9,
            verdict=Verdict.COVERED,
            evidence=EvidenceSpan(text="x", start=0, end=1),
            similarity=0.8,
        ),
        KeyPointResult(
            key_point=f"weak point of {q.id}",
            coverage=coverage,
            verdict=Verdict.MISSING,
            evidence=None,
            similarity=0.1,
        ),
    ]
    return ScoreResult(question=q.id, part=part, score=score, key_points=points)


# -- choosing questions -----------------------------------------------------------------------------
def test_bank_order_filters_by_category_and_difficulty_case_insensitively() -> None:
    settings = InterviewSettings(
        categories=("observability",), difficulties=("mid",), order=Order.BANK
    )
    assert [q.id for q in select_questions(BANK, settings)] == ["q-3"]


def test_count_caps_the_interview() -> None:
    settings = InterviewSettings(count=2, order=Order.BANK)
    assert [q.id for q in select_questions(BANK, settings)] == ["q-1", "q-2"]


def test_shuffle_is_repeatable_with_a_seed_and_keeps_every_question() -> None:
    settings = InterviewSettings(count=10, seed=7)
    first = [q.id for q in select_questions(BANK, settings)]
    assert first == [q.id for q in select_questions(BANK, settings)]
    assert sorted(first) == ["q-1", "q-2", "q-3", "q-4"]


def test_due_order_ranks_first_and_keeps_the_rest() -> None:
    settings = InterviewSettings(count=3, order=Order.DUE)
    chosen = select_questions(BANK, settings, lambda ids: ["q-4", "unknown", "q-2"])
    assert [q.id for q in chosen] == ["q-4", "q-2", "q-1"]


def test_due_without_an_ordering_still_gives_questions() -> None:
    chosen = select_questions(BANK, InterviewSettings(count=4, order=Order.DUE, seed=1))
    assert sorted(q.id for q in chosen) == ["q-1", "q-2", "q-3", "q-4"]


def test_settings_survive_the_store_round_trip() -> None:
    settings = InterviewSettings(
        bank_id="b",
        categories=("A",),
        difficulties=("Mid",),
        count=3,
        order=Order.BANK,
        time_limit=90.0,
    )
    assert InterviewSettings.from_dict(settings.as_dict()) == settings
    assert (
        InterviewSettings.from_dict({"order": "nonsense", "time_limit": "x"}) == InterviewSettings()
    )


# -- moving through the steps -----------------------------------------------------------------------
def test_follow_ups_come_right_after_their_question() -> None:
    session = InterviewSession(BANK[:3])
    seen = []
    while (step := session.current) is not None:
        seen.append((step.question.id, step.part, step.progress))
        session.advance()
    assert seen == [
        ("q-1", Part.MAIN, "1/3"),
        ("q-1", Part.FOLLOW_UP, "1/3 · follow-up"),
        ("q-2", Part.MAIN, "2/3"),
        ("q-3", Part.MAIN, "3/3"),
        ("q-3", Part.FOLLOW_UP, "3/3 · follow-up"),
    ]
    assert session.finished
    assert session.advance() is None


def test_follow_up_step_asks_the_follow_up() -> None:
    session = InterviewSession([BANK[0]])
    session.advance()
    assert session.current is not None and session.current.prompt == "And then?"


def test_time_accumulates_across_retries_and_the_limit_only_reports() -> None:
    session = InterviewSession([BANK[1]], InterviewSettings(time_limit=60))
    step = session.current
    assert step is not None
    session.start_clock(100.0)
    assert session.remaining(130.0) == pytest.approx(30.0)
    first = session.submit("an answer", 150.0)
    assert first.seconds == 50.0
    session.start_clock(200.0)  # retry
    assert session.remaining(215.0) == pytest.approx(-5.0)
    second = session.submit("a better answer", 220.0)
    assert second.seconds == 70.0
    assert [a.text for a in session.attempts[step.key]] == ["an answer", "a better answer"]


def test_unsaved_means_typed_but_not_submitted_as_it_stands() -> None:
    session = InterviewSession([BANK[1]])
    step = session.current
    assert step is not None
    assert not session.unsaved()
    session.set_draft(step, "  ")
    assert not session.unsaved()
    session.set_draft(step, "draft")
    assert session.unsaved()
    session.submit("draft", 1.0)
    assert not session.unsaved()
    session.set_draft(step, "draft, edited for a retry")
    assert session.unsaved()


def test_skip_answered_resumes_at_the_first_open_step() -> None:
    session = InterviewSession(BANK[:2])
    session.submit("one", 1.0)
    session.advance()
    session.position = 0
    assert session.skip_answered() is not None
    assert session.current is not None and session.current.key == ("q-1", Part.FOLLOW_UP)


def test_submitting_after_the_end_is_an_error() -> None:
    session = InterviewSession([BANK[1]])
    session.advance()
    with pytest.raises(RuntimeError):
        session.submit("late", 1.0)


# -- the summary --------------------------------------------------------------------------------------
def test_summary_scores_categories_weakest_points_and_advice() -> None:
    session = InterviewSession([BANK[0], BANK[1]])
    scores: dict[StepKey, float] = {
        ("q-1", Part.MAIN): 80.0,
        ("q-1", Part.FOLLOW_UP): 40.0,
        ("q-2", Part.MAIN): 30.0,
    }
    while (step := session.current) is not None:
        session.start_clock(0.0)
        attempt = session.submit("answer", 30.0)
        attempt.result = result(step.question, scores[step.key], step.part, scores[step.key] / 200)
        session.advance()
    summary = summarise(session)
    assert [(r.question.id, r.main, r.follow_up, r.seconds) for r in summary.questions] == [
        ("q-1", 80.0, 40.0, 60.0),
        ("q-2", 30.0, None, 30.0),
    ]
    assert summary.categories == {"Fundamentals": 60.0, "Observability": 30.0}
    assert summary.overall == 55.0  # first answers to the main questions, as review counts
    assert summary.seconds == 90.0
    assert summary.weakest[0].question.id == "q-2"
    assert [p.coverage for p in summary.weakest] == sorted(p.coverage for p in summary.weakest)
    assert summary.practise[0].startswith("Practise Observability")
    assert any("Retry “Question 2”" in line for line in summary.practise)


def test_summary_of_an_unscored_interview_says_so() -> None:
    summary = summarise(InterviewSession([BANK[1]]))
    assert summary.overall is None
    assert summary.practise == [
        "Nothing was scored yet: answer a question to see what to practise."
    ]


# -- the in-memory store ------------------------------------------------------------------------------
def test_memory_store_keeps_drafts_answers_and_resumes_the_latest_open_session() -> None:
    store = InMemoryTranscriptStore()
    done = store.start_session("bank", ["q-1"], {})
    store.finish_session(done)
    session = store.start_session("bank", ["q-1", "q-2"], {"count": 2})
    answer = store.submit_answer(session, "q-1", Part.MAIN, "final", 12.0)
    store.save_score(answer, result(BANK[0], 70.0), Versions(bank="bank"))
    store.save_draft(session, "q-1", Part.FOLLOW_UP, "half typed")
    store.save_feedback(answer, "good", complete=True, model="m")
    resumable = store.unfinished_session()
    assert resumable is not None
    assert resumable.session_id == session
    assert resumable.answered == {("q-1", Part.MAIN): "final"}
    assert resumable.drafts[("q-1", Part.FOLLOW_UP)] == "half typed"
    assert resumable.settings == {"count": 2}
    assert store.answers[answer].feedback == "good"
    store.finish_session(session)
    assert store.unfinished_session() is None
