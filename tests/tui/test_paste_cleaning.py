"""Pasted text and text back from $EDITOR are data: the answer editor takes terminal control out of
them before the answer is stored or shown (issue 14)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from textual import events
from textual.app import App, ComposeResult

from interviewer.core.safe_text import is_clean
from interviewer.tui.widgets.answer_editor import AnswerEditor, edit_externally

HOSTILE = (
    "\x1b[2J\x1b]0;pwned\x07Round robin\x1b[31m sends\x9b0m requests\x00 in turn.\r\n"
    "Least\x07 connections\tpicks the idle one.\x1bc"
)
CLEANED = "Round robin sends requests in turn.\nLeast connections\tpicks the idle one."


class _EditorApp(App[None]):
    def compose(self) -> ComposeResult:
        yield AnswerEditor("Before: ", id="answer")


async def test_pasted_escape_sequences_never_reach_the_answer() -> None:
    app = _EditorApp()
    async with app.run_test(size=(80, 12)) as pilot:
        editor = app.query_one(AnswerEditor)
        editor.focus()
        editor.move_cursor(editor.document.end)
        app.post_message(events.Paste(HOSTILE))  # as the terminal driver does
        await pilot.pause()
        assert editor.text == "Before: " + CLEANED
        assert is_clean(editor.text)


async def test_a_read_only_editor_takes_no_paste() -> None:
    app = _EditorApp()
    async with app.run_test(size=(80, 12)) as pilot:
        editor = app.query_one(AnswerEditor)
        editor.focus()
        editor.read_only = True
        app.post_message(events.Paste("more"))
        await pilot.pause()
        assert editor.text == "Before: "


def test_text_back_from_the_external_editor_is_cleaned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "hostile-editor"
    script.write_text(
        "#!/bin/sh\nprintf '\\033[2JRound robin\\033]0;x\\007 in turn.\\n' > \"$1\"\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("VISUAL", str(script))
    assert edit_externally("draft") == "Round robin in turn."
