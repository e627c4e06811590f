"""Fixtures for the LLM feedback tests: a real chat-completions server on 127.0.0.1, a scored answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from interviewer.core.bank.schema import Difficulty, Question
from interviewer.core.feedback.prompt import feedback_request as build_feedback_request
from interviewer.core.ports import Embedder, FeedbackRequest
from interviewer.core.result import EvidenceSpan, KeyPointResult, Part, ScoreResult, Verdict
from tests.feedback.chat_server import ChatServer

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


CIRCUIT = Question(
    id="circuit-breaker-pattern",
    number=1,
    category="Resilience",
    title="Circuit Breaker Pattern",
    prompt="Explain the circuit breaker pattern.",
    difficulty=Difficulty.MID,
    answer="Closed, open, half-open; failure thresholds; fallbacks.",
    key_points=["states", "failure detection", "fallbacks"],
    follow_up="How would you pick the failure threshold?",
)


def scored(answer: str = ANSWER, score: float = 62.0, part: Part = Part.MAIN) -> ScoreResult:
    quote = answer[:60]
    return ScoreResult(
        question="circuit-breaker-pattern",
        part=part,
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
    return build_feedback_request(CIRCUIT, answer, scored(answer, score))


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
