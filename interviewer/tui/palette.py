"""The command palette's interview entries. The app hands in what each entry does, so the palette
knows nothing of the app; Review and Progress are listed only when there are transcripts to read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

from textual.app import SystemCommand


def interview_commands(
    *,
    new_interview: Callable[[], object],
    toggle_model_answer: Callable[[], Awaitable[None]],
    open_review: Callable[[], object] | None = None,
    open_progress: Callable[[], object] | None = None,
    end_interview: Callable[[], object] | None = None,
) -> Iterator[SystemCommand]:
    yield SystemCommand("New interview", "Back to the start screen", new_interview)
    if end_interview is not None:
        yield SystemCommand("End interview now", "Go to the summary", end_interview)
    yield SystemCommand("Toggle model answer", "Show or hide the model answer", toggle_model_answer)
    if open_review is not None:
        yield SystemCommand("Review transcripts", "Past answers", open_review)
    if open_progress is not None:
        yield SystemCommand("Progress", "Scores over time", open_progress)
