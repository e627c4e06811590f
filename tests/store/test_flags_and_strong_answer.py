"""Issue 16, bug 7 and the strong-answer statements: what the score view showed live (the grader's
flags, and per missed or partial point what a strong answer says or the statement the answer
contradicted) is stored with the score in a real SQLite file and shown again by `review`, the
Markdown and the HTML exports. Unknown flag names read back are dropped, never a crash."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from interviewer.adapters.store.sqlite import SqliteTranscriptStore, open_store
from interviewer.cli import main
from interviewer.core.bank.schema import Question
from interviewer.core.result import Flag, Judgement, ScoreResult, Verdict
from interviewer.core.transcripts.render import from_json, to_html, to_json, to_markdown
from interviewer.paths import Paths
from tests.store.helpers import CIRCUIT, CIRCUIT_ANSWER, VERSIONS, circuit_result

STRONG = "A breaker falls back to a cached or default response while it is open."
WRONG = "Half-open lets a few trial requests through, it does not close at once."
HOSTILE = "[red]fallback[/red] <b>now</b> \x1b[2J"


def flagged_result() -> ScoreResult:
    """The circuit answer's score as the grader gives it, with flags and the rubric statements."""
    result = circuit_result()
    points = list(result.key_points)
    points[1] = points[1].model_copy(
        update={
            "verdict": Verdict.INCORRECT,  # as the grader gives a contradicted point
            "coverage": 0.1,
            "judgement": Judgement.CONTRADICTS,
            "contradicted": WRONG,
            "expected": ("Failing fast spares threads.",),
        }
    )
    points[2] = points[2].model_copy(update={"expected": (STRONG, HOSTILE)})
    return result.model_copy(
        update={"key_points": points, "flags": [Flag.OFF_TOPIC, Flag.ADDRESSED_TO_GRADER]}
    )


@pytest.fixture
def user_store(
    lookup: Callable[[str], Question | None], monkeypatch: pytest.MonkeyPatch
) -> SqliteTranscriptStore:
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps at 80 otherwise
    Paths.from_env().home.mkdir(parents=True, exist_ok=True)
    store = open_store(Paths.from_env(), lookup)
    session = store.start_session("architecture-system-design", [CIRCUIT], {"count": 1})
    answer = store.submit_answer(session, CIRCUIT, "main", CIRCUIT_ANSWER, 30.0)
    store.save_score(answer, flagged_result(), VERSIONS)
    store.finish_session(session)
    return store


def test_flags_and_statements_survive_the_database(user_store: SqliteTranscriptStore) -> None:
    stored = user_store.load_session(1).answers[0].score
    assert stored is not None
    assert stored.result.flags == [Flag.OFF_TOPIC, Flag.ADDRESSED_TO_GRADER]
    assert stored.result.key_points[2].expected == (STRONG, HOSTILE)
    assert stored.result.key_points[1].contradicted == WRONG
    # ... and an export imported elsewhere keeps them too
    record = from_json(to_json(user_store.load_session(1)))
    assert record.answers[0].scores[0].result == stored.result


def test_unknown_flag_names_read_back_are_dropped(
    user_store: SqliteTranscriptStore, tmp_path: Path
) -> None:
    """A newer interviewer's flag (or an edited row) must not make the transcripts unreadable."""
    user_store.close()
    path = Paths.from_env().database
    with sqlite3.connect(path) as db:
        (raw,) = db.execute("SELECT result FROM scores").fetchone()
        data = json.loads(raw)
        data["flags"] = ["off_topic", "graded_by_martians", 7, {"x": 1}]
        db.execute("UPDATE scores SET result = ?", (json.dumps(data),))
    reopened = open_store(Paths.from_env())
    try:
        stored = reopened.load_session(1).answers[0].score
        assert stored is not None and stored.result.flags == [Flag.OFF_TOPIC]
        assert main(["review", "1"]) == 0
    finally:
        reopened.close()


def test_a_score_stored_before_the_statements_reads_with_none(
    user_store: SqliteTranscriptStore,
) -> None:
    """Rows saved before `expected` was stored (and without flags) read as no statements."""
    user_store.close()
    with sqlite3.connect(Paths.from_env().database) as db:
        (raw,) = db.execute("SELECT result FROM scores").fetchone()
        data = json.loads(raw)
        del data["flags"]
        for point in data["key_points"]:
            del point["expected"]
        db.execute("UPDATE scores SET result = ?", (json.dumps(data),))
    reopened = open_store(Paths.from_env())
    try:
        result = reopened.load_session(1).answers[0].score
        assert result is not None and result.result.flags == []
        assert all(kp.expected == () for kp in result.result.key_points)
        assert "a strong answer says" not in to_markdown(reopened.load_session(1))
    finally:
        reopened.close()


def test_review_shows_the_flags_and_what_a_strong_answer_says(
    user_store: SqliteTranscriptStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", "1"]) == 0
    shown = capsys.readouterr().out
    assert "⚠ The answer does not seem to address this question." in shown
    assert "⚠ Text addressed to the grader was ignored and earns nothing." in shown
    assert f"a strong answer says: “{STRONG}”" in shown
    assert f"stated incorrectly; the rubric says: “{WRONG}”" in shown
    assert "✗ incorrect Knows why it fails fast (0.10)" in shown  # the verdict itself
    assert "\x1b[2J" not in shown and "[red]fallback[/red]" in shown  # text, not markup
    # a point corrected to covered no longer lists what it missed
    answer = user_store.load_session(1).answers[0].id
    assert main(["review", "--correct", str(answer), "3", "covered"]) == 0
    capsys.readouterr()
    assert main(["review", "1"]) == 0
    assert STRONG not in capsys.readouterr().out


def test_the_markdown_export_shows_flags_and_statements_escaped(
    user_store: SqliteTranscriptStore,
) -> None:
    text = to_markdown(user_store.load_session(1))
    assert "- ⚠ The answer does not seem to address this question." in text
    assert f"  - a strong answer says: “{STRONG}”" in text
    assert "stated incorrectly; the rubric says: “Half-open lets" in text
    assert "- ✗ incorrect: Knows why it fails fast (0.10)" in text
    assert "1 of 3 covered, 1 stated incorrectly" in text
    assert "\\[red\\]fallback\\[/red\\] \\<b\\>now\\</b\\>" in text  # escaped, not HTML
    assert "\x1b" not in text


def test_the_html_export_shows_flags_and_statements_escaped(
    user_store: SqliteTranscriptStore,
) -> None:
    page = to_html(user_store.load_session(1))
    assert '<p class="flag">⚠ Text addressed to the grader was ignored' in page
    assert f'<span class="says">a strong answer says: “{STRONG}”</span>' in page
    assert "stated incorrectly; the rubric says: “Half-open lets" in page
    assert '<span class="incorrect">✗ incorrect' in page
    assert "&lt;b&gt;now&lt;/b&gt;" in page and "<b>now" not in page
    assert "\x1b" not in page


def test_covered_points_list_no_statements(user_store: SqliteTranscriptStore) -> None:
    record = user_store.load_session(1)
    answer = record.answers[0]
    assert answer.score is not None
    assert answer.verdicts()[0] is Verdict.COVERED
    first = answer.score.result.key_points[0].model_copy(update={"expected": ("never shown",)})
    points = [first, *answer.score.result.key_points[1:]]
    result = answer.score.result.model_copy(update={"key_points": points})
    score = answer.score.model_copy(update={"result": result})
    changed = record.model_copy(update={"answers": [answer.model_copy(update={"scores": [score]})]})
    assert "never shown" not in to_markdown(changed) and "never shown" not in to_html(changed)


async def test_the_review_screen_shows_flags_and_what_a_strong_answer_says(
    user_store: SqliteTranscriptStore, lookup: Callable[[str], Question | None]
) -> None:
    from textual.app import App
    from textual.widgets import Static

    from interviewer.tui.screens.review import KeyPointTable, ReviewScreen

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ReviewScreen(user_store, lookup))

    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(2):
            await app.workers.wait_for_complete()
            await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.record is not None
        answer = screen.record.answers[0]
        flags = str(screen.query_one(f"#flags-{answer.id}", Static).render())
        assert "does not seem to address this question" in flags
        assert "addressed to the grader" in flags
        strong = screen.query_one(f"#strong-{answer.id}", Static)
        shown = str(strong.render())
        assert f"a strong answer says: “{STRONG}”" in shown
        assert f"stated incorrectly; the rubric says: “{WRONG}”" in shown
        assert "[red]fallback[/red]" in shown  # shown as typed, not as markup
        table = screen.query_one(KeyPointTable)
        table.focus()
        await pilot.press("down", "down", "c")  # key point 3 covered: nothing missed to show
        await pilot.pause()
        assert STRONG not in str(strong.render())
        await pilot.press("up", "c")
        await pilot.pause()
        assert not strong.display  # every point covered now
