"""Banks and rubrics are parsed on libyaml's events (issue 17: "model ready" parses every rubric)
with the same composer, limits and constructors as PyYAML's pure-Python loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.core import problems
from interviewer.core.problems import FileProblems, read_yaml

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    problems._FastLimitedLoader is None, reason="PyYAML was built without libyaml"
)


def test_every_shipped_bank_and_rubric_reads_the_same_on_both_parsers() -> None:
    files = sorted([*(ROOT / "bank").glob("*.yaml"), *(ROOT / "rubrics").rglob("*.yaml")])
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert problems._parse_yaml(text) == problems._load(problems._LimitedLoader, text), path


def test_a_file_libyaml_refuses_gets_pyyamls_message_naming_the_character(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text("questions:\n\t- id: q1\n", encoding="utf-8")
    with pytest.raises(FileProblems) as error:
        read_yaml(path)
    (problem,) = error.value.problems
    assert problem.where == "line 2"
    assert problem.message == "malformed YAML: found character '\\t' that cannot start any token"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: " + "[" * 60 + "]" * 60 + "\n", "nested deeper than 40 levels"),
        ("n: " + "9" * 150 + "\n", "an integer longer than 100 digits"),
        ("- &a [*a]\n", "an alias refers to its own ancestor"),
    ],
    ids=["deep", "long-int", "alias-cycle"],
)
def test_the_limits_hold_on_the_fast_parser(text: str, message: str) -> None:
    loader = problems._FastLimitedLoader
    assert loader is not None
    with pytest.raises(problems._LimitExceeded, match=message):
        problems._load(loader, text)


def test_a_document_deeper_than_libyaml_allows_still_gets_our_limit() -> None:
    text = "a: " + "[" * 100_000 + "]" * 100_000 + "\n"  # libyaml stops at 1,000 levels
    with pytest.raises(problems._LimitExceeded, match="nested deeper than 40 levels"):
        problems._parse_yaml(text)
