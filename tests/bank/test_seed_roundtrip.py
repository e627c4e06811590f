"""Property tests: banks written in the seed's format import back to what was written."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewer.core.bank.answer_markdown import to_markdown, to_plain
from interviewer.core.bank.schema import Difficulty
from interviewer.core.bank.seed_format import parse_seed_text, render_seed_text

_ALPHABET = (
    "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 "
    ".,:;!?()[]{}<>=+-*/_`#|\\~'\"&%$@^ →←↓↑─│┌┐└┘├┤┬┴┼▼●"
)
_RESERVED = re.compile(r"^\s*(\d+\.|Key Points to Look For:|Follow-up:.*|Junior|Mid|Senior)\s*$")


def _line(min_size: int = 1) -> st.SearchStrategy[str]:
    return (
        st.text(alphabet=_ALPHABET, min_size=min_size, max_size=40)
        .map(str.rstrip)
        .filter(lambda s: bool(s.strip()) and not _RESERVED.match(s))
    )


def _plain_line() -> st.SearchStrategy[str]:
    """A one-line field: no leading furniture, not a bullet, not a heading-like reserved line."""
    return (
        _line()
        .map(str.strip)
        .filter(
            lambda s: (
                not s.startswith("- ")
                and not re.fullmatch(r"\d+", s)
                and not s.startswith(("Back to Questions", "Difficulty:", "Session:"))
            )
        )
    )


_answer_line = st.one_of(
    _line(),
    _line().map(lambda s: "- " + s.strip()),
    _line().map(lambda s: "    " + s.strip()),
    _plain_line().map(lambda s: s + ":"),
)
_answer = st.lists(st.lists(_answer_line, min_size=1, max_size=5), max_size=6).map(
    lambda blocks: "\n\n".join("\n".join(block) for block in blocks)
)


@st.composite
def seed_banks(draw: st.DrawFn) -> tuple[str, list[dict[str, object]], str]:
    first_category = draw(_plain_line())
    questions: list[dict[str, object]] = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        category = first_category if number == 1 else draw(st.one_of(st.none(), _plain_line()))
        questions.append(
            {
                "number": number,
                "category": category,
                "title": draw(
                    _plain_line().filter(lambda s: re.search("[a-z0-9]", s.lower()) is not None)
                )
                + f" q{number}",
                "prompt": draw(_plain_line()),
                "difficulty": draw(st.sampled_from([d.value for d in Difficulty])),
                "answer": draw(_answer),
                "key_points": draw(st.lists(_plain_line(), min_size=1, max_size=4)),
                "follow_up": draw(st.one_of(st.none(), _plain_line())),
            }
        )
    out = [
        "Back to Questions",
        "06",
        "",
        "My Bank Title",
        "",
        "A description",
        "",
        "Session: 0 asked",
    ]
    for q in questions:
        if q["number"] != 1 and q["category"]:
            out += ["", str(q["category"]), ""]
        out += [
            f"{q['number']}.",
            "",
            str(q["title"]),
            "",
            str(q["prompt"]),
            "",
            str(q["difficulty"]),
        ]
        out += ["", str(q["answer"]), "", "Key Points to Look For:"]
        out += [f"- {kp}" for kp in q["key_points"]]  # type: ignore[attr-defined]
        if q["follow_up"]:
            out += ["", f"Follow-up: {q['follow_up']}"]
        out.append("")
    return "\n".join(out), questions, first_category


def _normalise(text: str) -> str:
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed_banks())
def test_generated_seed_banks_round_trip(case: tuple[str, list[dict[str, object]], str]) -> None:
    text, questions, first_category = case
    bank = parse_seed_text(text, first_category=first_category)
    assert bank.title == "My Bank Title"
    category = first_category
    for parsed, written in zip(bank.questions, questions, strict=True):
        category = str(written["category"] or category)
        assert parsed.number == written["number"]
        assert parsed.title == written["title"]
        assert parsed.prompt == written["prompt"]
        assert parsed.difficulty.value == written["difficulty"]
        assert parsed.key_points == written["key_points"]
        assert parsed.follow_up == written["follow_up"]
        assert parsed.category == category
        assert to_plain(parsed.answer) == _normalise(str(written["answer"]))
    again = parse_seed_text(render_seed_text(bank), first_category=first_category)
    assert again.model_dump(exclude={"source"}) == bank.model_dump(exclude={"source"})


@settings(max_examples=300, deadline=None)
@given(_answer)
def test_markdown_conversion_is_lossless(answer: str) -> None:
    assert to_plain(to_markdown(answer)) == _normalise(answer)
