"""The command palette's interview entries, and those for screens built elsewhere (review,
progress), offered only when their module is installed so the palette never lists a dead command.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand

if TYPE_CHECKING:
    from textual.app import App

    from interviewer.tui.app import InterviewApp

# (module, screen class, palette title, help)
OPTIONAL_SCREENS = (
    ("interviewer.tui.screens.review", "ReviewScreen", "Review transcripts", "Past answers"),
    ("interviewer.tui.screens.progress", "ProgressScreen", "Progress", "Scores over time"),
)


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def interview_commands(app: InterviewApp) -> Iterator[SystemCommand]:
    yield SystemCommand("New interview", "Back to the start screen", app.new_interview)
    yield SystemCommand(
        "Toggle model answer", "Show or hide the model answer", app.action_toggle_model_answer
    )
    for module, name, title, help_text in OPTIONAL_SCREENS:
        if _available(module):
            yield SystemCommand(title, help_text, lambda m=module, n=name: _open(app, m, n))


def _open(app: App[None], module: str, name: str) -> None:
    """Imports the screen when chosen; a screen that needs arguments reports it, not crashes."""
    try:
        screen = getattr(importlib.import_module(module), name)()
    except Exception as error:
        app.notify(f"Cannot open {name}: {error}", severity="error")
        return
    app.push_screen(screen)
