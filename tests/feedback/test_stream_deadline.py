"""The overall deadline of an LLM request (issue 14, item 6): a server that trickles text steadily, each
piece well within the per-read timeout, is still cut off at `[llm] deadline`, with the text so far kept
and one clear error line. Real `openai` client, real test server, real CLI."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from interviewer.adapters.llm import LLMFeedback
from interviewer.cli import main
from interviewer.core.feedback.config import LLMConfig, RetryPolicy, load_llm_config
from interviewer.core.ports import FeedbackEvent, FeedbackEventKind, FeedbackRequest, OpinionFailure
from tests.feedback.chat_server import ChatServer, Fault, Script

# ~170 characters in 4-character pieces, one every 0.1 s: about 4 s to send in full
TRICKLE = Script(chunk_chars=4, chunk_delay=0.1)


def _writer(url: str, *, timeout: float, deadline: float) -> LLMFeedback:
    config = LLMConfig(base_url=url, model="tiny-test", timeout=timeout, deadline=deadline)
    return LLMFeedback(config, retry=RetryPolicy(attempts=3, base_delay=0.01))


async def _events(writer: LLMFeedback, request: FeedbackRequest) -> list[FeedbackEvent]:
    return [event async for event in writer.stream(request)]


def _text(events: list[FeedbackEvent]) -> str:
    return "".join(e.text for e in events if e.kind is FeedbackEventKind.CHUNK)


async def test_a_trickling_stream_is_cut_at_the_deadline_keeping_its_text(
    chat_server: ChatServer, request_: FeedbackRequest
) -> None:
    chat_server.script = Script(chunk_chars=4, chunk_delay=0.1)
    started = time.monotonic()
    events = await _events(_writer(chat_server.base_url, timeout=0.5, deadline=1.0), request_)
    elapsed = time.monotonic() - started
    assert elapsed < 2.5  # not the ~4 s the whole reply takes
    kinds = [e.kind for e in events]
    assert kinds.count(FeedbackEventKind.ERROR) == 1 and kinds[-1] is FeedbackEventKind.ERROR
    assert FeedbackEventKind.DONE not in kinds
    line = events[-1].text
    assert "\n" not in line
    assert line.startswith("Feedback stopped: it took longer than 1 s in all")
    assert "raise [llm] deadline (INTERVIEWER_LLM_DEADLINE)" in line
    kept = _text(events)
    assert len(kept) >= 12 and TRICKLE.reply.startswith(kept) and kept != TRICKLE.reply
    assert len(chat_server.chat_requests()) == 1  # never retried once text was shown


async def test_a_stream_that_ends_in_time_is_untouched(
    chat_server: ChatServer, request_: FeedbackRequest
) -> None:
    chat_server.script = Script(chunk_chars=40, chunk_delay=0.02)
    events = await _events(_writer(chat_server.base_url, timeout=0.5, deadline=10.0), request_)
    assert events[-1].kind is FeedbackEventKind.DONE
    assert _text(events) == Script().reply


async def test_retries_count_against_the_deadline(
    chat_server: ChatServer, request_: FeedbackRequest
) -> None:
    """A 503 asking for a 5 s wait, within the retry policy's limit, is not waited out."""
    chat_server.script.fault, chat_server.script.retry_after = Fault.UNAVAILABLE, None
    writer = _writer(chat_server.base_url, timeout=0.5, deadline=0.6)
    writer.retry = RetryPolicy(attempts=3, base_delay=5.0)
    started = time.monotonic()
    events = await _events(writer, request_)
    assert time.monotonic() - started < 2.0
    assert [e.kind for e in events] == [FeedbackEventKind.ERROR]
    assert events[0].text.startswith("No feedback: it took longer than 0.6 s in all")


async def test_a_second_opinion_has_the_same_deadline(
    chat_server: ChatServer, request_: FeedbackRequest
) -> None:
    """The server accepts and never answers; the read timeout (5 s) is longer than the deadline."""
    chat_server.script.fault = Fault.HANG
    started = time.monotonic()
    opinion = await _writer(chat_server.base_url, timeout=5.0, deadline=0.5).second_opinion(
        request_
    )
    assert time.monotonic() - started < 2.0
    assert isinstance(opinion, OpinionFailure)
    assert "took longer than 0.5 s in all" in opinion.message and "\n" not in opinion.message


def test_the_deadline_is_a_setting(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[llm]\nmodel = "m"\ndeadline = 45\n', encoding="utf-8")
    loaded = load_llm_config(config, {})
    assert loaded.config.deadline == 45.0 and not loaded.problems
    loaded = load_llm_config(config, {"INTERVIEWER_LLM_DEADLINE": "7.5"})
    assert (
        loaded.config.deadline == 7.5 and loaded.sources["deadline"] == "INTERVIEWER_LLM_DEADLINE"
    )
    assert LLMConfig().deadline == 120.0
    for bad in ("0", "-3", "soon", "nan", "1e9"):
        loaded = load_llm_config(config, {"INTERVIEWER_LLM_DEADLINE": bad})
        assert loaded.config.deadline == 120.0, bad
        assert any("INTERVIEWER_LLM_DEADLINE: deadline:" in p for p in loaded.problems), bad


@pytest.mark.model
def test_score_feedback_from_a_trickling_server_ends_at_the_deadline(
    configured: ChatServer,
    tmp_path: Path,
    shared_model: object,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real command: the score, the feedback written so far, one line saying why it stopped."""
    configured.script = Script(chunk_chars=4, chunk_delay=0.1)
    monkeypatch.setenv("INTERVIEWER_LLM_DEADLINE", "1")
    answer = tmp_path / "answer.txt"
    answer.write_text("Write-through updates the cache and the database together.", "utf-8")
    assert main(["score", "-q", "10", "-f", str(answer), "--feedback"]) == 0
    captured = capsys.readouterr()
    assert "Score " in captured.out and TRICKLE.reply[:8] in captured.out
    assert TRICKLE.reply.rstrip() not in captured.out
    assert "[feedback incomplete] Feedback stopped: it took longer than 1 s in all" in captured.err
