"""The user's answer with each key point's evidence in that point's colour, as Rich `Text`.

One rule and one palette for every view: the segments and colours come from
`core.transcripts.render`, which the HTML export also draws with. Each evidence span opens with its
`[n]` marker (so the link to its key point survives without colour), and where spans overlap the
shortest one's colour wins. The styles are plain colours, valid in Rich and in Textual alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from interviewer.core.safe_text import clean_pieces
from interviewer.core.transcripts.render import evidence_spans, point_colour, segments

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.text import Text

    from interviewer.core.result import KeyPointResult

__all__ = ["evidence_spans", "evidence_style", "highlight_answer", "marker_style", "point_colour"]


def marker_style(index: int) -> str:
    """The style of key point `index`'s `[n]` marker, wherever the number is shown."""
    return f"bold {point_colour(index)}"


def evidence_style(index: int) -> str:
    """The style of answer text that is evidence for key point `index`."""
    return f"black on {point_colour(index)}"


def highlight_answer(answer: str, points: Sequence[KeyPointResult]) -> Text:
    """The answer, never read as markup and with its terminal control removed (the segments are
    cleaned together, so a sequence cut by a span boundary goes whole), with markers and colours."""
    from rich.text import Text

    text = Text()
    parts = segments(answer, points)
    for segment, shown in zip(parts, clean_pieces([s.text for s in parts]), strict=True):
        for index in segment.markers:
            text.append(f"[{index + 1}]", style=marker_style(index))
        owner = segment.key_point
        text.append(shown, style="" if owner is None else evidence_style(owner))
    return text
