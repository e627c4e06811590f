"""Fixtures for the LLM feedback tests: a real chat-completions server on 127.0.0.1, a scored answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from interviewer.core.grading.embedding import Embedder
from interviewer.core.ports import FeedbackRequest
from interviewer.core.result import EvidenceSpan, KeyPointResult, ScoreResult, Verdict
from tests.llm.chat_server import ChatServer

LLM_VARIABLES = (
    "INTERVIEWER_LLM_BASE_URL",
    "INTERVIEWER_LLM_MODEL",
    "INTERVIEWER_LLM_TIMEOUT",
    "INTERVIEWER_LLM_API_KEY",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
)
ANSWER = (
    "A circuit breaker has three states: closed, open and half-open. "
    "It counts failures and trips open after a threshold, then probes with a trial call."
)


@pytest.fixture(autouse=True)
def _no_llm_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own endpoint or key never leaks into a test."""
    for name in LLM_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer().start()
    yield server
    server.stop()


@pytest.fixture
def configured(chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch) -> ChatServer:
    """The environment points feedback at the test server."""
    monkeypatch.setenv("INTERVIEWER_LLM_BASE_URL", chat_server.base_url)
    monkeypatch.setenv("INTERVIEWER_LLM_MODEL", "tiny-test")
    monkeypatch.setenv("INTERVIEWER_LLM_TIMEOUT", "2")
    return chat_server


def scored(answer: str = ANSWER, score: float = 62.0) -> ScoreResult:
    quote = answer[:60]
    return ScoreResult(
        question="circuit-breaker-pattern",
        score=score,
        key_points=[
            KeyPointResult(
                key_point="Knows all three states",
                coverage=0.91,
                verdict=Verdict.COVERED,
                evidence=EvidenceSpan(text=quote, start=0, end=len(quote)),
                similarity=0.8,
            ),
            KeyPointResult(
                key_point="Understands failure detection",
                coverage=0.45,
                verdict=Verdict.PARTIAL,
                evidence=None,
                similarity=0.5,
            ),
            KeyPointResult(
                key_point="Mentions fallback handling",
                coverage=0.05,
                verdict=Verdict.MISSING,
                evidence=None,
                similarity=0.1,
            ),
        ],
    )


def feedback_request(answer: str = ANSWER, score: float = 62.0) -> FeedbackRequest:
    return FeedbackRequest(
        question_title="Circuit Breaker Pattern",
        question_prompt="Explain the circuit breaker pattern.",
        model_answer="Closed, open, half-open; failure thresholds; fallbacks.",
        answer=answer,
        result=scored(answer, score),
    )


@pytest.fixture
def request_() -> FeedbackRequest:
    return feedback_request()


@pytest.fixture(scope="session")
def packaged_embedder() -> Embedder:
    """The real packaged model, loaded once for every `model` test in this folder."""
    from interviewer.adapters.embedder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    embedder.load()
    return embedder


@pytest.fixture
def shared_model(packaged_embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> Embedder:
    """`interviewer score` run in-process reuses the loaded model instead of loading its own."""
    import interviewer.wiring

    monkeypatch.setattr(
        interviewer.wiring, "default_embedder", lambda model=None: packaged_embedder
    )
    return packaged_embedder
