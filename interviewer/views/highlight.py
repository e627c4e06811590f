"""The user's answer with each key point's evidence in that point's colour.

Evidence spans come as character offsets into the answer and may overlap (the grader also matches
pairs of neighbouring sentences), so the shortest span covering a stretch of text wins there, and a
numbered marker opens each span: the link to its key point survives without colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

from textual.content import Content

if TYPE_CHECKING:
    from interviewer.core.result import KeyPointResult

# Theme variables, so highlights follow the theme; cycled when a question has more points.
POINT_COLOURS = ("primary", "accent", "success", "secondary", "warning", "error")


def point_colour(index: int) -> str:
    return POINT_COLOURS[index % len(POINT_COLOURS)]


def evidence_spans(answer: str, points: Sequence[KeyPointResult]) -> list[tuple[int, int, int]]:
    """(start, end, key point index) for each point with evidence that really is in the answer."""
    spans: list[tuple[int, int, int]] = []
    for index, point in enumerate(points):
        evidence = point.evidence
        if evidence is None:
            continue
        start, end = evidence.start, evidence.end
        if answer[start:end] != evidence.text:  # offsets disagree: trust the text
            start = answer.find(evidence.text)
            end = start + len(evidence.text)
        if 0 <= start < end <= len(answer):
            spans.append((start, end, index))
    return spans


def highlight_answer(answer: str, points: Sequence[KeyPointResult]) -> Content:
    spans = evidence_spans(answer, points)
    cuts = sorted({0, len(answer), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    parts: list[str | tuple[str, str]] = []
    for start, end in pairwise(cuts):
        for span_start, _, index in spans:
            if span_start == start:
                parts.append((f"[{index + 1}]", f"bold ${point_colour(index)}"))
        covering = [span for span in spans if span[0] <= start and end <= span[1]]
        text = answer[start:end]
        if covering:
            _, _, index = min(covering, key=lambda span: span[1] - span[0])
            parts.append((text, f"$text on ${point_colour(index)}-muted"))
        else:
            parts.append(text)
    return Content.assemble(*parts)
