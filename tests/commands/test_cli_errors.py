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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["score", "-q", "9", "--model", "/no/such/model"], "no model folder at '/no/such/model'"),
        (["score", "-q", "9", "--rubrics", "/no/such/dir"], "no rubrics folder at '/no/such/dir'"),
        (["rubric", "draft", "--model", "/no/such/model"], "no model folder at '/no/such/model'"),
    ],
)
def test_a_missing_model_or_rubrics_folder_is_a_usage_error_before_any_work(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 14: `--model` pointing nowhere ended in a FileNotFoundError traceback once the model
    was first used; `--rubrics` pointing nowhere silently scored with drafted rubrics."""
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].endswith(f"error: argument {argv[-2]}: {message}")
    assert "Traceback" not in err
