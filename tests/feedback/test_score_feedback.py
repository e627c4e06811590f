"""`interviewer score --feedback`: the rubric score first, then the streamed feedback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from interviewer.cli import main
from tests.feedback.chat_server import ChatServer, Fault, Script

ANSWER = (
    "Write-through writes to the cache and the database together, so reads are fresh but writes "
    "are slower. Write-back writes to the cache and flushes to the database later, which is fast "
    "but can lose data if the cache dies. Write-around skips the cache on writes."
)


@pytest.fixture
def answer_file(tmp_path: Path, shared_model: object) -> Path:
    path = tmp_path / "answer.txt"
    path.write_text(ANSWER, encoding="utf-8")
    return path


@pytest.mark.model
def test_score_with_feedback_prints_the_streamed_feedback(
    configured: ChatServer, answer_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", "-q", "10", "-f", str(answer_file), "--feedback"]) == 0
    out = capsys.readouterr().out
    score = re.search(r"Score (\d+)/100", out)
    assert score is not None
    assert out.index("Score") < out.index(f"Feedback (tiny-test at {configured.base_url})")
    assert out.rstrip().endswith(Script().reply.rstrip())
    (sent,) = configured.chat_requests()
    system, user = (m["content"] for m in sent.body["messages"])
    assert f"The score was set by the rubric: {score.group(1)}/100" in system
    assert ANSWER in user and "Caching strategies" in user


@pytest.mark.model
def test_json_feedback_off_and_faults(
    chat_server: ChatServer,
    answer_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With nothing configured the score still comes, with "feedback off"; a fault is one line."""
    assert main(["score", "-q", "10", "-f", str(answer_file), "--feedback", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["score"] >= 0 and payload["feedback"]["complete"] is False
    assert (
        "feedback off" in payload["feedback"]["error"]
        and "interviewer doctor" in payload["feedback"]["error"]
    )
    monkeypatch.setenv("INTERVIEWER_LLM_BASE_URL", chat_server.base_url)
    monkeypatch.setenv("INTERVIEWER_LLM_MODEL", "tiny-test")
    chat_server.script.fault = Fault.CUT
    assert main(["score", "-q", "10", "-f", str(answer_file), "--feedback"]) == 0
    captured = capsys.readouterr()
    assert "Score " in captured.out and Script().reply[:30] in captured.out
    assert "[feedback incomplete] Feedback stopped: the stream stopped half way" in captured.err


def test_feedback_takes_one_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"question": "10", "answer": "x"}\n')
    assert main(["score", "--batch", str(batch), "--feedback"]) == 2
    assert "--feedback takes one answer, not --batch" in capsys.readouterr().err


@pytest.mark.model
def test_second_opinion_is_printed_beside_the_rubric(
    configured: ChatServer,
    answer_file: Path,
    capsys: pytest.CaptureFixture[str],
    _isolated_home: Path,
) -> None:
    config = _isolated_home / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[llm]\nsecond_opinion = true\n", encoding="utf-8")
    verdicts = [
        {"n": 1, "verdict": "covered", "quote": "writes to the cache and the database together"},
        {"n": 2, "verdict": "partial", "quote": "flushes to the database later"},
        {"n": 3, "verdict": "covered", "quote": "skips the cache on writes"},
    ]
    configured.script.reply = json.dumps({"key_points": verdicts})
    assert main(["score", "-q", "10", "-f", str(answer_file), "--feedback"]) == 0
    out = capsys.readouterr().out
    assert "Second opinion (LLM) beside the rubric:" in out
    rows = out.split("Second opinion (LLM) beside the rubric:")[1].strip().splitlines()
    assert len(rows) == 3 and all(row.lstrip().startswith("rubric ") for row in rows)
    assert "llm partial" in rows[1] and "“flushes to the database later”" in rows[1]
    assert [r.body["stream"] for r in configured.chat_requests()] == [True, False]


@pytest.mark.model
def test_judge_llm_sets_the_score_and_shows_the_local_verdicts_beside(
    configured: ChatServer, answer_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--judge llm`: the LLM's verdicts set coverage and the score (a covered verdict quoting text
    not in the answer counts as partial); each key point shows the local verdict beside it."""
    assert main(["score", "-q", "10", "-f", str(answer_file), "--json"]) == 0
    local = json.loads(capsys.readouterr().out)
    verdicts = [
        {"n": 1, "verdict": "missing", "quote": ""},
        {"n": 2, "verdict": "covered", "quote": "flushes to the database later"},
        {"n": 3, "verdict": "covered", "quote": "text the answer never says"},
    ]
    configured.script.reply = json.dumps({"key_points": verdicts})
    argv = ["score", "-q", "10", "-f", str(answer_file), "--judge", "llm", "--json"]
    assert main(argv) == 0
    judged = json.loads(capsys.readouterr().out)
    points = judged["key_points"]
    assert [p["verdict"] for p in points] == ["missing", "covered", "partial"]
    assert [p["coverage"] for p in points] == [0.0, 1.0, 0.5]
    assert judged["score"] == pytest.approx(50.0, abs=0.1)  # equal weights: (0 + 1 + 0.5) / 3
    assert [p["second_opinion"]["verdict"] for p in points] == [
        p["verdict"] for p in local["key_points"]
    ]
    assert all(p["second_opinion"]["judge"] == "local" for p in points)
    assert "llm_judged" in judged["flags"]
    assert [r.body["stream"] for r in configured.chat_requests()] == [False]


@pytest.mark.model
def test_judge_llm_without_an_endpoint_or_on_a_fault_keeps_the_local_score(
    chat_server: ChatServer,
    answer_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert main(["score", "-q", "10", "-f", str(answer_file), "--judge", "llm"]) == 0
    captured = capsys.readouterr()
    assert re.search(r"Score \d+/100", captured.out)
    assert "--judge llm: no LLM endpoint is configured" in captured.err
    assert "scored by the local grader" in captured.err
    monkeypatch.setenv("INTERVIEWER_LLM_BASE_URL", chat_server.base_url)
    monkeypatch.setenv("INTERVIEWER_LLM_MODEL", "tiny-test")
    chat_server.script.reply = "I think it is mostly fine.\x1b[2J"  # no JSON, and a control code
    assert main(["score", "-q", "10", "-f", str(answer_file), "--judge", "llm", "--json"]) == 0
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    assert "llm_judged" not in payload["flags"]
    assert all(p["second_opinion"] is None for p in payload["key_points"])
    (line,) = [x for x in captured.err.splitlines() if "--judge llm" in x]
    assert "not valid JSON" in line and "\x1b" not in line


@pytest.mark.model
def test_the_config_key_makes_the_llm_the_judge_and_the_flag_overrides_it(
    configured: ChatServer,
    answer_file: Path,
    capsys: pytest.CaptureFixture[str],
    _isolated_home: Path,
) -> None:
    config = _isolated_home / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[llm]\njudge = "llm"\n', encoding="utf-8")
    verdicts = [{"n": n, "verdict": "missing", "quote": ""} for n in (1, 2, 3)]
    configured.script.reply = json.dumps({"key_points": verdicts})
    assert main(["score", "-q", "10", "-f", str(answer_file)]) == 0
    out = capsys.readouterr().out
    assert "Score 0/100" in out and "The LLM judged this answer: its verdicts set the score" in out
    assert out.count("    local: ") == 3
    assert main(["score", "-q", "10", "-f", str(answer_file), "--judge", "local"]) == 0
    assert "llm_judged" not in capsys.readouterr().out
    assert len(configured.chat_requests()) == 1


@pytest.mark.model
def test_bidi_overrides_in_the_feedback_never_reach_the_terminal(
    configured: ChatServer, answer_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 14: an LLM reply with a right-to-left override would show its text reordered."""
    configured.script.reply = "Good \u202edaB\u202c answer, \u2066isolated\u2069 too."
    assert main(["score", "-q", "10", "-f", str(answer_file), "--feedback"]) == 0
    assert main(["score", "-q", "10", "-f", str(answer_file), "--feedback", "--json"]) == 0
    out = capsys.readouterr().out
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", out)
    assert "Good daB answer, isolated too." in out
    assert "\\u202e" in out  # the JSON keeps the character, escaped
