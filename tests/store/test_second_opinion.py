"""The other judge's verdicts stored with a score in a real SQLite file, and shown again by `review`,
the Review screen, the Markdown and HTML exports: the LLM's beside the local grader's
(`[llm] second_opinion`), or the local grader's beside the LLM's when the LLM judged. The judged
result is saved as a new score of the same answer (as `review --rescore --save` does): it is the
current one, and the local one stays in the history. Quotes from the LLM are data, escaped."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App
from textual.screen import Screen

from interviewer.adapters.store.sqlite import SqliteTranscriptStore, open_store
from interviewer.cli import main
from interviewer.core.bank.schema import Question
from interviewer.core.feedback.judge import judged_by_llm, with_second_opinion
from interviewer.core.ports import KeyPointOpinion
from interviewer.core.result import Flag, ScoreResult, Verdict
from interviewer.core.transcripts.export_text import second_opinion_label
from interviewer.core.transcripts.render import from_json, to_html, to_json, to_markdown
from interviewer.paths import Paths
from interviewer.tui.screens.review import KeyPointTable, ReviewScreen
from tests.store.helpers import CIRCUIT, CIRCUIT_ANSWER, VERSIONS, circuit_result

QUOTE = "counts failures"
HOSTILE = "[red]opens[/red] <script>x</script> **now**"  # markup in three languages, not quoted


def opinions(result: ScoreResult) -> list[KeyPointOpinion]:
    """The LLM says: point 1 missing, point 2 covered (quoted), point 3 covered without a quote
    from the answer (so it counts as partial)."""
    labels = [kp.key_point for kp in result.key_points]
    return [
        KeyPointOpinion(labels[0], Verdict.MISSING, "", False),
        KeyPointOpinion(labels[1], Verdict.COVERED, QUOTE, True),
        KeyPointOpinion(labels[2], Verdict.COVERED, HOSTILE, False),
    ]


def stored_store(
    result: ScoreResult, monkeypatch: pytest.MonkeyPatch, lookup: Callable[[str], Question | None]
) -> SqliteTranscriptStore:
    """The user's store holding the circuit answer, scored locally, then `result` saved over it."""
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps at 80 otherwise
    Paths.from_env().home.mkdir(parents=True, exist_ok=True)
    store = open_store(Paths.from_env(), lookup)
    session = store.start_session("architecture-system-design", [CIRCUIT], {"count": 1})
    answer = store.submit_answer(session, CIRCUIT, "main", CIRCUIT_ANSWER, 30.0)
    store.save_score(answer, circuit_result(), VERSIONS)
    store.save_score(answer, result, VERSIONS)
    store.finish_session(session)
    return store


def test_the_label_names_the_judge_and_clips_the_quote() -> None:
    local = circuit_result()
    beside = with_second_opinion(local, opinions(local)).key_points
    assert [second_opinion_label(kp.second) for kp in beside if kp.second] == [
        "LLM: missing",
        f"LLM: covered “{QUOTE}”",
        "LLM: partial",  # covered, quoting text not in the answer: counts (and shows) as partial
    ]
    judged = judged_by_llm(local, opinions(local)).key_points
    assert [second_opinion_label(kp.second) for kp in judged if kp.second] == [
        f"local: {kp.verdict.value}" for kp in local.key_points
    ]
    long = beside[1].second
    assert long is not None
    clipped = long.model_copy(update={"quote": "x" * 100, "judge": "\x1b[2Jmartian"})
    assert second_opinion_label(clipped, 20) == f"other judge: covered “{'x' * 19}…”"


def test_the_judged_score_is_current_and_the_local_one_kept(
    monkeypatch: pytest.MonkeyPatch,
    lookup: Callable[[str], Question | None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    local = circuit_result()
    store = stored_store(judged_by_llm(local, opinions(local)), monkeypatch, lookup)
    try:
        record = store.load_session(1)
    finally:
        store.close()
    (answer,) = record.answers
    assert [s.result.score for s in answer.scores] == [local.score, pytest.approx(50.0)]
    assert answer.score is not None
    current = answer.score.result
    assert Flag.LLM_JUDGED in current.flags
    assert [kp.verdict for kp in current.key_points] == [
        Verdict.MISSING,
        Verdict.COVERED,
        Verdict.PARTIAL,
    ]
    assert [kp.second.verdict for kp in current.key_points if kp.second] == [
        kp.verdict for kp in local.key_points
    ]
    assert from_json(to_json(record)).answers[0].scores[-1].result == current

    assert main(["review", "1"]) == 0
    shown = capsys.readouterr().out
    assert "score 50" in shown and "The LLM judged this answer: its verdicts set the score" in shown
    for kp in local.key_points:
        assert f"local: {kp.verdict.value}" in shown
    markdown, page = to_markdown(record), to_html(record)
    assert f"  - local: {local.key_points[0].verdict.value}" in markdown
    assert f'<span class="second {local.key_points[0].verdict.value}">local: ' in page


def test_the_llm_verdicts_beside_are_escaped_everywhere(
    monkeypatch: pytest.MonkeyPatch,
    lookup: Callable[[str], Question | None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An LLM quote that is in the answer is shown; one full of markup is text in every medium."""
    local = circuit_result()
    said = opinions(local)
    said[2] = KeyPointOpinion(said[2].key_point, Verdict.PARTIAL, HOSTILE, True)
    store = stored_store(with_second_opinion(local, said), monkeypatch, lookup)
    try:
        record = store.load_session(1)
    finally:
        store.close()
    assert main(["review", "1"]) == 0
    shown = capsys.readouterr().out
    assert f"LLM: covered “{QUOTE}”" in shown and f"LLM: partial “{HOSTILE}”" in shown
    markdown, page = to_markdown(record), to_html(record)
    assert f"LLM: covered “{QUOTE}”" in markdown
    assert "\\[red\\]opens\\[/red\\]" in markdown and "\\*\\*now\\*\\*" in markdown
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert f"LLM: covered “{QUOTE}”" in page


class Host(App[None]):
    def __init__(self, screen_factory: Callable[[], Screen[None]]) -> None:
        super().__init__()
        self.screen_factory = screen_factory

    def on_mount(self) -> None:
        self.push_screen(self.screen_factory())


async def test_the_review_screen_shows_the_other_judge(
    monkeypatch: pytest.MonkeyPatch, lookup: Callable[[str], Question | None]
) -> None:
    local = circuit_result()
    said = opinions(local)
    said[2] = KeyPointOpinion(said[2].key_point, Verdict.PARTIAL, HOSTILE, True)
    store = stored_store(with_second_opinion(local, said), monkeypatch, lookup)
    app = Host(lambda: ReviewScreen(store, lookup))
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ReviewScreen)
            (table,) = screen.query(KeyPointTable)
            header = [str(column.label) for column in table.columns.values()]
            cells = [str(table.get_row_at(i)[4]) for i in range(table.row_count)]
    finally:
        store.close()
    assert header[-1] == "other judge"
    assert cells == ["LLM: missing", f"LLM: covered “{QUOTE}”", f"LLM: partial “{HOSTILE}”"]
