"""Small modal screens: a yes/no confirmation and the F1 help for the screen underneath."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Markdown, Static

from interviewer.core.safe_text import clean


def unsaved_warning(question: str, title: str) -> str:
    return (
        f"{question}\n\nYour answer to “{title}” is not submitted. The draft is kept and the "
        "interview can be resumed from the start screen."
    )


class ConfirmScreen(ModalScreen[bool]):
    """Asks before doing something that would leave typed text behind."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 60; max-width: 90%; height: auto;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    ConfirmScreen #confirm-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    ConfirmScreen Button { margin-left: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="Go ahead."),
        Binding("n,escape", "answer(False)", "No", id="confirm.no", tooltip="Stay here."),
    ]

    def __init__(self, question: str, yes: str = "Quit", no: str = "Stay") -> None:
        super().__init__()
        self.question = question
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical():
            # the question may quote a bank title: data, shown without its terminal control
            yield Static(clean(self.question), id="confirm-question", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.no} (n)", id="confirm-no", variant="primary", compact=True)
                yield Button(f"{self.yes} (y)", id="confirm-yes", variant="warning", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class HelpScreen(ModalScreen[None]):
    """The F1 help: what the screen underneath is for and its keys (live, so remaps show)."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 76; max-width: 95%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close", id="help.close", tooltip="Close the help."),
    ]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.topic = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(self._text(), id="help-text")

    def _text(self) -> str:
        """The screen's own text, then its keys and the app's: ours (they have ids) and the palette,
        not Textual's focus and copy keys nor the focused widget's."""
        intro = getattr(self.topic, "HELP", None) or "No help for this screen."
        lines = []
        for active in self.topic.active_bindings.values():
            binding = active.binding
            ours = binding.id is not None or binding.action == "command_palette"
            if active.node not in (self.topic, self.app) or not ours or not binding.description:
                continue
            if not binding.system:
                shown = self.app.get_key_display(binding)
                lines.append(f"- `{shown}` {binding.tooltip or binding.description}")
        return f"{intro}\n\n## Keys\n\n" + "\n".join(lines) + "\n\nEsc closes this help."
