"""Generated seed-format banks: a section heading under the page header names the first questions'
category (never the description), and prose after a code block stays prose."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewer.core.bank.answer_markdown import to_markdown, to_plain
from interviewer.core.bank.seed_format import DEFAULT_FIRST_CATEGORY, parse_seed_text
from tests.bank.test_seed_roundtrip import _normalise

_QUESTION = "1.\n\nFirst question\n\nWhat is it?\n\nMid\n\nIt is a thing.\n\nKey Points to Look For:\n- Knows it\n"
_WORDS = st.sampled_from(
    [
        "the",
        "cache",
        "keeps",
        "hot",
        "keys",
        "close",
        "to",
        "readers",
        "and",
        "evicts",
        "cold",
        "ones",
        "when",
        "memory",
        "runs",
        "out",
    ]
)
_heading = st.lists(
    st.sampled_from(["Networking", "Data", "Stores", "Caching", "Queues", "Design", "&"]),
    min_size=1,
    max_size=4,
).map(lambda words: " ".join(words).strip(" &") or "Caching")
_sentence = st.lists(_WORDS, min_size=6, max_size=16).map(
    lambda words: " ".join(words).capitalize() + "; " + " ".join(words[:3]) + "."
)


@st.composite
def _headed_pages(draw: st.DrawFn) -> tuple[str, str, str | None]:
    """A page header (title, description, maybe page lines), maybe a heading, then question 1."""
    description = draw(_sentence)
    heading = draw(st.one_of(st.none(), _heading))
    furniture = draw(st.booleans())
    lines = ["Back to Questions", "06", "", "My Bank", "", description, ""]
    if furniture:
        lines += ["Difficulty:", "Session: 0 asked"]
        lines += [heading] if heading else []
    elif heading:
        lines += ["", heading]
    return "\n".join([*lines, "", _QUESTION]), description, heading


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_headed_pages())
def test_a_heading_under_the_page_header_is_the_first_category(
    case: tuple[str, str, str | None],
) -> None:
    text, description, heading = case
    bank = parse_seed_text(text)
    assert bank.title == "My Bank"
    assert bank.description == description
    assert bank.questions[0].category == (heading or DEFAULT_FIRST_CATEGORY)


def test_a_heading_right_before_the_first_question_without_blank_lines() -> None:
    text = "My Bank\nAbout caches.\nDifficulty:\nSession: 0 asked\nCaching\n" + _QUESTION
    bank = parse_seed_text(text)
    assert (bank.description, bank.questions[0].category) == ("About caches.", "Caching")


def test_first_category_given_wins_over_the_heading() -> None:
    text = "My Bank\n\nAbout caches.\n\nCaching\n\n" + _QUESTION
    assert parse_seed_text(text, first_category="Basics").questions[0].category == "Basics"


_code = st.lists(
    st.sampled_from(
        ["def allow(self):", "    return self.tokens > 0", "x = limit(rate)", "    count += 1;"]
    ),
    min_size=1,
    max_size=4,
).map(lambda lines: "def f():\n" + "\n".join(lines))


@settings(max_examples=150, deadline=None)
@given(_code, st.lists(_sentence, min_size=1, max_size=3))
def test_prose_after_code_is_never_inside_the_fence(code: str, sentences: list[str]) -> None:
    prose = " ".join(sentences)
    answer = f"The limiter:\n\n{code}\n\n{prose}"
    markdown = to_markdown(answer)
    fenced = re.findall(r"^(`{3,})\w*\n(.*?)\n\1$", markdown, flags=re.M | re.S)
    assert fenced and all(prose not in body for _, body in fenced)
    assert markdown.rstrip().endswith(prose)
    assert to_plain(markdown) == _normalise(answer)


def test_a_sentence_with_a_semicolon_after_code_reads_as_text() -> None:
    answer = (
        "def allow(self):\n    return self.tokens > 0\n\n"
        "The bucket refills at a fixed rate; bursts up to its capacity pass."
    )
    assert to_markdown(answer).endswith(
        "```\n\nThe bucket refills at a fixed rate; bursts up to its capacity pass."
    )
