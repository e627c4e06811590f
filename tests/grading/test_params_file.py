"""A user's `rubrics/_scoring.yaml` (the fitted map) is read with the limits of a rubric file: a bad
one is one warning line and the shipped map scores instead (issue 14)."""

from __future__ import annotations

import os

import pytest
import yaml

from interviewer.cli import main
from interviewer.core.grading.embedding import HashingEmbedder
from interviewer.core.grading.params import PARAMS_FILE, load_params
from interviewer.core.problems import MAX_YAML_BYTES
from interviewer.paths import Paths
from interviewer.wiring import build_grader, load_context


def _shipped() -> dict[str, object]:
    data = yaml.safe_load((Paths.from_env().project_rubrics / PARAMS_FILE).read_text())
    assert isinstance(data, dict)
    return data


def _with(**changes: object) -> str:
    return yaml.safe_dump({**_shipped(), **changes})


BAD_MAPS: dict[str, tuple[str, str]] = {
    "NaN coefficient": (_with(coef=[float("nan")] * 9), "coef: a coefficient is not a number"),
    "huge coefficient": (_with(coef=[1e300] * 9), "coef: a coefficient is not a number"),
    "infinite intercept": (_with(intercept=float("inf")), "intercept: Input should be"),
    "covered_at above 1": (_with(covered_at=5.0), "covered_at: Input should be less"),
    "covered_at zero": (_with(covered_at=0.0), "covered_at: Input should be greater"),
    "negative penalty": (_with(penalty_unexplained=-3.0), "penalty_unexplained: Input"),
    "bands crossed": (_with(partial_at=0.9, covered_at=0.5), "partial_at is above covered_at"),
    "unknown feature": (_with(features=["best", "magic"], coef=[1.0, 2.0]), "unknown features"),
    "coef count": (_with(coef=[1.0]), "coef length mismatch"),
    "unknown field": (_with(surprise=1), "surprise: unknown field"),
    "not a mapping": ("- 1\n- 2\n", "file: expected a mapping"),
    "malformed": ("features: [best\n", "malformed YAML"),
    "deep": ("a: " + "[" * 100 + "]" * 100 + "\n", "nested deeper than 40 levels"),
    "huge integer": ("one_liner_words: " + "9" * 500 + "\n", "an integer longer than 100"),
    "too big": ("fitted: '" + "x" * (MAX_YAML_BYTES + 10) + "'\n", "the limit is"),
}


@pytest.mark.parametrize("kind", list(BAD_MAPS))
def test_a_bad_user_map_warns_once_and_the_shipped_map_scores(kind: str) -> None:
    text, expected = BAD_MAPS[kind]
    paths = Paths.from_env()
    paths.user_rubrics.mkdir(parents=True)
    (paths.user_rubrics / PARAMS_FILE).write_text(text)
    context = load_context(paths)
    assert context.params == load_params(paths.project_rubrics)
    lines = [str(p) for p in context.rubrics.problems]
    assert len(lines) == 1, lines
    assert lines[0].startswith(str(paths.user_rubrics / PARAMS_FILE))
    assert expected in lines[0]
    assert lines[0].endswith("this map is not used, the shipped one is")


def test_a_fifo_map_is_refused_unopened() -> None:
    paths = Paths.from_env()
    paths.user_rubrics.mkdir(parents=True)
    os.mkfifo(paths.user_rubrics / PARAMS_FILE)
    context = load_context(paths)  # would block forever if opened
    assert context.params == load_params(paths.project_rubrics)
    assert [p.message for p in context.rubrics.problems] == [
        "not a regular file; this map is not used, the shipped one is"
    ]


def test_a_good_user_map_is_used() -> None:
    paths = Paths.from_env()
    assert load_context(paths).verifier_params is not None  # shipped: the verifier map scores
    paths.user_rubrics.mkdir(parents=True)
    (paths.user_rubrics / PARAMS_FILE).write_text(_with(covered_at=0.7))
    context = load_context(paths)
    assert context.params.covered_at == 0.7 and not context.rubrics.problems
    # the user's own fitted map wins over the shipped verifier map, so their corrections count
    assert context.verifier_params is None
    grader = build_grader(context, HashingEmbedder(), paths=paths)
    assert grader.verifier is None and grader.params.covered_at == 0.7


def test_the_warning_is_one_line_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    paths = Paths.from_env()
    paths.user_rubrics.mkdir(parents=True)
    (paths.user_rubrics / PARAMS_FILE).write_text(_with(coef=[float("nan")] * 9))
    assert main(["rubric", "check", "--bank", "nope"]) == 2  # warns, then stops before the model
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"warning: {paths.user_rubrics / PARAMS_FILE}: scoring map: coef:")
