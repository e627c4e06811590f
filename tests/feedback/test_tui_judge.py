"""The LLM's per-key-point verdicts in the score view, from the real test server through the real
`openai` client: beside the local ones (`[llm] second_opinion`), or setting the score shown and
stored (`judge = "llm"`). The local score is shown first and stays when the LLM fails or is stopped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from interviewer.adapters.llm import LLMFeedback
from interviewer.adapters.store.sqlite import SqliteTranscriptStore
from interviewer.core.feedback.config import LLMConfig
from interviewer.core.grading.embedding import HashingEmbedder
from interviewer.core.grading.grader import Grader
from interviewer.core.interview.session import InterviewSettings, Order
from interviewer.core.ports import TranscriptStore
from interviewer.core.result import Flag, Part, ScoreResult, Verdict
from interviewer.core.terms import weighted_score
from interviewer.core.transcripts.memory_store import InMemoryTranscriptStore
from interviewer.core.transcripts.render import to_html, to_markdown
from interviewer.paths import Paths
from interviewer.tui.app import InterviewApp, make_app
from interviewer.tui.config import JUDGE_OFF, AppDeps, AppSettings
from interviewer.tui.screens.question import QuestionScreen
from interviewer.tui.screens.score import ScoreScreen
from interviewer.tui.widgets.answer_editor import AnswerEditor
from interviewer.wiring import GradingContext, load_context
from tests.feedback.chat_server import ChatServer, Fault, Script

FIRST = "circuit-breaker-pattern"
ANSWER = "Closed, open and half-open states; it trips after repeated failures."
QUOTE = "half-open states"
HOSTILE_QUOTE = "[b]open[/b]"  # not in the answer: shown as text, never markup


class RecordingGrader:
    """The grader, keeping each local result it gave (the score view replaces it quickly)."""

    def __init__(self, grader: Grader) -> None:
        self.grader = grader
        self.results: list[ScoreResult] = []

    def score(self, question: str, answer: str, part: Part = Part.MAIN) -> ScoreResult:
        result = self.grader.score(question, answer, part)
        self.results.append(result)
        return result


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> GradingContext:
    return load_context(Paths(tmp_path_factory.mktemp("home")))


def _app(
    context: GradingContext,
    store: TranscriptStore,
    writer: LLMFeedback | None,
    *,
    judge: str,
) -> tuple[InterviewApp, RecordingGrader]:
    grader = RecordingGrader(
        Grader(HashingEmbedder(), context.rubrics.rubrics, context.prompts(), context.params)
    )
    deps = AppDeps(
        catalog=lambda: context.banks.banks,
        grader_factory=lambda: grader,
        store=store,
        feedback=writer,
        opinions=writer,
        judge=judge,
        due_order=lambda ids: [i for i in (FIRST,) if i in ids],
        clock=lambda: 1000.0,
    )
    settings = InterviewSettings(count=1, order=Order.DUE)
    return make_app(AppSettings(interview=settings, start_directly=True), deps), grader


def _writer(server: ChatServer) -> LLMFeedback:
    return LLMFeedback(LLMConfig(base_url=server.base_url, model="tiny-test", timeout=30))


def _key_points_asked(body: dict[str, Any]) -> int:
    """How many numbered key points the second-opinion prompt lists."""
    user = body["messages"][1]["content"]
    listing = user.split("Key points:")[1].split("Candidate's answer:")[0]
    return len(re.findall(r"^\d+\. ", listing, flags=re.MULTILINE))


def _verdicts(body: dict[str, Any]) -> list[dict[str, object]]:
    """Point 1 covered (quoted from the answer), point 2 covered with a quote the answer never
    says (so it counts as partial), the rest missing."""
    count = _key_points_asked(body)
    entries: list[dict[str, object]] = [{"n": 1, "verdict": "covered", "quote": QUOTE}]
    entries.append({"n": 2, "verdict": "covered", "quote": HOSTILE_QUOTE})
    entries += [{"n": n, "verdict": "missing", "quote": ""} for n in range(3, count + 1)]
    return entries


def _replier(opinion: Callable[[dict[str, Any]], str]) -> Callable[[dict[str, Any]], str]:
    """Feedback (streamed) gets the usual reply; the second opinion (not streamed) `opinion`."""

    def reply(body: dict[str, Any]) -> str:
        return Script().reply if body.get("stream") else opinion(body)

    return reply


def _good_opinion(body: dict[str, Any]) -> str:
    return json.dumps({"key_points": _verdicts(body)})


async def _until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    """Waits for the app to reach a state (a guard against hanging, not a timing)."""
    for _ in range(400):
        if condition():
            return
        await pilot.pause(0.025)
    raise AssertionError(f"never happened: {what}")


async def _submit(
    pilot: Pilot[None], text: str, grader: RecordingGrader
) -> tuple[ScoreScreen, ScoreResult]:
    """Sends the answer; the score view and the local score it showed first."""

    def editor_ready() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, QuestionScreen) and bool(screen.query(AnswerEditor))

    await _until(pilot, editor_ready, "a question with its editor")
    pilot.app.screen.query_one(AnswerEditor).insert(text)
    await pilot.press("ctrl+s")
    await _until(pilot, lambda: isinstance(pilot.app.screen, ScoreScreen), "the score view")
    screen = pilot.app.screen
    assert isinstance(screen, ScoreScreen)
    await _until(pilot, lambda: screen.result_shown, "the local score")
    (local,) = grader.results
    assert all(kp.second is None for kp in local.key_points)
    return screen, local


def _text(screen: ScoreScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


def _stored(store: InMemoryTranscriptStore) -> ScoreResult:
    result = store.answers[1].result
    assert result is not None
    return result


async def test_the_llm_verdicts_show_beside_the_local_ones(
    chat_server: ChatServer, context: GradingContext
) -> None:
    """second_opinion: each row gains "LLM: ..." and the score stays the local grader's; the
    stored result carries the LLM's verdicts for review and the exports."""
    chat_server.script.replier = _replier(_good_opinion)
    store = InMemoryTranscriptStore()
    app, grader = _app(context, store, _writer(chat_server), judge="local")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, local = await _submit(pilot, ANSWER, grader)
        await _until(pilot, lambda: "LLM: " in _text(screen, "#score-points"), "the LLM verdicts")
        await _until(pilot, lambda: "save_feedback" in store.calls, "the feedback")
        rows = _text(screen, "#score-points").splitlines()
        overall = _text(screen, "#score-overall")
        opinion_shown = screen.query_one("#score-opinion").display
    assert len(rows) == len(local.key_points) and all("· LLM: " in row for row in rows)
    assert rows[0].endswith(f"LLM: covered “{QUOTE}”")
    assert rows[1].endswith("LLM: partial")  # covered, quoting text not in the answer
    assert all(row.endswith("LLM: missing") for row in rows[2:])
    assert f"Score {local.score:.0f}/100" in overall and not opinion_shown
    stored = _stored(store)
    assert stored.score == local.score and Flag.LLM_JUDGED not in stored.flags
    assert [kp.verdict for kp in stored.key_points] == [kp.verdict for kp in local.key_points]
    seconds = [kp.second for kp in stored.key_points]
    assert all(s is not None and s.judge == "llm" for s in seconds)
    assert seconds[0] is not None and seconds[0].quote == QUOTE
    assert store.calls.count("save_score") == 2  # the local score first, then with the opinions
    assert sorted(r.body["stream"] for r in chat_server.chat_requests()) == [False, True]


async def test_the_llm_as_judge_sets_the_score_shown_and_stored(
    chat_server: ChatServer, context: GradingContext, tmp_path: Path
) -> None:
    """judge = "llm": the local score first, then the LLM's verdicts set it (a covered verdict
    without a quote in the answer counts partial); each row shows "local: ..."; the SQLite store's
    current score is the judged one (the local one kept in its history), as review and the
    exports read it; the feedback is asked after the verdicts and speaks of the judged score."""
    chat_server.script.replier = _replier(_good_opinion)
    store = SqliteTranscriptStore(tmp_path / "t.sqlite3", fallback_dir=tmp_path / "fallback")
    app, grader = _app(context, store, _writer(chat_server), judge="llm")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, local = await _submit(pilot, ANSWER, grader)
        await _until(pilot, lambda: "local: " in _text(screen, "#score-points"), "the judgement")
        await _until(pilot, lambda: len(chat_server.chat_requests()) == 2, "the feedback")
        await _until(pilot, lambda: not screen.feedback_running, "the feedback finished")
        rows = _text(screen, "#score-points").splitlines()
        overall = _text(screen, "#score-overall")
        flags = _text(screen, "#score-flags")
    weights = [kp.weight for kp in local.key_points]
    coverage = [1.0, 0.5] + [0.0] * (len(weights) - 2)
    judged = round(weighted_score(weights, coverage), 1)
    assert f"Score {judged:.0f}/100" in overall
    assert "The LLM judged this answer: its verdicts set the score" in flags
    for row, kp in zip(rows, local.key_points, strict=True):
        assert row.endswith(f"local: {kp.verdict.value}")
    assert "✔ covered" in rows[0] and "◐ partial" in rows[1]
    record = store.load_session(1)
    (answer,) = record.answers
    assert answer.score is not None and len(answer.scores) == 2
    assert answer.scores[0].result.score == local.score
    current = answer.score.result
    assert current.score == judged and Flag.LLM_JUDGED in current.flags
    assert [kp.verdict for kp in current.key_points][:2] == [Verdict.COVERED, Verdict.PARTIAL]
    assert [kp.second.verdict for kp in current.key_points if kp.second] == [
        kp.verdict for kp in local.key_points
    ]
    assert [kp.evidence for kp in current.key_points] == [kp.evidence for kp in local.key_points]
    markdown, page = to_markdown(record), to_html(record)
    assert f"local: {local.key_points[0].verdict.value}" in markdown
    assert f"local: {local.key_points[0].verdict.value}" in page
    opinion, feedback = chat_server.chat_requests()
    assert opinion.body["stream"] is False and feedback.body["stream"] is True
    assert (
        f"The score was set by the rubric: {judged:.0f}/100"
        in feedback.body["messages"][0]["content"]
    )
    store.close()


async def test_a_failed_opinion_is_one_line_and_the_local_score_stands(
    chat_server: ChatServer, context: GradingContext
) -> None:
    """A reply that is no JSON (and carries a terminal escape): one line on the screen, the local
    score and verdicts stay, nothing more is stored, and the feedback still comes."""
    chat_server.script.replier = _replier(lambda body: "Looks fine to me.\x1b[2J")
    store = InMemoryTranscriptStore()
    app, grader = _app(context, store, _writer(chat_server), judge="llm")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, local = await _submit(pilot, ANSWER, grader)
        await _until(pilot, lambda: "not valid JSON" in _text(screen, "#score-opinion"), "fault")
        await _until(pilot, lambda: "save_feedback" in store.calls, "the feedback")
        note = _text(screen, "#score-opinion")
        rows = _text(screen, "#score-points")
        overall = _text(screen, "#score-overall")
    assert note.startswith("LLM verdicts: ") and note.endswith("; the local score stands")
    assert "\n" not in note and "\x1b" not in note
    assert "local: " not in rows and "LLM: " not in rows
    assert f"Score {local.score:.0f}/100" in overall
    assert _stored(store) == local and store.calls.count("save_score") == 1
    assert store.answers[1].feedback == Script().reply


async def test_esc_stops_the_judge_and_the_local_score_stands(
    chat_server: ChatServer, context: GradingContext
) -> None:
    chat_server.script.fault, chat_server.script.fault_times = Fault.HANG, 1
    store = InMemoryTranscriptStore()
    app, grader = _app(context, store, _writer(chat_server), judge="llm")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, local = await _submit(pilot, ANSWER, grader)
        await _until(pilot, lambda: screen.opinion_running, "the LLM asked")
        assert "the local score stands until then" in _text(screen, "#score-opinion")
        await pilot.press("escape")
        await _until(pilot, lambda: not screen.opinion_running, "stopped")
        await pilot.pause()
        note = _text(screen, "#score-opinion")
        overall = _text(screen, "#score-overall")
    assert note == "LLM verdicts: stopped by the user; the local score stands"
    assert f"Score {local.score:.0f}/100" in overall
    assert _stored(store) == local and "save_feedback" not in store.calls


async def test_judge_llm_without_an_endpoint_says_the_local_grader_scored(
    context: GradingContext,
) -> None:
    store = InMemoryTranscriptStore()
    app, grader = _app(context, store, None, judge="llm")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, local = await _submit(pilot, ANSWER, grader)
        await pilot.pause()
        note = _text(screen, "#score-opinion")
        shown = screen.query_one("#score-opinion").display
    assert shown and note == JUDGE_OFF and "scored by the local grader" in note
    assert _stored(store) == local


@pytest.mark.parametrize(
    ("table", "endpoint", "asks", "judge"),
    [
        ("", True, False, "local"),  # the default: local, nothing asked
        ("second_opinion = true\n", True, True, "local"),
        ('judge = "llm"\n', True, True, "llm"),
        ('judge = "llm"\n', False, False, "llm"),  # the score view says the local grader scored
        ('judge = "martian"\n', True, False, "local"),  # a bad value: reported, default kept
    ],
)
def test_the_interview_command_gives_the_app_what_config_asks(
    table: str,
    endpoint: bool,
    asks: bool,
    judge: str,
    chat_server: ChatServer,
    _isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from interviewer.commands.interview import feedback_writer, llm_judging

    paths = Paths.from_env()
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(f"[llm]\n{table}", encoding="utf-8")
    if endpoint:
        monkeypatch.setenv("INTERVIEWER_LLM_BASE_URL", chat_server.base_url)
        monkeypatch.setenv("INTERVIEWER_LLM_MODEL", "tiny-test")
    writer = feedback_writer(paths)
    assert (writer is not None) is endpoint
    opinions, chosen = llm_judging(paths, writer)
    assert chosen == judge
    assert (opinions is not None) is asks
    assert opinions is None or id(opinions) == id(writer)  # the writer answers both
