"""Regression tests for issue 16's bugs and flow, each through the real app (Textual Pilot)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Checkbox, DataTable, Input, Label, RadioButton, Static

from interviewer.commands.interview import preferences_saver
from interviewer.core.config_file import load_ui_preferences
from interviewer.core.grading.grader import Grader
from interviewer.core.interview.session import InterviewSettings, Order, summarise
from interviewer.core.transcripts.memory_store import InMemoryTranscriptStore
from interviewer.paths import Paths
from interviewer.tui.app import DONT_KNOW, InterviewApp, make_app
from interviewer.tui.config import AppDeps, AppSettings
from interviewer.tui.screens.dialogs import ConfirmScreen
from interviewer.tui.screens.question import QuestionScreen
from interviewer.tui.screens.score import ScoreScreen
from interviewer.tui.screens.summary import SummaryScreen
from interviewer.tui.widgets.start_form import StartForm
from interviewer.wiring import GradingContext

from .conftest import FIRST, SECOND, TWO_QUESTIONS, build_app
from .helpers import answer_and_submit, settle, type_answer, until

store_module = pytest.importorskip("interviewer.adapters.store.sqlite")


class TickingClock:
    """Each reading is `step` seconds after the last: time spent is never zero."""

    def __init__(self, step: float = 7.0) -> None:
        self.now, self.step = 1000.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


async def test_a_resumed_interview_summary_keeps_what_was_answered_before_the_quit(
    context: GradingContext, hashing_grader: Grader, tmp_path: Path
) -> None:
    paths = Paths(tmp_path / "home")
    store = store_module.open_store(paths, bank_lookup=context.question)
    app = build_app(
        context, lambda: hashing_grader, store=store, start_directly=True, clock=TickingClock()
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await answer_and_submit(pilot, "Closed, open and half-open states trip on failures.")
        await pilot.press("enter")
        await settle(pilot)
        await answer_and_submit(pilot, "Set the thresholds from the p99 latency baseline.")
        await pilot.press("enter")
        await settle(pilot)
        await type_answer(pilot, "a hash of the long url")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
    store.close()

    reopened = store_module.open_store(paths, bank_lookup=context.question)
    app = build_app(context, lambda: hashing_grader, store=reopened, clock=TickingClock())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        await answer_and_submit(pilot, " with base62 ids and a redirect cache.")
        await pilot.press("enter")
        await settle(pilot)
        await until(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen), "the summary")
        screen = pilot.app.screen
        assert isinstance(screen, SummaryScreen)
        summary = summarise(screen.interview.session)
        first, second = summary.questions
        assert (first.question.id, second.question.id) == (FIRST, SECOND)
        assert first.main is not None and first.follow_up is not None  # not "—"
        assert first.seconds > 0 and second.seconds > 0
        table = screen.query_one("#summary-questions", DataTable)
        assert str(table.get_row_at(0)[2]) == f"{first.main:.0f}"
        overall = str(screen.query_one("#summary-overall", Static).content)
    session = reopened.sessions()[0]
    reopened.close()
    assert summary.overall == session.mean_score()  # the number `interviewer review` shows
    assert summary.overall is not None and f"{summary.overall:.0f}/100" in overall


async def test_skip_passes_the_question_and_its_follow_up(
    context: GradingContext, hashing_grader: Grader, store: InMemoryTranscriptStore
) -> None:
    app = build_app(context, lambda: hashing_grader, store=store, start_directly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await type_answer(pilot, "not sure yet")
        await pilot.press("f2")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, QuestionScreen)
        assert screen.step.key == (SECOND, "main")  # the follow-up of FIRST is passed too
        await pilot.press("f2")
        await settle(pilot)
        summary = pilot.app.screen
        assert isinstance(summary, SummaryScreen)
        table = summary.query_one("#summary-questions", DataTable)
        assert [str(c) for c in table.get_row_at(0)[2:4]] == ["skipped", "skipped"]
        weakest = str(summary.query_one("#summary-weakest", Static).content)
        assert weakest == "Nothing scored yet."  # not "Every key point was covered"
    assert store.calls.count("submit_answer") == 0
    assert store.sessions[1].drafts[(FIRST, "main")] == "not sure yet"  # the draft is kept


async def test_dont_know_records_it_and_shows_the_model_answer(
    context: GradingContext, hashing_grader: Grader, store: InMemoryTranscriptStore
) -> None:
    app = build_app(context, lambda: hashing_grader, store=store, start_directly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ScoreScreen)
        await until(pilot, lambda: screen.query_one("#model-answer-box").display, "model answer")
        assert screen.query_one("#model-answer-box").children
    assert [a.text for a in store.answers.values()] == [DONT_KNOW]
    assert store.answers[1].result is not None  # scored, so the practice plan sees it


async def test_end_now_goes_to_the_summary_and_asks_about_unsent_text(
    context: GradingContext, hashing_grader: Grader, store: InMemoryTranscriptStore
) -> None:
    app = build_app(context, lambda: hashing_grader, store=store, start_directly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await answer_and_submit(pilot, "Closed, open and half-open states trip on failures.")
        await pilot.press("enter")
        await settle(pilot)
        await type_answer(pilot, "half a follow-up")
        await pilot.press("f8")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert "Follow-up · " in dialog.question  # names the follow-up, not the main question
        await pilot.press("y")
        await settle(pilot)
        summary = pilot.app.screen
        assert isinstance(summary, SummaryScreen)
        row = summarise(summary.interview.session).questions[0]
        assert row.main is not None and row.follow_up is None
    assert store.sessions[1].finished


@pytest.mark.parametrize("where", ["start", "score", "summary"])
async def test_ctrl_q_asks_first_everywhere(
    context: GradingContext, hashing_grader: Grader, where: str
) -> None:
    app = build_app(context, lambda: hashing_grader, start_directly=where != "start")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        if where in ("score", "summary"):
            await answer_and_submit(pilot, "Closed, open and half-open states.")
            assert isinstance(pilot.app.screen, ScoreScreen)
        if where == "summary":
            app.request_end()  # the palette's "End interview now"; nothing typed: no question
            await settle(pilot)
            assert isinstance(pilot.app.screen, SummaryScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0


async def test_the_follow_up_score_title_says_follow_up_once(fast_app: InterviewApp) -> None:
    async with fast_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the start screen's defaults
        await settle(pilot)
        await answer_and_submit(pilot, "Closed, open and half-open states.")
        await pilot.press("enter")
        await settle(pilot)
        await answer_and_submit(pilot, "Thresholds from the p99 latency baseline.")
        screen = pilot.app.screen
        assert isinstance(screen, ScoreScreen)
        title = str(screen.query_one("#score-meta", Static).content)
        assert title.lower().count("follow-up") == 1, title


async def test_the_start_screen_says_how_many_questions_match(fast_app: InterviewApp) -> None:
    async with fast_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        label = pilot.app.screen.query_one("#matching", Label)
        assert str(label.content) == "34 questions match, 2 will be asked"
        for level in ("mid", "senior"):
            pilot.app.screen.query_one(f"#difficulty-{level}", Checkbox).value = False
        await settle(pilot)
        assert str(label.content) == "5 questions match, 2 will be asked"
        pilot.app.screen.query_one("#count", Input).value = "9"
        await settle(pilot)
        assert str(label.content) == "5 questions match, 5 will be asked"


async def test_the_theme_and_start_choices_are_saved_and_restored(
    context: GradingContext, hashing_grader: Grader, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[llm]\nmodel = "kept"\n', encoding="utf-8")

    def deps() -> AppDeps:
        return AppDeps(
            catalog=lambda: context.banks.banks,
            grader_factory=lambda: hashing_grader,
            save_preferences=preferences_saver(config),
        )

    app = make_app(AppSettings(), deps())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        pilot.app.theme = "nord"  # what picking a theme in the palette does
        form = pilot.app.screen.query_one(StartForm)
        form.query_one("#difficulty-senior", Checkbox).value = False
        form.query_one("#count", Input).value = "3"
        form.query_one("#time-limit", Input).value = "4"
        form.query_one("#order-bank", RadioButton).value = True
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, QuestionScreen)
    saved = load_ui_preferences(config)
    assert saved.theme == "nord"
    assert saved.start["difficulties"] == ["Junior", "Mid"]
    assert (saved.start["count"], saved.start["order"], saved.start["time_limit"]) == (
        3,
        "bank",
        240.0,
    )
    text = config.read_text(encoding="utf-8")
    assert 'model = "kept"' in text and "time_limit_minutes = 4" in text

    restored = InterviewSettings.from_dict(saved.start)
    app = make_app(AppSettings(interview=restored, theme=saved.theme), deps())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert pilot.app.theme == "nord"
        form = pilot.app.screen.query_one(StartForm)
        assert form.chosen_settings().as_dict() == restored.as_dict()
        assert not form.query_one("#difficulty-senior", Checkbox).value


async def test_category_prefixes_pick_questions(
    context: GradingContext, hashing_grader: Grader
) -> None:
    settings = InterviewSettings(categories=("obs",), count=10, order=Order.BANK)
    app = build_app(context, lambda: hashing_grader, settings=settings, start_directly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        run = app.interview
        assert run is not None
        assert {q.category for q in run.session.questions} == {"Observability"}


async def test_progress_weakest_questions_are_readable_at_120_columns(tmp_path: Path) -> None:
    from textual.app import App
    from textual_plotext import PlotextPlot

    from interviewer.tui.screens.progress import ProgressScreen
    from tests.store.helpers import CACHE, fill_session

    store = store_module.open_store(Paths(tmp_path / "home"))
    fill_session(store)

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ProgressScreen(store))

    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#progress-weakest", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width  # no cut-off
        questions = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert "circuit-breaker-pattern" in questions
        assert CACHE[:20] in questions[0]
        axis = str(screen.query_one("#progress-plot", PlotextPlot).render())
    store.close()
    dates = [word for word in axis.split() if word[:4].isdigit() and word.count("-") == 2]
    assert dates and len(dates) == len(set(dates))  # one label per day, none repeated


async def test_an_answer_left_unscored_by_the_quit_is_scored_on_resume(
    context: GradingContext, hashing_grader: Grader, store: InMemoryTranscriptStore
) -> None:
    session = store.start_session(
        "architecture-system-design", [FIRST, SECOND], TWO_QUESTIONS.as_dict()
    )
    store.submit_answer(session, FIRST, "main", "Closed, open and half-open states.", 42.0)
    app = build_app(context, lambda: hashing_grader, store=store)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        run = app.interview
        assert run is not None
        attempt = run.session.attempts[(FIRST, "main")][0]
        await until(pilot, lambda: attempt.result is not None, "the stored answer scored")
        assert run.session.seconds_on(run.session.steps[0]) == 42.0
    assert store.answers[1].result is not None  # and the score is stored
