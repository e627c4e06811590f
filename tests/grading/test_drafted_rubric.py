"""A question with no rubric file is graded with one drafted on the fly, with the real model."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.core.result import Flag, Part
from interviewer.core.rubric.schema import PracticeOnly
from interviewer.paths import Paths
from interviewer.wiring import build_grader, load_context
from tests.grading.conftest import UNRELATED

pytestmark = pytest.mark.model

QUESTION = "circuit-breaker-pattern"


def test_drafted_rubric_grades_the_model_answer_high_and_an_unrelated_one_low(
    real_home: Paths, tmp_path: Path
) -> None:
    no_rubrics = tmp_path / "no-rubrics"
    no_rubrics.mkdir()
    context = load_context(real_home, rubrics_dir=no_rubrics)
    assert context.rubrics.get(QUESTION) is None
    question = context.question(QUESTION)
    assert question is not None
    grader = build_grader(context, paths=real_home)
    strong, unrelated = (
        grader.score(QUESTION, question.answer),
        grader.score(QUESTION, UNRELATED),
    )
    assert strong.score >= 60, strong
    assert unrelated.score <= 15, unrelated
    assert Flag.DRAFT_RUBRIC in strong.flags and Flag.DRAFT_RUBRIC in unrelated.flags
    # the model answer's own sentences are no secret: saying them is not pasting the rubric
    assert Flag.RUBRIC_PASTED not in strong.flags
    with pytest.raises(PracticeOnly):
        grader.score(QUESTION, question.answer, Part.FOLLOW_UP)


def test_a_rubric_file_wins_over_a_draft(real_home: Paths) -> None:
    grader = build_grader(load_context(real_home), paths=real_home)
    result = grader.score(QUESTION, UNRELATED)
    assert Flag.DRAFT_RUBRIC not in result.flags
    assert QUESTION not in grader.drafted
