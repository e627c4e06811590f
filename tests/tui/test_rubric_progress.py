"""Rubrics that must be embedded (a user's own bank, a drafted rubric) show their progress in the
status bar; rubrics already in the statement cache say nothing."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pytest

from interviewer.core.grading.embedding import HashingEmbedder, Matrix
from interviewer.core.grading.grader import Grader
from interviewer.tui.grader_handle import ModelState
from interviewer.tui.widgets.status import StatusBar
from interviewer.wiring import GradingContext

from .conftest import TWO_QUESTIONS, build_app
from .helpers import screen_name, settle, until


class SlowEmbedder(HashingEmbedder):
    """The bag-of-words embedder, taking the time a real model takes to embed a rubric."""

    def encode(self, texts: Sequence[str]) -> Matrix:
        if len(texts) > 5:  # a rubric's statements, not the warm-up of one answer
            time.sleep(0.2)
        return super().encode(texts)


async def _notes(
    context: GradingContext, grader: Grader, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    seen: list[str] = []
    original = StatusBar.note

    def record(bar: StatusBar, text: str) -> None:
        seen.append(text)
        original(bar, text)

    monkeypatch.setattr(StatusBar, "note", record)
    app = build_app(context, lambda: grader, settings=TWO_QUESTIONS, start_directly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await until(pilot, lambda: screen_name(pilot) == "QuestionScreen", "the first question")
        await until(pilot, lambda: app.model_state is ModelState.READY, "the model")
        await app.workers.wait_for_complete()  # the rubric warm-up included
        await settle(pilot)
    return seen


async def test_rubrics_being_embedded_show_a_count_then_ready(
    context: GradingContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    grader = Grader(SlowEmbedder(), context.rubrics.rubrics, context.prompts(), context.params)
    seen = await _notes(context, grader, monkeypatch)
    assert "preparing rubrics, once: 1/2" in seen
    assert seen[-1] == "rubrics ready"


async def test_cached_rubrics_say_nothing(
    context: GradingContext, hashing_grader: Grader, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashing_grader.warm_up([q.id for bank in context.banks.banks for q in bank.questions])
    seen = await _notes(context, hashing_grader, monkeypatch)
    assert not [text for text in seen if "rubrics" in text]
