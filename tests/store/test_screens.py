"""The Review and Progress screens, pushed onto a bare App over a store holding a session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.app import App
from textual.screen import Screen
from textual.widgets import DataTable, Select, Static
from textual_plotext import PlotextPlot

from interviewer.adapters.store.sqlite import SqliteTranscriptStore
from interviewer.core.bank.schema import Question
from interviewer.core.result import Verdict
from interviewer.tui.screens.progress import ProgressScreen
from interviewer.tui.screens.review import KeyPointTable, ReviewScreen


class Host(App[None]):
    """Any app: the screens bring their own CSS and bindings."""

    def __init__(self, screen_factory: Callable[[], Screen[None]]) -> None:
        super().__init__()
        self.screen_factory = screen_factory

    def on_mount(self) -> None:
        self.push_screen(self.screen_factory())


async def test_review_screen_lists_opens_and_corrects(
    filled: tuple[SqliteTranscriptStore, int],
    lookup: Callable[[str], Question | None],
    tmp_path: Path,
) -> None:
    store, session = filled
    app = Host(lambda: ReviewScreen(store, lookup, export_dir=tmp_path / "exports"))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        sessions = screen.query_one("#review-sessions", DataTable)
        assert sessions.row_count == 1
        assert screen.record is not None and screen.record.id == session
        tables = list(screen.query(KeyPointTable))
        assert len(tables) == 3  # main, follow-up, second question
        answer_text = [str(w.render()) for w in screen.query(".review-answer").results(Static)]
        assert any("After too many failures" in text for text in answer_text)

        tables[0].focus()
        await pilot.press("down", "down", "c")  # the third key point: missing -> covered
        await pilot.pause()
        first = store.load_session(session).answers[0]
        assert first.correction(2) is not None
        assert first.verdicts()[2] is Verdict.COVERED
        assert "✎" in str(tables[0].get_row_at(2)[1])
        title = screen.query_one(f"#title-{first.id}", Static)
        assert str(title.render()).endswith("· 80/100")  # (0.9 + 0.5 + 1) / 3

        await pilot.press("e")
        await pilot.pause()
        assert (tmp_path / "exports" / f"session-{session}.html").exists()

        screen.query_one("#review-filter").focus()
        await pilot.press(*"observ")
        await pilot.pause()
        assert sessions.row_count == 0
        await pilot.press("escape")


async def test_progress_screen_plots_and_plans(filled: tuple[SqliteTranscriptStore, int]) -> None:
    store, _ = filled
    app = Host(lambda: ProgressScreen(store))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProgressScreen)
        assert len(screen.points) == 2
        plot = screen.query_one("#progress-plot", PlotextPlot)
        assert "Score over time" in str(plot.render())
        weakest = screen.query_one("#progress-weakest", DataTable)
        assert weakest.row_count == 7  # every key point of the three first answers
        assert str(weakest.get_row_at(0)[1]) == "Knows write-back"  # after its question
        due = screen.query_one("#progress-due", DataTable)
        assert due.row_count == 2
        select = screen.query_one("#progress-category", Select)
        select.value = "System Design Concepts"
        await pilot.pause()
        assert "System Design Concepts" in str(plot.render())
        due.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert f"Score over time: {due.get_row_at(0)[2]}" in str(plot.render())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ProgressScreen)
