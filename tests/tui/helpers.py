"""Small steps the pilot tests share."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from interviewer.tui.widgets.answer_editor import AnswerEditor


async def settle(pilot: Pilot[None]) -> None:
    """Lets workers finish and their messages land."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen_name(pilot: Pilot[None]) -> str:
    return type(pilot.app.screen).__name__


async def type_answer(pilot: Pilot[None], text: str) -> None:
    """Puts text in the editor the way a paste would (one edit, one Changed event)."""
    editor = pilot.app.screen.query_one(AnswerEditor)
    editor.insert(text)
    await pilot.pause()


async def answer_and_submit(pilot: Pilot[None], text: str) -> None:
    await type_answer(pilot, text)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    """Waits for the app to reach a state (a guard against hanging, not a timing)."""
    for _ in range(200):
        if condition():
            await pilot.pause()
            return
        await pilot.pause(0.025)
    raise AssertionError(f"never happened: {what}")
