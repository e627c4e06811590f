"""Numbers typed on the command line (session, answer and question ids, --count and
--time-limit) give one line, never an OverflowError or a TUI error screen (issue 14, item 3)."""

from __future__ import annotations

import pytest

from interviewer.cli import main

HUGE = "9" * 25
ENORMOUS = "9" * 5000  # past Python's int() limit of 4,300 digits

CASES: dict[str, tuple[list[str], int, str]] = {
    "review huge session": (["review", HUGE], 1, "no session 99999"),
    "review enormous session": (["review", ENORMOUS], 1, "no session 99999"),
    "review superscript session": (["review", "²"], 2, "is not a number"),
    "review Arabic-Indic session": (["review", "١٢"], 2, "is not a number"),
    "review negative session": (["review", "-1"], 2, "is not a number"),
    "review huge answer id": (["review", "--correct", HUGE, "1", "covered"], 1, "no answer id"),
    "review odd key point": (["review", "--correct", "1", "²", "covered"], 2, "is not a number"),
    "export huge session": (["export", HUGE], 1, "no session 99999"),
    "export enormous session": (["export", ENORMOUS], 1, "no session 99999"),
    "export superscript session": (["export", "²"], 2, "is not a session id"),
    "interview infinite time limit": (["interview", "--time-limit", "inf"], 2, "--time-limit"),
    "interview NaN time limit": (["interview", "--time-limit", "nan"], 2, "--time-limit"),
    "interview huge time limit": (["interview", "--time-limit", "1e308"], 2, "--time-limit"),
    "score enormous question number": (["score", "-q", ENORMOUS], 2, "no question '99999"),
    "score superscript question number": (["score", "-q", "²"], 2, "no question '²'"),
    "score Arabic-Indic question number": (["score", "-q", "١٣"], 2, "no question '١٣'"),
    "interview zero count": (["interview", "--count", "0"], 2, "--count"),
    "interview negative count": (["interview", "--count", "-4"], 2, "--count"),
}


@pytest.mark.parametrize("case", CASES)
def test_an_odd_number_is_one_line(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv, status, fragment = CASES[case]
    assert main(argv) == status
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"interviewer {argv[0]}: ")
    assert fragment in lines[0]
    assert len(lines[0]) < 200  # the 5,000 digits are not echoed back
    assert captured.out == ""
