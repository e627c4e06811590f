"""What every interview screen shares: an F1 help text, the size classes set before the first
styling pass, and a hook the app calls before it quits or leaves the interview.

Screens never call the app: they post a message from `interviewer.tui.messages` and the app
handles it; what they show is handed to them."""

from __future__ import annotations

from typing import ClassVar

from textual._context import NoActiveAppError
from textual.screen import Screen

TALL_FROM = 32  # rows; below this the screens drop their spacing (80x24 must fit)


class InterviewScreen(Screen[None]):
    HELP: ClassVar[str] = ""  # Markdown shown by F1

    def __init__(self) -> None:
        super().__init__()
        # The same classes as App.VERTICAL_BREAKPOINTS, set now: when the first resize applies
        # them nothing changes, which saves restyling every widget of a freshly shown screen.
        try:
            height = self.app.size.height
        except NoActiveAppError:
            return
        self.set_class(height >= TALL_FROM, "-tall")
        self.set_class(height < TALL_FROM, "-short")

    def flush(self) -> None:
        """Stores what is typed but not stored yet; the app calls it before quitting or leaving."""
