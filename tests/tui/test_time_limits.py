"""Issue 14: a time limit the clock cannot show (typed as 1e308 minutes on the start screen, or
`time_limit_minutes = inf` in config.toml) starts the interview with a bounded or no limit instead
of an OverflowError screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from interviewer.core.config_file import load_ui_preferences
from interviewer.core.grading.grader import Grader
from interviewer.core.interview.session import InterviewSettings
from interviewer.tui.app import InterviewApp, make_app
from interviewer.tui.config import AppDeps, AppSettings
from interviewer.tui.screens.question import QuestionScreen
from interviewer.tui.widgets.start_form import StartForm
from interviewer.wiring import GradingContext

from .helpers import settle


async def _start(app: InterviewApp, minutes: str | None) -> str:
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        if minutes is not None:
            pilot.app.screen.query_one(StartForm).query_one("#time-limit", Input).value = minutes
            await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, QuestionScreen)
        return str(pilot.app.screen.query_one("#countdown", Static).content)


@pytest.mark.parametrize(("typed", "shown"), [("1e308", "1440:00 left"), ("1e-320", "0:00 left")])
async def test_a_time_limit_typed_past_what_the_clock_shows_starts_the_interview(
    fast_app: InterviewApp, typed: str, shown: str
) -> None:
    assert await _start(fast_app, typed) == shown


@pytest.mark.parametrize("value", ["inf", "1e308", "nan", "-5"])
async def test_a_saved_time_limit_out_of_range_is_no_crash(
    context: GradingContext, hashing_grader: Grader, tmp_path: Path, value: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[tui.start]\ntime_limit_minutes = {value}\n", encoding="utf-8")
    restored = InterviewSettings.from_dict(load_ui_preferences(config).start)
    assert restored.time_limit is None or restored.time_limit == 24 * 60 * 60
    deps = AppDeps(catalog=lambda: context.banks.banks, grader_factory=lambda: hashing_grader)
    app = make_app(AppSettings(interview=restored), deps)
    countdown = await _start(app, None)
    assert countdown in ("time 0:00", "1440:00 left")
