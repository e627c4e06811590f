"""The real `openai` client against the real test server: streaming, faults, retries, second opinion.

The contract every test checks: `stream` never raises; a fault is ONE error event, last, after the
chunks that already arrived.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from pydantic import SecretStr

from interviewer.adapters.llm import LLMFeedback
from interviewer.core.feedback.config import LLMConfig, RetryPolicy
from interviewer.core.ports import (
    FeedbackEvent,
    FeedbackEventKind,
    FeedbackRequest,
    KeyPointOpinion,
    OpinionFailure,
)
from interviewer.core.result import Verdict
from tests.feedback.chat_server import ChatServer, Fault, Script, free_port
from tests.feedback.conftest import ANSWER

KEY = "sk-test-DO-NOT-LEAK-0123456789"
FAST = RetryPolicy(attempts=3, base_delay=0.01)


def _writer(url: str, *, key: str | None = None, model: str = "tiny-test") -> LLMFeedback:
    config = LLMConfig(base_url=url, model=model, timeout=0.5)
    return LLMFeedback(config, SecretStr(key) if key else None, key_source="TEST", retry=FAST)


async def _events(writer: LLMFeedback, request: FeedbackRequest) -> list[FeedbackEvent]:
    return [event async for event in writer.stream(request)]


def _text(events: list[FeedbackEvent]) -> str:
    return "".join(e.text for e in events if e.kind is FeedbackEventKind.CHUNK)


def _one_error_last(events: list[FeedbackEvent]) -> str:
    kinds = [e.kind for e in events]
    assert kinds.count(FeedbackEventKind.ERROR) == 1 and kinds[-1] is FeedbackEventKind.ERROR
    assert FeedbackEventKind.DONE not in kinds
    line = events[-1].text
    assert line and "\n" not in line
    return line


async def test_feedback_streams_in_pieces(
    chat_server: ChatServer, request_: FeedbackRequest
) -> None:
    events = await _events(_writer(chat_server.base_url, key=KEY), request_)
    assert events[-1].kind is FeedbackEventKind.DONE
    chunks = [e for e in events if e.kind is FeedbackEventKind.CHUNK]
    assert len(chunks) > 5 and _text(events) == Script().reply
    (sent,) = chat_server.chat_requests()
    assert sent.body["stream"] is True and sent.body["model"] == "tiny-test"
    assert sent.body["temperature"] == 0.3 and sent.body["max_tokens"] == 700
    assert [m["role"] for m in sent.body["messages"]] == ["system", "user"]
    assert ANSWER in sent.body["messages"][1]["content"]
    assert sent.headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        (Fault.HANG, "did not answer within 0.5 s"),
        (Fault.RATE_LIMITED, "rate limiting (429) after 3 tries"),
        (Fault.SERVER_ERROR, "failed (500) after 3 tries: test fault server_error"),
        (Fault.UNAVAILABLE, "failed (503) after 3 tries"),
        (Fault.BAD_GATEWAY, "failed (502) after 3 tries: HTTP 502"),
        (Fault.NO_V1, "chat/completions does not exist (404): check [llm] base_url"),
    ],
)
async def test_a_fault_before_any_text_is_one_line(
    chat_server: ChatServer, request_: FeedbackRequest, fault: Fault, says: str
) -> None:
    chat_server.script.fault = fault
    events = await _events(_writer(chat_server.base_url), request_)
    assert len(events) == 1
    line = _one_error_last(events)
    assert line.startswith("No feedback: ") and says in line


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        (Fault.HANG_MID_STREAM, "did not answer within 0.5 s"),
        (Fault.CUT, "the stream stopped half way"),
        (Fault.CUT_CHUNKED, "broke off"),
        (Fault.MALFORMED, "malformed chunk"),
        (Fault.WRONG_SHAPE, "not a chat completion chunk"),
        (Fault.STREAM_ERROR, "the server reported an error: the model crashed"),
        (Fault.LENGTH, "reached max_tokens (700): raise [llm] max_tokens"),
    ],
)
async def test_a_fault_mid_stream_keeps_the_text_then_one_line(
    chat_server: ChatServer, request_: FeedbackRequest, fault: Fault, says: str
) -> None:
    chat_server.script.fault = fault
    events = await _events(_writer(chat_server.base_url), request_)
    line = _one_error_last(events)
    assert line.startswith("Feedback stopped: ") and says in line
    assert Script().reply.startswith(_text(events)) and len(_text(events)) >= 36
    assert len(chat_server.chat_requests()) == 1  # never retried once text was shown


async def test_connection_refused(request_: FeedbackRequest) -> None:
    events = await _events(_writer(f"http://127.0.0.1:{free_port()}/v1"), request_)
    assert "cannot connect to http://127.0.0.1:" in _one_error_last(events)


@pytest.mark.parametrize("dialect", ["openai", "ollama", "vllm", "llamacpp"])
async def test_unknown_model(
    chat_server: ChatServer, request_: FeedbackRequest, dialect: str
) -> None:
    chat_server.script.dialect = dialect
    events = await _events(_writer(chat_server.base_url, model="llama9"), request_)
    line = _one_error_last(events)
    assert "model 'llama9' not found" in line and "set [llm] model" in line


async def test_missing_and_wrong_keys(chat_server: ChatServer, request_: FeedbackRequest) -> None:
    chat_server.script.api_key = "the-right-key"
    missing = _one_error_last(await _events(_writer(chat_server.base_url), request_))
    assert "needs an API key (401): set INTERVIEWER_LLM_API_KEY" in missing
    chat_server.script.echo_key = True  # the server repeats the wrong key in its error
    wrong = _one_error_last(await _events(_writer(chat_server.base_url, key=KEY), request_))
    assert "rejected the API key (401)" in wrong and KEY not in wrong and "***" in wrong


async def test_429_then_recovery_honours_retry_after(
    chat_server: ChatServer, request_: FeedbackRequest
) -> None:
    chat_server.script.fault, chat_server.script.fault_times = Fault.RATE_LIMITED, 1
    chat_server.script.retry_after = "1"
    events = await _events(_writer(chat_server.base_url), request_)
    assert events[-1].kind is FeedbackEventKind.DONE and _text(events) == Script().reply
    first, second = chat_server.chat_requests()
    assert second.at - first.at >= 0.95  # waited as asked, not the 0.01 s backoff


async def test_5xx_then_recovery(chat_server: ChatServer, request_: FeedbackRequest) -> None:
    chat_server.script.fault, chat_server.script.fault_times = Fault.UNAVAILABLE, 2
    events = await _events(_writer(chat_server.base_url), request_)
    assert events[-1].kind is FeedbackEventKind.DONE
    assert len(chat_server.chat_requests()) == 3


async def test_a_long_retry_after_is_not_waited_for(
    chat_server: ChatServer, request_: FeedbackRequest
) -> None:
    chat_server.script.fault, chat_server.script.retry_after = Fault.RATE_LIMITED, "3600"
    line = _one_error_last(await _events(_writer(chat_server.base_url), request_))
    assert "rate limiting (429) and asks to wait 3600 s" in line
    assert len(chat_server.chat_requests()) == 1


async def test_the_key_never_reaches_logs_or_errors(
    chat_server: ChatServer, request_: FeedbackRequest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the openai and http client loggers included
    chat_server.script.api_key, chat_server.script.echo_key = "other", True
    writer = _writer(chat_server.base_url, key=KEY)
    events = await _events(writer, request_)
    opinion = await writer.second_opinion(request_)
    findings = await writer.probe()
    assert isinstance(opinion, OpinionFailure)
    shown = " ".join([e.text for e in events] + [opinion.message] + [f.text for f in findings])
    assert "401" in shown and KEY not in shown
    assert caplog.records and KEY not in caplog.text


async def test_claims_of_another_score_get_a_note(
    chat_server: ChatServer, request_: FeedbackRequest
) -> None:
    chat_server.script.reply = "Great answer, I'd say 95/100!"
    events = await _events(_writer(chat_server.base_url), request_)
    assert events[-1].kind is FeedbackEventKind.DONE
    assert _text(events).endswith("> The only score is the rubric's: 62/100.")


async def test_terminal_escapes_from_the_model_are_dropped(
    chat_server: ChatServer, request_: FeedbackRequest
) -> None:
    chat_server.script.reply = "Good.\x1b]0;pwned\x07\x1b[2J Next:\tthis.\n"
    events = await _events(_writer(chat_server.base_url), request_)
    assert _text(events) == "Good.]0;pwned[2J Next:\tthis.\n"


async def test_a_hanging_endpoint_blocks_nothing_else(
    chat_server: ChatServer, request_: FeedbackRequest
) -> None:
    """While one stream hangs, another completes; cancelling the hung one returns at once."""
    hung_server = ChatServer().start()
    try:
        hung_server.script.fault = Fault.HANG
        slow = LLMFeedback(LLMConfig(base_url=hung_server.base_url, model="tiny-test", timeout=60))
        hung = asyncio.create_task(_events(slow, request_))
        events = await _events(_writer(chat_server.base_url), request_)
        assert events[-1].kind is FeedbackEventKind.DONE and not hung.done()
        hung.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(hung, 2)
    finally:
        hung_server.stop()


async def test_closing_the_stream_early_is_clean(
    chat_server: ChatServer, request_: FeedbackRequest
) -> None:
    """What Esc does: stop reading after a few chunks; the generator closes without raising."""
    stream = _writer(chat_server.base_url).stream(request_)
    seen = [await anext(stream) for _ in range(3)]
    await stream.aclose()  # type: ignore[attr-defined]
    assert all(e.kind is FeedbackEventKind.CHUNK for e in seen)


# -- second opinion --------------------------------------------------------------------------------


async def test_second_opinion(chat_server: ChatServer, request_: FeedbackRequest) -> None:
    states, trips = "closed, open and half-open", "trips open after a threshold"
    verdicts = [
        {"n": 1, "verdict": "covered", "quote": states},
        {"n": 2, "verdict": "covered", "quote": trips},
        {"n": 3, "verdict": "missing", "quote": ""},
    ]
    chat_server.script.reply = "```json\n" + json.dumps({"key_points": verdicts}) + "\n```"
    opinion = await _writer(chat_server.base_url).second_opinion(request_)
    assert opinion == [
        KeyPointOpinion("Knows all three states", Verdict.COVERED, states, True),
        KeyPointOpinion("Understands failure detection", Verdict.COVERED, trips, True),
        KeyPointOpinion("Mentions fallback handling", Verdict.MISSING, "", False),
    ]
    (sent,) = chat_server.chat_requests()
    assert sent.body["stream"] is False and "JSON only" in sent.body["messages"][0]["content"]


@pytest.mark.parametrize(
    ("fault", "reply", "says"),
    [
        (Fault.NONE, "Looks fine to me.", "not valid JSON"),
        (Fault.HANG, "", "did not answer within 0.5 s"),
        (Fault.SERVER_ERROR, "", "failed (500) after 3 tries"),
    ],
)
async def test_a_failed_second_opinion_is_one_line(
    chat_server: ChatServer, request_: FeedbackRequest, fault: Fault, reply: str, says: str
) -> None:
    chat_server.script.fault, chat_server.script.reply = fault, reply
    opinion = await _writer(chat_server.base_url).second_opinion(request_)
    assert isinstance(opinion, OpinionFailure) and says in opinion.message


async def test_no_model_configured_is_an_error_not_a_crash(request_: FeedbackRequest) -> None:
    writer = LLMFeedback(
        LLMConfig(base_url="http://127.0.0.1:9/v1"), problems=("no model named: set it",)
    )
    assert _one_error_last(await _events(writer, request_)) == "no model named: set it"
    assert await writer.second_opinion(request_) == OpinionFailure("no model named: set it")
