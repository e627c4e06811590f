"""The one untrusted-text rule: `core.safe_text` takes terminal control out of any string, and the
shared Rich renderers built on it (`views.safe`, the highlighted answer, the session views) print any
text without an exception, without reading it as markup, and with no control character but newline
and tab in what reaches the terminal."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rich.console import Console, RenderableType

from interviewer.core.result import (
    EvidenceSpan,
    KeyPointResult,
    Part,
    ScoreResult,
    Verdict,
)
from interviewer.core.safe_text import (
    StreamCleaner,
    clean,
    clean_pieces,
    is_clean,
    json_text,
    one_line,
)
from interviewer.core.transcripts.records import (
    QuestionSnapshot,
    SessionRecord,
    SessionSummary,
    StoredAnswer,
    StoredFeedback,
    StoredScore,
)
from interviewer.views.highlight import highlight_answer
from interviewer.views.safe import cell, markdown, safe_text, styled
from interviewer.views.transcripts import session_renderables, summary_cells

# What a hostile string holds: escape sequences of every family, C0 and C1 controls, DEL, lone
# surrogates, carriage returns, Rich markup and emoji codes.
ATTACKS = (
    "\x1b[2J",
    "\x1b[31;1m",
    "\x1b]0;pwned\x07",
    "\x1b]8;;http://evil.example\x1b\\",
    "\x1bP1$r\x1b\\",
    "\x1b(0",
    "\x1bc",
    "\x9b2J",
    "\x9d0;pwned\x9c",
    "\x00",
    "\x07",
    "\x08",
    "\x7f",
    "\x85",
    "\r",
    "\ud800",
    "\udfff",
    "\u202e",
    "\u2066",
    "[/]",
    "[bold red]",
    "[link=http://x]",
    ":smile:",
)
hostile = st.lists(st.one_of(st.sampled_from(ATTACKS), st.text(max_size=8)), max_size=12).map(
    "".join
)
any_text = st.one_of(st.text(), hostile)

# Outside newline and tab: C0, DEL, C1, bidi overrides and isolates, and surrogates are never written.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _printed(*items: RenderableType, color: bool = False) -> str:
    """What a console writes for `items`; with `color` a terminal's, styles and all."""
    out = io.StringIO()
    console = Console(
        file=out,
        width=80,
        force_terminal=color,
        color_system="truecolor" if color else None,
        legacy_windows=False,
    )
    for item in items:
        console.print(item)
    return out.getvalue()


def _no_payload(printed: str) -> None:
    """Styled output has Rich's own SGR sequences, and nothing else that moves the terminal."""
    without_styles = re.sub(r"\x1b\[[0-9;]*m", "", printed)
    assert not _FORBIDDEN.search(without_styles), ascii(without_styles)


# -- the sanitiser ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J\x1b]0;pwned\x07 Round robin", " Round robin"),
        ("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),
        ("red \x1b[31mtext\x1b[0m", "red text"),
        ("\x9b31mC1 CSI\x9d0;t\x9c", "C1 CSI"),
        ("keep\nnew\tlines", "keep\nnew\tlines"),
        ("dos\r\nline\rover", "dos\nline\nover"),
        ("nul\x00 bel\x07 bs\x08 del\x7f", "nul bel bs del"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("bidi \u202esdrawkcab\u202c \u2066iso\u2069", "bidi sdrawkcab iso"),
        ("Round robin [/dim] sends", "Round robin [/dim] sends"),
        ("unterminated \x1b]0;title", "unterminated 0;title"),
        ("🙂 emoji, ünïcode, 中文", "🙂 emoji, ünïcode, 中文"),
    ],
)
def test_clean_takes_out_terminal_control_and_keeps_text(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_one_line_folds_breaks() -> None:
    assert one_line("a\nb\tc\u2028d\r\ne\x1b[2J") == "a b c d e"


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_clean_leaves_no_control_whatever_the_input(text: str) -> None:
    shown = clean(text)
    assert is_clean(shown)
    assert not _FORBIDDEN.search(shown)
    assert clean(shown) == shown  # idempotent: cleaning twice changes nothing
    assert "\n" not in one_line(text) and is_clean(one_line(text))
    shown.encode("utf-8")  # always writable: no lone surrogate left


@settings(max_examples=200, deadline=None)
@given(st.lists(any_text, max_size=6))
def test_clean_pieces_cuts_the_clean_text_at_the_same_places(pieces: list[str]) -> None:
    cleaned = clean_pieces(pieces)
    assert len(cleaned) == len(pieces)
    assert "".join(cleaned) == clean("".join(pieces))
    assert all(is_clean(piece) for piece in cleaned)


def test_a_sequence_cut_by_a_span_boundary_goes_whole() -> None:
    assert clean_pieces(["say \x1b[3", "1mred", "\x1b]0;ti", "tle\x07 done"]) == [
        "say ",
        "red",
        "",
        " done",
    ]


@settings(max_examples=200, deadline=None)
@given(any_text, st.lists(st.integers(min_value=0, max_value=40), max_size=6))
def test_stream_cleaner_equals_clean_of_the_whole(text: str, cuts: list[int]) -> None:
    """However an LLM stream is chunked, what is shown is what `clean` makes of the whole."""
    bounds = sorted({0, len(text), *(min(c, len(text)) for c in cuts)})
    stream = StreamCleaner()
    shown = "".join(stream.feed(text[a:b]) for a, b in pairwise(bounds))
    shown += stream.flush()
    assert not _FORBIDDEN.search(shown)
    assert shown == clean(text)


def test_stream_cleaner_holds_a_cut_sequence() -> None:
    stream = StreamCleaner()
    assert stream.feed("hi \x1b") == "hi "
    assert stream.feed("[2") == ""
    assert stream.feed("Jthere") == "there"
    assert stream.feed("\x1b]0;pw") == ""
    assert stream.feed("ned\x07!") == "!"
    assert stream.flush() == ""


@settings(max_examples=200, deadline=None)
@given(st.recursive(any_text, lambda inner: st.lists(inner, max_size=3), max_leaves=6))
def test_json_text_is_the_same_document_with_no_raw_control(value: object) -> None:
    raw = json.dumps({"v": value}, ensure_ascii=False)
    # a high then a low lone surrogate escape to one \uXXXX\uXXXX pair, which JSON reads as one
    # character: the same text to every reader but not the same Python string, so not compared here
    assume(not re.search("[\ud800-\udbff][\udc00-\udfff]", raw))
    dumped = json_text(raw)
    assert not _FORBIDDEN.search(dumped)
    assert json.loads(dumped) == {"v": value}


# -- the renderers ------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(any_text)
def test_the_safe_renderables_print_any_text_literally(text: str) -> None:
    for color in (False, True):
        printed = _printed(
            safe_text(text, style="bold"),
            cell(text),
            styled(("x", "dim"), text, (text, "red")),
            markdown(text),
            color=color,
        )
        _no_payload(printed)
    plain = _printed(safe_text(text))
    # markup is shown, not read: every bracket of the cleaned text is still there
    assert plain.count("[") == clean(text).count("[")


def _point(text: str, start: int, end: int, label: str) -> KeyPointResult:
    return KeyPointResult(
        key_point=label,
        coverage=0.8,
        verdict=Verdict.COVERED,
        evidence=EvidenceSpan(text=text[start:end], start=start, end=end),
        similarity=0.8,
    )


@settings(max_examples=150, deadline=None)
@given(any_text, st.data())
def test_the_highlighted_answer_prints_any_answer(answer: str, data: st.DataObject) -> None:
    """Evidence spans may cut an escape sequence anywhere: nothing of it is printed."""
    start = data.draw(st.integers(min_value=0, max_value=len(answer)))
    end = data.draw(st.integers(min_value=start, max_value=len(answer)))
    label = data.draw(any_text)
    highlighted = highlight_answer(answer, [_point(answer, start, end, label)])
    assert highlighted.plain.replace("[1]", "", 1) == clean(answer) or start == end
    for color in (False, True):
        _no_payload(_printed(highlighted, color=color))


_STAMP = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _record(text: str) -> SessionRecord:
    point = _point(f"{text} answer", 0, len(text), text)
    result = ScoreResult(question=text, part="main", score=50.0, key_points=[point], model="m")
    answer = StoredAnswer(
        id=1,
        question_id="q",
        part=Part.MAIN,
        text=f"{text} answer",
        seconds=3.0,
        submitted_at=_STAMP,
        scores=[StoredScore(result=result, scored_at=_STAMP)],
        feedback=StoredFeedback(text=f"**{text}**", complete=True, saved_at=_STAMP),
    )
    question = QuestionSnapshot(
        id="q", title=text, category=text, prompt=text, model_answer=f"# {text}", follow_up=text
    )
    return SessionRecord(
        id=1,
        uid="u",
        bank_id=text,
        started_at=_STAMP,
        settings={},
        questions=[question],
        answers=[answer],
    )


@settings(max_examples=60, deadline=None)
@given(any_text)
def test_a_stored_session_prints_whatever_it_holds(text: str) -> None:
    """`interviewer review`'s renderables: imported records are data from anywhere."""
    record = _record(text)
    summary = SessionSummary(
        id=1,
        started_at=_STAMP,
        finished_at=None,
        bank_id=text,
        questions=1,
        answered=1,
        mean_score=50.0,
        categories=[text],
        question_ids=["q"],
    )
    for color in (False, True):
        _no_payload(_printed(*session_renderables(record), *summary_cells(summary), color=color))
