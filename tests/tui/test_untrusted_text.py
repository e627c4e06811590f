"""The TUI shows bank text and stored records as data (issue 14, item 2): a `[/]` in a bank title
or category, or in an imported session, is shown literally and never read as markup (Textual reads
plain strings in Select options and DataTable cells as markup), and no escape sequence of theirs is
drawn."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from textual.app import App
from textual.screen import Screen
from textual.widgets import DataTable, Select

from interviewer.adapters.store.sqlite import SqliteTranscriptStore
from interviewer.core.bank.schema import Bank
from interviewer.core.interview.session import InterviewSettings
from interviewer.core.transcripts.records import SessionRecord
from interviewer.tui.app import make_app
from interviewer.tui.config import AppDeps, AppSettings
from interviewer.tui.screens.progress import ProgressScreen
from interviewer.tui.screens.review import ReviewScreen
from interviewer.tui.screens.start import StartScreen
from tests.tui.helpers import settle

HOSTILE = "\x1b[2J\x1b]0;pwned\x07[/] [bold]x[/bold] \x9b31m\x00"
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
STAMP = "2026-01-02T03:04:05Z"


def _assert_drawn_safely(app: App[None]) -> str:
    screenshot = app.export_screenshot()
    assert not _FORBIDDEN.search(screenshot.replace("\n", "").replace("\t", ""))
    return screenshot


def _bank() -> Bank:
    question = {
        "id": "hostile-question",
        "number": 1,
        "category": f"Cat {HOSTILE}",
        "title": f"Title {HOSTILE}",
        "prompt": f"Prompt {HOSTILE}",
        "difficulty": "Mid",
        "answer": f"Model {HOSTILE}",
        "key_points": [f"Knows {HOSTILE}"],
    }
    return Bank.model_validate(
        {"id": "hostile", "title": f"Bank {HOSTILE}", "description": "", "questions": [question]}
    )


def _unused_grader() -> object:
    raise AssertionError("no scoring in this test")


async def test_the_start_form_lists_a_hostile_bank() -> None:
    deps = AppDeps(catalog=lambda: [_bank()], grader_factory=_unused_grader)  # type: ignore[arg-type]
    app = make_app(AppSettings(interview=InterviewSettings()), deps)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StartScreen)
        assert app.screen.query_one("#bank", Select).value == "hostile"
        shown = _assert_drawn_safely(app)
        assert "[/]" in shown.replace("&#91;", "[").replace("&#93;", "]")


def _record() -> SessionRecord:
    answer_text = f"An answer {HOSTILE} with evidence"
    point = {
        "key_point": f"Knows {HOSTILE}",
        "coverage": 0.9,
        "verdict": "covered",
        "evidence": {"text": answer_text[:12], "start": 0, "end": 12},
        "similarity": 0.8,
    }
    result = {"question": "q1", "part": "main", "score": 90, "key_points": [point], "flags": []}
    return SessionRecord.model_validate(
        {
            "uid": "u1",
            "bank_id": f"bank {HOSTILE}",
            "started_at": STAMP,
            "questions": [
                {
                    "id": "q1",
                    "title": f"Title {HOSTILE}",
                    "category": f"Cat {HOSTILE}",
                    "prompt": f"Prompt {HOSTILE}",
                    "model_answer": f"Model {HOSTILE}",
                }
            ],
            "answers": [
                {
                    "id": 1,
                    "question_id": "q1",
                    "part": "main",
                    "text": answer_text,
                    "seconds": 5.0,
                    "submitted_at": STAMP,
                    "scores": [{"result": result, "scored_at": STAMP}],
                    "feedback": {
                        "text": f"Feedback {HOSTILE}",
                        "complete": True,
                        "saved_at": STAMP,
                    },
                }
            ],
        }
    )


class Host(App[None]):
    def __init__(self, screen_factory: Callable[[], Screen[None]]) -> None:
        super().__init__()
        self.screen_factory = screen_factory

    def on_mount(self) -> None:
        self.push_screen(self.screen_factory())


async def test_review_and_progress_show_a_hostile_session(tmp_path: Path) -> None:
    store = SqliteTranscriptStore(tmp_path / "transcripts.sqlite3", fallback_dir=tmp_path / "fb")
    store.import_session(_record())
    review = Host(lambda: ReviewScreen(store, None, export_dir=tmp_path))
    async with review.run_test(size=(140, 50)) as pilot:
        await settle(pilot)
        await settle(pilot)
        screen = review.screen
        assert isinstance(screen, ReviewScreen) and screen.record is not None
        assert screen.query_one("#review-sessions", DataTable).row_count == 1
        _assert_drawn_safely(review)
    progress = Host(lambda: ProgressScreen(store))
    async with progress.run_test(size=(140, 50)) as pilot:
        await settle(pilot)
        screen = progress.screen
        assert isinstance(screen, ProgressScreen) and len(screen.points) == 1
        weakest = screen.query_one("#progress-weakest", DataTable)
        assert weakest.row_count == 1
        assert any("Knows" in str(c) and "[/]" in str(c) for c in weakest.get_row_at(0))
        _assert_drawn_safely(progress)
    store.close()
