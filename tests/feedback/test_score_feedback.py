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
