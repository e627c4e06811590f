"""The one highlight rule every view of an answer follows: which key point colours which stretch
of the answer, where each `[n]` marker goes, and the palette (terminal, TUI and HTML alike)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from interviewer.core.result import KeyPointResult
from interviewer.core.transcripts.export_text import clean_pieces

# One colour per key point, cycled when a question has more: hex colours that Rich, Textual and CSS
# all read, light enough to carry black text.
PALETTE = ("#ffe08a", "#b8e6c1", "#bcd7ff", "#f5c2e7", "#ffd1a8", "#d6c8ff", "#c9f0ef", "#f0d0c0")


def point_colour(index: int) -> str:
    """The colour of key point `index` (0-based) in every view: terminal, TUI and HTML."""
    return PALETTE[index % len(PALETTE)]


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


@dataclass(frozen=True)
class Segment:
    """A run of answer text. `key_point` is the point whose colour it takes (None: plain text);
    `markers` are the points whose evidence opens here, each shown as `[n]` before the text."""

    text: str
    key_point: int | None
    markers: tuple[int, ...] = ()


def segments(text: str, key_points: Sequence[KeyPointResult]) -> list[Segment]:
    """Cut an answer at evidence boundaries.

    Evidence may overlap (the grader also matches pairs of neighbouring sentences): the shortest
    span covering a stretch colours it (the lower point on a tie), and every span opens with its
    marker, so a sentence that is evidence for two points shows both numbers.
    """
    spans = evidence_spans(text, key_points)
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    result: list[Segment] = []
    for start, end in pairwise(cuts):
        markers = tuple(sorted(index for s, _, index in spans if s == start))
        covering = [(e - s, index) for s, e, index in spans if s <= start and end <= e]
        owner = min(covering)[1] if covering else None
        if result and not markers and result[-1].key_point == owner:
            last = result[-1]
            result[-1] = Segment(last.text + text[start:end], owner, last.markers)
        else:
            result.append(Segment(text[start:end], owner, markers))
    return result


def clean_segments(text: str, points: Sequence[KeyPointResult]) -> list[Segment]:
    """`segments` with their text cleaned as one string would be: an escape sequence that a
    highlight boundary cuts is still removed whole."""
    cut = segments(text, points)
    return [
        Segment(piece, segment.key_point, segment.markers)
        for segment, piece in zip(cut, clean_pieces([s.text for s in cut]), strict=True)
    ]
