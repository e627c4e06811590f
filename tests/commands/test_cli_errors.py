"""One `CommandError`, reported once by `interviewer.cli.main`: `interviewer <command>: <message>` on
stderr, nothing on stdout, and the error's exit status."""

from __future__ import annotations

import pytest

from interviewer.cli import main


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["export"], 2, "give a SESSION id (see `interviewer review`), or --import FILE.json"),
        (["export", "yesterday"], 2, "'yesterday' is not a session id (a number, or 'last')"),
        (["review", "--rescore"], 2, "--rescore needs a SESSION"),
        (["review", "--correct", "x", "1", "covered"], 2, "ANSWER_ID 'x' is not a number"),
        (["tune", "--features", "nope"], 2, "unknown features ['nope']; known: best,"),
    ],
)
def test_a_failing_command_says_one_line_and_exits_with_its_status(
    argv: list[str], status: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == status
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"interviewer {argv[0]}: {message}")
    assert captured.err.count("\n") == 1
