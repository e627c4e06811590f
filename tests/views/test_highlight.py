"""One highlight rule and one palette: the Rich views (score screen, review) and the HTML export
mark and colour the same spans, overlaps go to the shortest span, double evidence shows both
numbers, and the user's text is never read as markup."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from rich.console import Console
from rich.style import Style

from interviewer.core.result import EvidenceSpan, KeyPointResult, ScoreResult, Verdict
from interviewer.core.transcripts.records import SessionRecord, StoredAnswer, StoredScore
from interviewer.core.transcripts.render import PALETTE, segments, to_html
from interviewer.views.highlight import (
    evidence_spans,
    evidence_style,
    highlight_answer,
    marker_style,
    point_colour,
)
from interviewer.views.transcripts import highlighted_answer

ANSWER = "Closed passes calls. Too many failures open it. After a timeout it goes half-open."
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def point(
    label: str, start: int | None, end: int | None, text: str | None = None
) -> KeyPointResult:
    evidence = None
    if start is not None and end is not None:
        evidence = EvidenceSpan(text=text or ANSWER[start:end], start=start, end=end)
    return KeyPointResult(
        key_point=label,
        coverage=0.9 if evidence else 0.1,
        verdict=Verdict.COVERED if evidence else Verdict.MISSING,
        evidence=evidence,
        similarity=0.5,
    )


def stored(answer: str, points: list[KeyPointResult]) -> StoredAnswer:
    result = ScoreResult(question="q", part="main", score=50.0, key_points=points, model="m")
    return StoredAnswer(
        id=1,
        question_id="q",
        part="main",
        text=answer,
        seconds=1.0,
        submitted_at=NOW,
        scores=[StoredScore(result=result, scored_at=NOW)],
    )


def styled_runs(answer: str, points: list[KeyPointResult]) -> list[tuple[str, str]]:
    """(text, style) runs of the Rich highlight, markers included."""
    text = highlight_answer(answer, points)
    return [(text.plain[s.start : s.end], str(s.style)) for s in text.spans]


def html_runs(answer: str, points: list[KeyPointResult]) -> list[tuple[str, str]]:
    """(text, background colour) of each marker and mark in the HTML export of the same answer."""
    record = SessionRecord(uid="u", bank_id="b", started_at=NOW, answers=[stored(answer, points)])
    page = to_html(record)
    body = page[page.index('<div class="answer">') :]
    body = body[: body.index("</div>")]
    found = re.findall(r'<(?:span class="kp"|mark) style="background:([^"]+)"[^>]*>([^<]*)<', body)
    return [(text, colour) for colour, text in found]


def test_the_palette_is_one_set_of_plain_colours() -> None:
    assert [point_colour(i) for i in range(len(PALETTE) + 1)] == [*PALETTE, PALETTE[0]]
    for index in range(len(PALETTE)):  # valid Rich styles (Textual reads the same syntax)
        Style.parse(marker_style(index))
        Style.parse(evidence_style(index))


def test_each_span_is_marked_and_coloured_by_its_point() -> None:
    second = ANSWER.index("Too")
    points = [
        point("states", 0, 20),
        point("detection", second, second + 27),
        point("x", None, None),
    ]
    text = highlight_answer(ANSWER, points)
    assert text.plain == "[1]" + ANSWER[:second] + "[2]" + ANSWER[second:]
    assert styled_runs(ANSWER, points) == [
        ("[1]", marker_style(0)),
        (ANSWER[:20], evidence_style(0)),
        ("[2]", marker_style(1)),
        (ANSWER[second : second + 27], evidence_style(1)),
    ]


def test_overlapping_spans_show_the_shorter_one_on_top() -> None:
    inner = ANSWER.index("Too")
    points = [point("pair", 0, inner + 27), point("inner", inner, inner + 27)]
    assert styled_runs(ANSWER, points) == [
        ("[1]", marker_style(0)),
        (ANSWER[:inner], evidence_style(0)),
        ("[2]", marker_style(1)),
        (ANSWER[inner : inner + 27], evidence_style(1)),  # the inner (shorter) point's colour
    ]


def test_evidence_for_two_points_shows_both_numbers() -> None:
    start = ANSWER.index("After")
    points = [
        point("a", None, None),
        point("b", start, len(ANSWER)),
        point("c", start, len(ANSWER)),
    ]
    text = highlight_answer(ANSWER, points)
    assert text.plain == ANSWER[:start] + "[2][3]" + ANSWER[start:]
    assert styled_runs(ANSWER, points)[-1] == (ANSWER[start:], evidence_style(1))  # tie: lower
    assert html_runs(ANSWER, points) == [
        ("[2]", point_colour(1)),
        ("[3]", point_colour(2)),
        (ANSWER[start:], point_colour(1)),
    ]


def test_the_html_export_and_the_rich_views_mark_the_same_spans_in_the_same_colours() -> None:
    inner = ANSWER.index("Too")
    late = ANSWER.index("After")
    points = [
        point("pair", 0, inner + 27),
        point("inner", inner, inner + 27),
        point("missed", None, None),
        point("twice", late, len(ANSWER)),
        point("again", late, len(ANSWER)),
    ]
    rich_runs = [
        (text, style.split()[-1]) for text, style in styled_runs(ANSWER, points)
    ]  # the colour of each marker and evidence run
    assert rich_runs == html_runs(ANSWER, points)
    assert highlighted_answer(stored(ANSWER, points)) == highlight_answer(ANSWER, points)
    html_segments = [(s.text, s.key_point, s.markers) for s in segments(ANSWER, points)]
    assert "".join(text for text, _, _ in html_segments) == ANSWER
    assert html_segments[-1] == (ANSWER[late:], 3, (3, 4))


def test_offsets_that_disagree_with_the_text_are_found_by_the_text() -> None:
    start = ANSWER.index("After")
    spans = evidence_spans(ANSWER, [point("moved", 0, 5, text=ANSWER[start : start + 15])])
    assert spans == [(start, start + 15, 0)]
    assert evidence_spans(ANSWER, [point("gone", 0, 5, text="not in the answer")]) == []


def test_answer_text_is_never_read_as_markup() -> None:
    answer = "use [bold]tags[/] and [/] and $vars [red]x[/red]"
    evidence = answer.index("[/]")
    points = [point("p", None, None), point("q", evidence, evidence + 3, text="[/]")]
    text = highlight_answer(answer, points)
    assert text.plain == answer[:evidence] + "[2]" + answer[evidence:]
    console = Console(width=200, color_system=None, record=True)
    console.print(text)
    assert console.export_text().rstrip("\n") == text.plain
    page = to_html(
        SessionRecord(uid="u", bank_id="b", started_at=NOW, answers=[stored(answer, points)])
    )
    assert "use [bold]tags" in page and ">[/]</mark> and [/] and $vars [red]x[/red]" in page
