"""Fixtures for the TUI tests: the project's real banks and rubrics, a fast grader on a hashing
embedder for flow tests, the real packaged model (loaded once) for the tests that claim grading."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from interviewer.core.grading.embedding import HashingEmbedder
from interviewer.core.grading.grader import Grader
from interviewer.core.interview.session import InterviewSettings, Order
from interviewer.core.ports import AnswerGrader, FeedbackWriter, TranscriptReader, TranscriptStore
from interviewer.core.result import EvidenceSpan, KeyPointResult, ScoreResult, Verdict
from interviewer.core.transcripts.memory_store import InMemoryTranscriptStore
from interviewer.paths import Paths
from interviewer.tui.app import InterviewApp, make_app
from interviewer.tui.config import AppDeps, AppSettings
from interviewer.wiring import GradingContext, build_grader, load_context

REPO = Path(__file__).resolve().parents[2]
LABELLED = REPO / "eval" / "labelled"
# Two questions, always in this order ("due" order with a fixed ranking): the first has a
# follow-up, the second has none (it goes straight on).
FIRST, SECOND = "circuit-breaker-pattern", "design-a-url-shortener"


def labelled_answer(question: str, kind: str) -> str:
    for line in (LABELLED / f"{question}.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["kind"] == kind and row["part"] == "main":
            return str(row["answer"])
    raise LookupError(f"{question}/{kind}")


@pytest.fixture(scope="session")
def context(tmp_path_factory: pytest.TempPathFactory) -> GradingContext:
    return load_context(Paths(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def hashing_grader(context: GradingContext) -> Grader:
    """The real scoring code on a bag-of-words embedder: fast and deterministic, not accurate."""
    return Grader(HashingEmbedder(), context.rubrics.rubrics, context.prompts(), context.params)


@pytest.fixture(scope="session")
def real_grader(context: GradingContext, tmp_path_factory: pytest.TempPathFactory) -> Grader:
    """The packaged sentence-transformers model, loaded once for the whole test session."""
    grader = build_grader(context, paths=Paths(tmp_path_factory.mktemp("model-home")))
    grader.warm_up([FIRST, SECOND])
    return grader


class FixedGrader:
    """Scores by position, not meaning: key point i gets sentence i at a fixed coverage. For the
    snapshots, which show the UI and must not change when the rubrics or the tuning do."""

    COVERAGE = (0.92, 0.45, 0.1, 0.7)

    def __init__(self, context: GradingContext) -> None:
        self.context = context

    def score(self, question: str, answer: str, part: str = "main") -> ScoreResult:
        found = self.context.question(question)
        labels = found.key_points if found is not None and part == "main" else FOLLOW_UP_POINTS
        sentences = [m.span() for m in re.finditer(r"[^.!?\n]+[.!?]?", answer) if m.group().strip()]
        points = []
        for index, label in enumerate(labels):
            coverage = self.COVERAGE[index % len(self.COVERAGE)]
            verdict = (
                Verdict.COVERED
                if coverage >= 0.6
                else Verdict.PARTIAL
                if coverage >= 0.3
                else Verdict.MISSING
            )
            span = (
                sentences[index]
                if index < len(sentences) and verdict is not Verdict.MISSING
                else None
            )
            evidence = (
                EvidenceSpan(text=answer[span[0] : span[1]], start=span[0], end=span[1])
                if span
                else None
            )
            points.append(
                KeyPointResult(
                    key_point=label,
                    coverage=coverage,
                    verdict=verdict,
                    evidence=evidence,
                    similarity=coverage,
                    expected=(f"A strong answer says what “{label}” asks for.",),
                )
            )
        score = round(100 * sum(p.coverage for p in points) / len(points), 1)
        return ScoreResult(
            question=question, part=part, score=score, key_points=points, model="fixed"
        )


FOLLOW_UP_POINTS = ["Uses a baseline", "Tunes the timeout", "Tests the numbers"]


def fixed_order(ids: Sequence[str]) -> list[str]:
    return [i for i in (FIRST, SECOND) if i in ids]


TWO_QUESTIONS = InterviewSettings(count=2, order=Order.DUE)


def frozen_clock() -> float:
    return 1000.0


def build_app(
    context: GradingContext,
    grader_factory: Callable[[], AnswerGrader],
    *,
    settings: InterviewSettings = TWO_QUESTIONS,
    start_directly: bool = False,
    store: TranscriptStore | None = None,
    feedback: FeedbackWriter | None = None,
    clock: Callable[[], float] = frozen_clock,
    reader: TranscriptReader | None = None,
) -> InterviewApp:
    deps = AppDeps(
        catalog=lambda: context.banks.banks,
        grader_factory=grader_factory,
        store=store,
        feedback=feedback,
        due_order=fixed_order,
        warm_up=lambda grader, ids: getattr(grader, "warm_up", lambda ids: None)(ids),
        clock=clock,
        open_reader=None if reader is None else lambda: reader,
    )
    app_settings = AppSettings(interview=settings, start_directly=start_directly)
    return make_app(app_settings, deps)


@pytest.fixture
def store() -> InMemoryTranscriptStore:
    return InMemoryTranscriptStore()


@pytest.fixture
def fast_app(
    context: GradingContext, hashing_grader: Grader, store: InMemoryTranscriptStore
) -> InterviewApp:
    return build_app(context, lambda: hashing_grader, store=store)


class SlowFactory:
    """A grader factory that blocks until the test releases it: "the model is still loading"."""

    def __init__(self, grader: AnswerGrader) -> None:
        self.grader = grader
        self.release = threading.Event()
        self.started = threading.Event()

    def __call__(self) -> AnswerGrader:
        self.started.set()
        if not self.release.wait(timeout=30):
            raise TimeoutError("the test never released the slow factory")
        return self.grader


@pytest.fixture
def slow_factory(hashing_grader: Grader) -> Iterator[SlowFactory]:
    factory = SlowFactory(hashing_grader)
    yield factory
    factory.release.set()
