"""What every interview screen shares: a typed handle on the app, an F1 help text, and the
size classes set before the first styling pass."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual._context import NoActiveAppError
from textual.screen import Screen

if TYPE_CHECKING:
    from interviewer.tui.app import InterviewApp

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

    @property
    def interview_app(self) -> InterviewApp:
        return cast("InterviewApp", self.app)
