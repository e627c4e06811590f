"""Untrusted text on the terminal (issue 14, items 2 and 7), through the real CLI.

Answers, bank and rubric text, stored or imported records, LLM output and file names are data: no
command reads them as Rich markup (a `[/]` once crashed `score`, `bank list` and `bank show`) and no
escape sequence or control character of theirs reaches the terminal (`\\033[2J` once cleared it and
an OSC set the window title). Plus the clearer messages of item 7."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewer.cli import main
from interviewer.commands.score import _print_feedback, _print_opinion, print_result
from interviewer.core.ports import FeedbackEvent, FeedbackEventKind, OpinionFailure
from interviewer.core.result import (
    FLAG_MESSAGES,
    EvidenceSpan,
    Flag,
    KeyPointResult,
    ScoreResult,
    Verdict,
)
from tests.grading.conftest import CLI, tiny_grader

CLEAR = "\x1b[2J"
TITLE = "\x1b]0;pwned\x07"
HOSTILE = f"{CLEAR}{TITLE}[/] [bold]x[/bold] [/dim] \x9b31m\x00\x7f:smile:"
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _assert_safe(text: str) -> None:
    """Nothing but newline and tab of the control characters; no traceback."""
    assert not _FORBIDDEN.search(text), ascii(text)
    assert "Traceback" not in text


def _out(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    captured = capsys.readouterr()
    _assert_safe(captured.out)
    _assert_safe(captured.err)
    return captured.out, captured.err


# -- banks --------------------------------------------------------------------------------------


def _write_bank(home: Path, title: str, category: str, text: str) -> None:
    question = {
        "id": "hostile-question",
        "number": 1,
        "category": category,
        "title": title,
        "prompt": f"Prompt {text}",
        "difficulty": "Mid",
        "answer": f"**Model** {text}\n\n[a link]({text})",
        "key_points": [f"Knows {text}", "[/]"],
        "follow_up": f"Follow {text}",
    }
    bank = {"id": "hostile", "title": f"Bank {text}", "description": text, "questions": [question]}
    (home / "banks").mkdir(parents=True, exist_ok=True)
    # PyYAML writes the control characters as double-quoted escapes, as a hostile file would
    (home / "banks" / "hostile.yaml").write_text(
        yaml.safe_dump(bank, allow_unicode=True), encoding="utf-8"
    )


@pytest.mark.parametrize(("title", "category"), [("[/]", "[/]"), (HOSTILE, HOSTILE)])
def test_bank_list_and_show_print_markup_and_escapes_as_text(
    _isolated_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    title: str,
    category: str,
) -> None:
    """The issue's case: a bank title or category with `[/]` crashed `bank list` and `bank show`."""
    monkeypatch.setenv("COLUMNS", "300")
    _write_bank(_isolated_home, title, category, HOSTILE)
    assert main(["bank", "list", "--bank", "hostile"]) == 0
    out, _ = _out(capsys)
    assert "[/]" in out
    assert main(["bank", "show", "hostile-question"]) == 0
    out, _ = _out(capsys)
    assert "[/]" in out and "Knows" in out and "Follow-up:" in out
    assert "[/dim]" in out and "[bold]x[/bold]" in out  # markup is shown, not applied
    assert main(["bank", "show", "hostile-question", "--json"]) == 0
    out, _ = _out(capsys)
    assert json.loads(out)["title"] == title  # the JSON keeps the text exactly, escaped
    assert main(["bank", "list", "--json"]) == 0
    out, _ = _out(capsys)
    assert any(row["category"] == category for row in json.loads(out))


def test_bank_show_in_a_colour_terminal_sends_no_payload(
    _isolated_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With colours on, Rich's own SGR styles are there, and nothing of the bank's escapes."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    _write_bank(_isolated_home, HOSTILE, HOSTILE, HOSTILE)
    for argv in (["bank", "show", "hostile-question"], ["bank", "list", "--bank", "hostile"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "\x1b[" in out  # styled: the check below is not vacuous
        without_styles = re.sub(r"\x1b\[[0-9;]*m", "", out)
        _assert_safe(without_styles)
        assert "\x1b]" not in out and CLEAR not in out


def test_file_names_and_bank_problems_are_one_safe_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = tmp_path / f"bank{CLEAR}{TITLE}\n.yaml"
    name.write_text("id: [unclosed\n", encoding="utf-8")
    assert main(["bank", "check", str(name)]) == 1
    _, err = _out(capsys)
    assert err.count("\n") == 1 and "bank" in err
    assert main(["bank", "import", str(tmp_path / f"missing{TITLE}.txt")]) == 1
    _, err = _out(capsys)
    assert err.count("\n") == 1 and "cannot read" in err
    assert main(["export", "--import", str(tmp_path / f"none{CLEAR}.json")]) != 0
    _, err = _out(capsys)
    assert err.count("\n") == 1


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    text=st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from("\x1b\x9b[]/")
    )
)
def test_any_bank_text_lists_and_shows(
    text: str, _isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A property over the bank's text: whatever YAML carries, both views print it safely."""
    if not text.strip() or "\n" in text or "\r" in text:
        text = f"t{text}".replace("\n", " ").replace("\r", " ").strip() or "t"
    _write_bank(_isolated_home, text, text, text)
    capsys.readouterr()
    assert main(["bank", "list", "--bank", "hostile"]) in (0, 1)
    _out(capsys)
    assert main(["bank", "show", "hostile-question"]) in (0, 1)
    _out(capsys)


# -- stored sessions: review and stats ------------------------------------------------------------

STAMP = "2026-01-02T03:04:05Z"


def _session(text: str) -> dict[str, Any]:
    answer_text = f"{text} answer {text}"
    evidence = {"text": answer_text[:10], "start": 0, "end": 10}
    point = {
        "key_point": f"Knows {text}",
        "coverage": 0.9,
        "verdict": "covered",
        "evidence": evidence,
        "similarity": 0.8,
    }
    result = {"question": "q1", "part": "main", "score": 90, "key_points": [point], "flags": []}
    answer = {
        "id": 1,
        "question_id": "q1",
        "part": "main",
        "text": answer_text,
        "seconds": 12.0,
        "submitted_at": STAMP,
        "scores": [{"result": result, "scored_at": STAMP}],
        "feedback": {"text": f"Feedback {text}", "complete": True, "saved_at": STAMP},
    }
    question = {
        "id": "q1",
        "title": f"Title {text}",
        "category": text,
        "prompt": f"Prompt {text}",
        "model_answer": f"Model {text}",
        "follow_up": text,
    }
    return {
        "format": "interviewer.session/1",
        "uid": "uid-1",
        "bank_id": f"bank {text}",
        "started_at": STAMP,
        "questions": [question],
        "answers": [answer],
    }


def test_review_and_stats_show_a_hostile_session_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    path = tmp_path / "session.json"
    path.write_text(json.dumps(_session(HOSTILE)), encoding="utf-8")
    assert main(["export", "--import", str(path)]) == 0
    _out(capsys)
    assert main(["review"]) == 0
    out, _ = _out(capsys)
    assert "[/]" in out
    assert main(["review", "1"]) == 0
    out, _ = _out(capsys)
    for shown in ("Title ", "Prompt ", "Knows ", "Feedback ", "Model ", "[bold]x[/bold]", "[/dim]"):
        assert shown in out
    assert main(["review", "--correct", "1", "1", "missing"]) == 0
    _out(capsys)
    assert main(["stats"]) == 0
    out, _ = _out(capsys)
    assert "Weakest key points" in out and "[/]" in out


# -- score: the answer echo, flags, the second opinion ---------------------------------------------


def _result(answer: str, label: str) -> ScoreResult:
    point = KeyPointResult(
        key_point=label,
        coverage=0.5,
        verdict=Verdict.PARTIAL,
        evidence=EvidenceSpan(text=answer, start=0, end=len(answer)),
        similarity=0.5,
    )
    return ScoreResult(
        question=label, part="main", score=50.0, key_points=[point], model="m", flags=[]
    )


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answer=st.text(), label=st.text())
def test_print_result_prints_any_answer_and_label(
    answer: str, label: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    print_result(_result(f"{answer}{HOSTILE}", f"{label}[/]"))
    out, _ = _out(capsys)
    assert "[/]" in out


def test_an_llm_failure_line_is_cleaned(capsys: pytest.CaptureFixture[str]) -> None:
    _print_opinion(OpinionFailure(f"server said {HOSTILE}"), _result("a", "b"))
    _, err = _out(capsys)
    assert err.count("\n") == 1 and "server said" in err


class _HostileWriter:
    """An LLM whose stream cuts escape sequences across chunks, then fails with a hostile line."""

    description = f"model {TITLE}"

    class config:  # stands in for the writer's config object
        second_opinion = False

    async def stream(self, request: object) -> AsyncIterator[FeedbackEvent]:
        for chunk in ("Good \x1b", "[2J start ", "\x1b]0;pw", "ned\x07[/] done", "\r\n"):
            yield FeedbackEvent(FeedbackEventKind.CHUNK, chunk)
        yield FeedbackEvent(FeedbackEventKind.ERROR, f"cut off {HOSTILE}")


def test_streamed_feedback_reaches_the_terminal_clean(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import interviewer.adapters.llm as llm

    monkeypatch.setattr(llm, "feedback_from_environment", lambda *args: _HostileWriter())
    _print_feedback(object())
    out, err = _out(capsys)
    assert "Good  start [/] done\n" in out
    assert "pwned" not in out and "[2J" not in out
    assert "cut off" in err and len(err.strip().splitlines()) == 1


@pytest.mark.model
def test_score_cli_answer_with_markup_and_escapes(_isolated_home: Path) -> None:
    """The issue's two `score -q 9` cases in one answer: no MarkupError, no escape on the terminal."""
    # long enough to be read as an explanation (a one-line name-drop of 12 words or fewer shows no quote)
    sentence = (
        "Round robin [/dim] sends requests to each of the servers in turn, one after another."
    )
    answer = f"{CLEAR}{TITLE} {sentence}\n".encode()
    env = {**os.environ, "INTERVIEWER_HOME": str(_isolated_home)}
    done = subprocess.run(
        [str(CLI), "score", "-q", "9"], input=answer, capture_output=True, env=env, timeout=600
    )
    out, err = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    assert done.returncode == 0, err
    _assert_safe(out)
    _assert_safe(err)
    assert "Round robin [/dim] sends requests to each" in out  # the quote wraps later on


# -- item 7: messages ----------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["🙂🙂🙂", "🚀 🔥 👍", "!!! ??? ...", "\x00\x01"])
def test_an_answer_without_words_is_not_called_empty(answer: str) -> None:
    result = tiny_grader().score("bucket", answer)
    assert result.flags == [Flag.NO_WORDS]
    assert result.score == 0
    assert "no words to score" in FLAG_MESSAGES[Flag.NO_WORDS]
    assert tiny_grader().score("bucket", "  \n ").flags == [Flag.EMPTY]


def test_export_last_on_an_empty_home(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "last"]) == 1
    _, err = _out(capsys)
    assert "no session yet" in err and "session 0" not in err


def test_a_folder_at_the_database_path_is_named_as_such(
    _isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (_isolated_home / "transcripts.sqlite3").mkdir(parents=True)
    for argv in (["review"], ["export", "last"]):
        assert main(argv) == 1
        _, err = _out(capsys)
        assert "is a folder, not the transcript database file" in err
        assert "folder missing" not in err


def test_doctor_with_a_hostile_home_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / f"home{CLEAR}{TITLE}"
    monkeypatch.setenv("INTERVIEWER_HOME", str(home))
    assert main(["doctor", "--offline"]) in (0, 1)
    out, _ = _out(capsys)
    assert "home" in out
