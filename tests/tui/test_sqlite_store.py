"""The TUI with the real SQLite transcript store: answers, scores and drafts survive a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.core.grading.grader import Grader
from interviewer.paths import Paths
from interviewer.tui.screens.dialogs import ConfirmScreen
from interviewer.tui.screens.question import QuestionScreen
from interviewer.tui.widgets.answer_editor import AnswerEditor
from interviewer.wiring import GradingContext

from .conftest import FIRST, build_app
from .helpers import answer_and_submit, settle, type_answer

store_module = pytest.importorskip("interviewer.adapters.store.sqlite")


async def test_an_interrupted_interview_resumes_from_the_database(
    context: GradingContext, hashing_grader: Grader, tmp_path: Path
) -> None:
    paths = Paths(tmp_path / "home")
    store = store_module.open_store(paths, bank_lookup=context.question)
    app = build_app(context, lambda: hashing_grader, store=store, start_directly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await answer_and_submit(pilot, "Closed, open and half-open states.")
        await pilot.press("enter")
        await pilot.pause()
        await type_answer(pilot, "thresholds from the p99 latency")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
    store.close()
    assert paths.database.exists()

    reopened = store_module.open_store(paths, bank_lookup=context.question)
    session = reopened.sessions()[0]
    assert [(a.question_id, a.part, a.score is not None) for a in session.answers] == [
        (FIRST, "main", True)
    ]
    score = session.answers[0].score
    assert score is not None  # its versions in the one format (`versions_of`), hashes included
    bank_id, digest = score.versions.bank.split("@")
    assert (bank_id, len(digest)) == (session.bank_id, 12)
    assert score.versions.rubric == f"{FIRST}/v{score.result.rubric_version}"
    app = build_app(context, lambda: hashing_grader, store=reopened)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert pilot.app.screen.query_one("#resume").display
        await pilot.press("ctrl+r")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, QuestionScreen)
        assert screen.step.key == (FIRST, "follow_up")
        assert screen.query_one(AnswerEditor).text == "thresholds from the p99 latency"
    reopened.close()
