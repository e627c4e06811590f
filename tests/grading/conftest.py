"""Fixtures for the grader tests: a tiny in-memory rubric set on a counting hashing embedder for the
fast maths tests, and the real packaged model (loaded once per session) for the quality claims."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from interviewer.core.grading.embedding import HashingEmbedder, Matrix, StatementCache
from interviewer.core.grading.grader import Grader
from interviewer.core.grading.params import ScoringParams
from interviewer.core.rubric.schema import FollowUpRubric, KeyPointRubric, Rubric
from interviewer.paths import Paths
from interviewer.wiring import GradingContext, build_grader, load_context

REPO = Path(__file__).resolve().parents[2]
LABELLED = REPO / "eval" / "labelled"
CLI = REPO / ".venv" / "bin" / "interviewer"

# The tiny rubric: each key point has one evidence statement with its own vocabulary, so with the
# bag-of-words embedder an answer sentence equal to a statement matches it exactly (similarity 1.0)
# and matches the other points hardly at all.
TOKENS = "The bucket refills tokens at a steady rate every second."
BURSTS = "A full bucket lets a short burst of requests through at once."
REJECTS = "Requests finding no token get rejected with status 429."
KEYS = "Each client key gets its own bucket stored in Redis."
UNRELATED = "My grandmother grows tomatoes and basil in her garden."


class CountingEmbedder:
    """The hashing embedder, recording every batch it is asked to embed."""

    def __init__(self) -> None:
        self.inner = HashingEmbedder()
        self.calls: list[list[str]] = []

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def texts(self) -> list[str]:
        return [text for call in self.calls for text in call]

    def encode(self, texts: Sequence[str]) -> Matrix:
        self.calls.append(list(texts))
        return self.inner.encode(texts)


def key_point(label: str, statement: str, weight: float = 1.0) -> KeyPointRubric:
    return KeyPointRubric(label=label, evidence=[statement], weight=weight)


def bucket_rubric(weights: Sequence[float] = (1.0, 1.0, 1.0), version: int = 1) -> Rubric:
    labels = ("Explains refill", "Explains bursts", "Explains rejection")
    statements = (TOKENS, BURSTS, REJECTS)
    follow_up = FollowUpRubric(
        prompt="How do you share limits across servers?",
        key_points=[key_point("Uses a shared store", KEYS)],
    )
    return Rubric(
        question="bucket",
        version=version,
        key_points=[
            key_point(label, statement, weight)
            for label, statement, weight in zip(labels, statements, weights, strict=True)
        ],
        follow_up=follow_up,
    )


def tiny_grader(
    weights: Sequence[float] = (1.0, 1.0, 1.0),
    embedder: CountingEmbedder | None = None,
    cache_dir: Path | None = None,
) -> Grader:
    """The real Grader on the tiny rubric with the default (untuned) map: coverage = σ(14·best − 7)."""
    embedder = embedder or CountingEmbedder()
    return Grader(
        embedder,
        {"bucket": bucket_rubric(weights)},
        {"bucket": "Token bucket rate limiting. How does a token bucket limit requests?"},
        # paste and one-liner rules off: with bag-of-words vectors every restatement is a copy, and
        # these answers are single statements on purpose (test_gaming.py tests both rules)
        ScoringParams(pasted_at=2.0, one_liner_words=0),
        StatementCache(embedder, cache_dir),
    )


@pytest.fixture
def counting() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture
def grader(counting: CountingEmbedder) -> Grader:
    return tiny_grader(embedder=counting)


@pytest.fixture(scope="session")
def real_home(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    return Paths(tmp_path_factory.mktemp("grader-model-home"))


@pytest.fixture(scope="session")
def real_context(real_home: Paths) -> GradingContext:
    return load_context(real_home)


@pytest.fixture(scope="session")
def real_grader(real_context: GradingContext, real_home: Paths) -> Grader:
    """The packaged model with the shipped map and verifier (the default), loaded once for every
    `model` test."""
    return build_grader(real_context, paths=real_home)
