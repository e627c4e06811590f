"""The line above the footer: the model's state, and short notes such as "draft saved"."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from interviewer.core.safe_text import one_line
from interviewer.tui.grader_handle import ModelState

_STATE_TEXT = {
    ModelState.WAITING: "○ model: starting…",
    ModelState.LOADING: "◌ model: loading… (type away, scoring waits for it)",
    ModelState.READY: "● model ready",
    ModelState.FAILED: "✘ model failed",
}


class StatusBar(Horizontal):
    """Follows the app's `model_state`; every screen has one, so the state is always in view.

    Not docked: it sits after the screen's 1fr body, just above the docked footer.
    """

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        color: $text-muted;
        padding: 0 1;
    }
    StatusBar #model-state { width: 1fr; }
    StatusBar #model-state.-ready { color: $success; }
    StatusBar #model-state.-failed { color: $error; }
    StatusBar #status-note { width: auto; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="model-state")
        yield Static(id="status-note")

    def on_mount(self) -> None:
        self.watch(self.app, "model_state", self._show_state)

    def _show_state(self, state: ModelState) -> None:
        found = self.query("#model-state").results(Static)
        label = next(found, None)
        if label is None:  # a screen switched away while mounting: nothing left to show it on
            return
        text = _STATE_TEXT[state]
        detail = getattr(self.app, "model_detail", "")
        label.update(Content(one_line(f"{text} {detail}".rstrip())))  # an error is not markup
        label.set_class(state is ModelState.READY, "-ready")
        label.set_class(state is ModelState.FAILED, "-failed")
        label.tooltip = "The local embedding model that scores answers."

    def note(self, text: str) -> None:
        self.query_one("#status-note", Static).update(Content(one_line(text)))
