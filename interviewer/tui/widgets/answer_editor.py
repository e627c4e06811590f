"""The answer box: a TextArea where Enter is a newline and submitting is a separate, clear key."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual import events
from textual.widgets import TextArea

from interviewer.core.safe_text import clean

PLACEHOLDER = "Type your answer. Enter starts a new line; ctrl+s submits; F4 opens $EDITOR."


class AnswerEditor(TextArea):
    DEFAULT_CSS = """
    AnswerEditor { height: 1fr; min-height: 5; }
    """

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(
            text,
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=False,
            placeholder=PLACEHOLDER,
            id=id,
        )
        self.tooltip = "Your answer. ctrl+s (or ctrl+j, alt+enter) submits it."

    async def _on_paste(self, event: events.Paste) -> None:
        """Pasted text is data: escape sequences and control characters in it (a terminal's
        clear-screen, a window-title sequence) are taken out before it is stored or shown."""
        event.prevent_default()  # the TextArea's own handler would insert the raw text
        if self.read_only:
            return
        if result := self._replace_via_keyboard(clean(event.text), *self.selection):
            self.move_cursor(result.end_location)
            self.focus()


def editor_command() -> list[str]:
    """$VISUAL, then $EDITOR, then vi: the usual Unix order."""
    chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(chosen)


def edit_externally(text: str) -> str:
    """Writes the answer to a temporary Markdown file, opens the editor on it, reads it back.

    The caller suspends the TUI around this. A non-zero exit keeps the original text; a missing
    editor raises OSError for the caller to report.
    """
    with tempfile.TemporaryDirectory(prefix="interviewer-") as folder:
        path = Path(folder) / "answer.md"
        path.write_text(text, encoding="utf-8")
        completed = subprocess.run([*editor_command(), str(path)], check=False)
        if completed.returncode != 0:
            return text
        if not path.exists():
            return text
        return clean(path.read_text(encoding="utf-8", errors="replace")).rstrip("\n")
