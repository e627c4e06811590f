"""Issue 16 in the pure core: skip, end now and resume restore in the session; category prefixes;
the overall score counted as `review` counts it; the [tui] tables of config.toml."""

from __future__ import annotations

from pathlib import Path

from interviewer.core.config_file import (
    UiPreferences,
    load_ui_preferences,
    save_ui_preferences,
)
from interviewer.core.interview.session import (
    Attempt,
    InterviewSession,
    InterviewSettings,
    Order,
    matching,
    resolve_categories,
    select_questions,
    summarise,
)
from interviewer.core.result import Part
from tests.interview.test_session import BANK, result


def test_skipping_a_main_question_passes_its_follow_up_and_shows_in_the_summary() -> None:
    session = InterviewSession([BANK[0], BANK[1]])
    session.start_clock(0.0)
    step = session.skip(12.0)
    assert step is not None and step.key == ("q-2", Part.MAIN)
    assert session.skipped == {("q-1", Part.MAIN), ("q-1", Part.FOLLOW_UP)}
    summary = summarise(session)
    first = summary.questions[0]
    assert (first.main, first.follow_up, first.seconds) == (None, None, 12.0)
    assert first.skipped == {Part.MAIN, Part.FOLLOW_UP}
    assert summary.practise[0] == "Read the model answer to “Question 1” (skipped)."


def test_skipping_a_follow_up_passes_only_it() -> None:
    session = InterviewSession([BANK[0], BANK[1]])
    session.submit("answer", 0.0)
    session.advance()
    step = session.skip()
    assert step is not None and step.key == ("q-2", Part.MAIN)
    assert session.skipped == {("q-1", Part.FOLLOW_UP)}


def test_end_now_finishes_and_keeps_the_time_spent() -> None:
    session = InterviewSession([BANK[0], BANK[1]])
    session.start_clock(100.0)
    session.end(130.0)
    assert session.finished and session.current is None
    assert summarise(session).seconds == 30.0


def test_restore_brings_back_answers_time_and_scores() -> None:
    session = InterviewSession([BANK[1]])
    earlier = [
        Attempt("first", 30.0, answer_id=1, result=result(BANK[1], 40.0)),
        Attempt("retry", 50.0, answer_id=2, result=result(BANK[1], 90.0)),
    ]
    session.restore(("q-2", Part.MAIN), earlier)
    assert session.skip_answered() is None
    summary = summarise(session)
    assert summary.questions[0].main == 90.0  # the latest attempt's score in the table
    assert summary.questions[0].seconds == 50.0
    assert summary.overall == 40.0  # the first attempt, as `interviewer review` counts it


def test_categories_are_named_by_a_case_insensitive_start() -> None:
    known = ["Observability", "Fundamentals", "Distributed Systems", "DevOps"]
    assert resolve_categories(known, ["obs", "Fundamentals", "d", "nope", ""]) == {
        "obs": {"observability"},
        "Fundamentals": {"fundamentals"},
        "d": {"distributed systems", "devops"},
        "nope": set(),
        "": set(),
    }
    settings = InterviewSettings(categories=("OBSERV",), count=10, order=Order.BANK)
    assert [q.id for q in select_questions(BANK, settings)] == ["q-2", "q-3"]
    assert matching(BANK, InterviewSettings(categories=("zzz",))) == []
    assert len(matching(BANK, InterviewSettings())) == len(BANK)


def test_ui_preferences_round_trip_and_keep_the_llm_table(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[llm]\nmodel = "m"\n\n[tui]\ntheme = "old"\n', encoding="utf-8")
    start = InterviewSettings(
        bank_id="b", categories=("Observability",), count=3, order=Order.BANK, time_limit=150.0
    ).as_dict()
    save_ui_preferences(config, UiPreferences("nord", start))
    loaded = load_ui_preferences(config)
    assert loaded.theme == "nord"
    assert InterviewSettings.from_dict(loaded.start).as_dict() == start
    text = config.read_text(encoding="utf-8")
    assert 'model = "m"' in text and "time_limit_minutes = 2.5" in text and "old" not in text


def test_broken_ui_preferences_give_defaults(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    assert load_ui_preferences(config) == UiPreferences()  # no file
    config.write_text("[tui\nbroken", encoding="utf-8")
    assert load_ui_preferences(config) == UiPreferences()
    config.write_text(
        '[tui]\ntheme = 3\n[tui.start]\ncount = -2\ncategories = [1]\norder = "bank"\n',
        encoding="utf-8",
    )
    assert load_ui_preferences(config) == UiPreferences(None, {"order": "bank"})
