"""`score --bank ID`: `-q 1` means question 1 of the named bank, not of the first bank (issue 15).
A --batch line may name its own bank."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from interviewer.cli import main
from interviewer.commands.score import BatchLine, _checked, read_batch
from interviewer.core.result import Part
from interviewer.wiring import load_context

SECOND = {
    "id": "second",
    "title": "Second bank",
    "questions": [
        {
            "id": "token-bucket",
            "number": 1,
            "category": "Basics",
            "title": "Token bucket",
            "prompt": "How does a token bucket rate limiter work?",
            "difficulty": "Mid",
            "answer": "A bucket holds tokens that refill at a steady rate.",
            "key_points": ["Explains refill"],
        }
    ],
}
RUBRIC = {
    "question": "token-bucket",
    "key_points": [
        {
            "label": "Explains refill",
            "evidence": [
                "Tokens are added to the bucket at a fixed rate, up to its capacity.",
                "Each request takes one token; an empty bucket means the request is refused.",
                "The refill rate sets the sustained limit and the capacity sets the burst.",
                "A full bucket lets a short burst through before the steady rate applies.",
            ],
        }
    ],
}


@pytest.fixture
def second_bank(_isolated_home: Path) -> Path:
    (_isolated_home / "banks").mkdir(parents=True)
    (_isolated_home / "banks" / "second.yaml").write_text(yaml.safe_dump(SECOND))
    rubrics = _isolated_home / "rubrics" / "second"
    rubrics.mkdir(parents=True)
    (rubrics / "token-bucket.yaml").write_text(yaml.safe_dump(RUBRIC))
    return _isolated_home


def test_a_number_means_the_named_banks_question(second_bank: Path) -> None:
    context = load_context()
    line = BatchLine(1, "a", "1", "some answer")
    assert _checked(line, context, Part.MAIN).question == "monolithic-vs-microservices-trade-offs"
    assert _checked(line, context, Part.MAIN, "second").question == "token-bucket"
    own = BatchLine(2, "b", "1", "some answer", bank="second")
    assert _checked(own, context, Part.MAIN).question == "token-bucket"
    project = BatchLine(3, "c", "1", "x", bank="architecture-system-design")
    assert _checked(project, context, Part.MAIN, "second").question.startswith("monolithic")


def test_an_unknown_bank_is_one_clear_error(second_bank: Path) -> None:
    context = load_context()
    checked = _checked(BatchLine(1, None, "1", "x", bank="nope"), context, Part.MAIN)
    assert checked.error is not None and checked.error.startswith("no bank 'nope' (the banks: ")
    missing = _checked(BatchLine(1, None, "7", "x"), context, Part.MAIN, "second")
    assert missing.error == "no question '7' in bank 'second' (see `interviewer bank list`)"


def test_a_bank_field_must_be_text() -> None:
    (line,) = read_batch(b'{"question": "1", "answer": "x", "bank": 5}')
    assert line.error == "bank: expected a bank id"
    (good,) = read_batch(b'{"question": "1", "answer": "x", "bank": "second"}')
    assert (good.error, good.bank) == (None, "second")


def test_cli_refuses_an_unknown_bank_before_loading_the_model(
    second_bank: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", "-q", "1", "--bank", "nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("interviewer score: no bank 'nope' (the banks: ")
    assert "second" in err[-1]


@pytest.mark.model
def test_cli_scores_the_named_banks_question(
    second_bank: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text(
        "Tokens drip into the bucket at a steady rate up to a cap; each request spends one and "
        "is refused when the bucket is empty, so a full bucket absorbs a burst."
    )
    assert main(["score", "-q", "1", "--bank", "second", "-f", str(answer), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["question"] == "token-bucket"
    assert result["key_points"][0]["verdict"] in {"covered", "partial"}
