"""A hostile or broken bank or rubric file in the user's folders is reported in one line and skipped;
the others load. Size, nesting, alias and integer limits hold while the YAML is parsed, a FIFO is
never opened, and what `bank check` rejects is never used to score (issue 14, item 3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from interviewer.cli import main
from interviewer.core.bank.loading import load_banks
from interviewer.core.bank.schema import Bank
from interviewer.core.grading.embedding import HashingEmbedder
from interviewer.core.grading.grader import ScoreRequest
from interviewer.core.problems import MAX_YAML_BYTES, FileProblems, read_yaml
from interviewer.core.result import Part
from interviewer.core.rubric.loading import load_rubric
from interviewer.core.rubric.schema import Rubric
from interviewer.paths import Paths
from interviewer.wiring import build_grader, load_context
from tests.conftest import BANK, REPO

QUESTION = {
    "id": "alpha",
    "number": 1,
    "category": "Basics",
    "title": "Alpha",
    "prompt": "What is alpha?",
    "difficulty": "Mid",
    "key_points": ["Knows alpha"],
}
CIRCUIT = "circuit-breaker-pattern"
ANSWER_TEXT = "Closed, open and half-open states; failures trip it open; a fallback while open."
SHIPPED_RUBRIC = REPO / "rubrics" / "architecture-system-design" / f"{CIRCUIT}.yaml"


def _laughs() -> str:
    """A billion laughs: nine levels of ten aliases each, a few hundred bytes."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def _amplified_bank() -> str:
    """A valid-looking bank whose 90 KB answer is repeated by alias in 200 questions (the issue's
    270 KB file wrote 1 GB from `bank list --json`); every part is within the schema's limits."""
    text = (
        "id: amp\ntitle: Amp\nquestions:\n"
        "  - {id: q1, number: 1, category: C, title: T, prompt: P, difficulty: Mid,\n"
        f"     key_points: [K], answer: &long '{'x' * 90_000}'}}\n"
    )
    for number in range(2, 201):
        text += (
            f"  - {{id: q{number}, number: {number}, category: C, title: T, prompt: P, "
            f"difficulty: Mid, key_points: [K], answer: *long}}\n"
        )
    return text


# name -> (content, what the one-line problem says)
HOSTILE: dict[str, tuple[str | bytes, str]] = {
    "deep.yaml": ("[" * 100_000, "nested deeper than"),
    "deep-mapping.yaml": ("".join("  " * i + "k:\n" for i in range(200)), "nested deeper than"),
    "huge-int.yaml": (
        f"id: h\ntitle: H\nquestions:\n  - number: {'9' * 5000}\n",
        "integer longer than",
    ),
    "laughs.yaml": (_laughs(), "once aliases are expanded"),
    "many-values.yaml": ("[" + "1, " * 60_000 + "1]", "more than 50000 values"),
    "amplified.yaml": (_amplified_bank(), "once aliases are expanded"),
    "cycle.yaml": ("a: &a [1, *a]\n", "refers to its own ancestor"),
    "bad-date.yaml": ("id: d\ncreated: 2024-02-30\n", "day is out of range"),
    "latin1.yaml": ("id: é\n".encode("latin-1"), "not UTF-8"),
    "big.yaml": ("title: '" + "x" * (MAX_YAML_BYTES + 10) + "'\n", "the limit is"),
    "unhashable-key.yaml": ("? [a, b]\n: c\n", "malformed YAML"),
    "huge-number.yaml": (
        yaml.safe_dump({"id": "n", "title": "N", "questions": [{**QUESTION, "number": 10**50}]}),
        "number: Input should be less than or equal to",
    ),
}


def _plant(folder: Path, name: str, content: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _plant_specials(folder: Path) -> list[Path]:
    """A FIFO (opening it would block) and a folder, both named like bank files."""
    folder.mkdir(parents=True, exist_ok=True)
    fifo = folder / "fifo.yaml"
    os.mkfifo(fifo)
    directory = folder / "folder.yaml"
    directory.mkdir()
    return [fifo, directory]


@pytest.mark.parametrize("name", HOSTILE)
def test_bank_check_names_each_hostile_file_in_one_line(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    content, message = HOSTILE[name]
    path = _plant(tmp_path, name, content)
    assert main(["bank", "check", str(path)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}: ")
    assert message in lines[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_hostile_user_banks_never_hide_the_shipped_one_nor_hang(_isolated_home: Path) -> None:
    """Through the real CLI in a subprocess with a timeout: a FIFO would block `open` forever."""
    banks = _isolated_home / "banks"
    for name, (content, _message) in HOSTILE.items():
        _plant(banks, name, content)
    specials = _plant_specials(banks)
    run = subprocess.run(
        [sys.executable, "-m", "interviewer.cli", "bank", "list", "--json"],
        capture_output=True,
        timeout=120,
        env={**os.environ, "INTERVIEWER_HOME": str(_isolated_home)},
        check=False,
    )
    err = run.stderr.decode()
    assert run.returncode == 0, err
    assert "Traceback" not in err
    assert len(run.stdout) < 200_000  # the shipped bank's list, not an alias expansion
    assert len(json.loads(run.stdout)) == 34
    warnings = err.strip().splitlines()
    assert len(warnings) == len(HOSTILE) + len(specials)
    for path in [*(banks / name for name in HOSTILE), *specials]:
        assert sum(f"{path}:" in line for line in warnings) == 1, path
    assert sum("not a regular file" in line for line in warnings) == 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_given_to_bank_check_is_reported_not_opened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo, _folder = _plant_specials(tmp_path)
    assert main(["bank", "check", str(fifo)]) == 1
    assert capsys.readouterr().err.strip() == f"{fifo}: file: read: not a regular file"


def test_aliases_within_the_limits_still_load(tmp_path: Path) -> None:
    path = _plant(tmp_path, "ok.yaml", "base: &base {a: 1, b: [x, y]}\none: *base\ntwo: *base\n")
    assert read_yaml(path) == {
        "base": {"a": 1, "b": ["x", "y"]},
        "one": {"a": 1, "b": ["x", "y"]},
        "two": {"a": 1, "b": ["x", "y"]},
    }


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = _plant(tmp_path, "bom.yaml", "\ufeffa: 1\n")
    assert read_yaml(path) == {"a": 1}


@pytest.mark.parametrize("ref", ["²", "١٣", "9" * 5000, "99999999999999999999", "-13", " 13"])
def test_odd_question_numbers_find_nothing_and_never_raise(ref: str) -> None:
    bank = Bank.model_validate(yaml.safe_load(BANK.read_text(encoding="utf-8")))
    assert bank.get(ref) is None
    found = bank.get("13")
    assert found is not None and found.id == CIRCUIT


# --- rubrics: what `bank check` rejects is never used; what it accepts scores -----------------


def _shipped() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SHIPPED_RUBRIC.read_text(encoding="utf-8"))
    return data


def _first_point(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = _shipped()
    change(data["key_points"][0])
    return data


def _set(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda point: point.__setitem__(key, value)


BAD_RUBRICS: dict[str, tuple[dict[str, Any], str]] = {
    "huge weight": (_first_point(_set("weight", 1e300)), "weight"),
    "infinite weight": (_first_point(_set("weight", float("inf"))), "weight"),
    "NaN weight": (_first_point(_set("weight", float("nan"))), "weight"),
    "zero weight": (_first_point(_set("weight", 0)), "weight"),
    "negative threshold": (_first_point(_set("threshold", -0.5)), "threshold"),
    "zero threshold": (_first_point(_set("threshold", 0)), "threshold"),
    "threshold over 1": (_first_point(_set("threshold", 1.5)), "threshold"),
    "NaN threshold": (_first_point(_set("threshold", float("nan"))), "threshold"),
    "NaN slope": (
        _first_point(_set("calibration", {"slope": float("nan"), "intercept": 0})),
        "calibration.slope",
    ),
    "infinite intercept": (
        _first_point(_set("calibration", {"slope": 1, "intercept": float("-inf")})),
        "calibration.intercept",
    ),
    "huge slope": (
        _first_point(_set("calibration", {"slope": 1e12, "intercept": 0})),
        "calibration.slope",
    ),
    "too many statements": (
        _first_point(_set("evidence", [f"Statement number {i}." for i in range(61)])),
        "evidence",
    ),
    "a statement too long": (_first_point(_set("mistakes", ["word " * 300])), "mistakes"),
    "too many in all": (
        {
            **_shipped(),
            "key_points": [
                {
                    "label": label,
                    "evidence": [f"Evidence {i} of {label}." for i in range(60)],
                    "mistakes": [f"Mistake {i} of {label}." for i in range(60)],
                    "mentions": [f"Mention {i} of {label}." for i in range(60)],
                }
                for label in "ABCD"
            ],
        },
        "statements; the limit is",
    ),
    "labels differ from the bank": (_first_point(_set("label", "Knows four states")), "labels"),
    "a huge version": ({**_shipped(), "version": 10**40}, "version"),
}


def _user_rubric(home: Path, data: dict[str, Any]) -> Path:
    folder = home / "rubrics"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{CIRCUIT}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=10_000), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", BAD_RUBRICS)
def test_a_rubric_check_rejects_is_never_used_to_score(
    _isolated_home: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data, field = BAD_RUBRICS[case]
    path = _user_rubric(_isolated_home, data)
    assert main(["bank", "check"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines and all(line.startswith(f"{path}: ") for line in lines), lines
    assert any(field in line for line in lines), lines
    context = load_context()
    assert [str(p) for p in context.rubrics.problems] == lines
    used = context.rubrics.get(CIRCUIT)
    assert used is not None
    assert used.model_dump(mode="json") == _shipped_model()  # the shipped rubric, not the user's


def _shipped_model() -> dict[str, Any]:
    return load_rubric(SHIPPED_RUBRIC).model_dump(mode="json")


EXTREME_BUT_ACCEPTED: dict[str, Callable[[dict[str, Any]], None]] = {
    "largest weight": _set("weight", 100),
    "smallest weight": _set("weight", 1e-9),
    "threshold 1": _set("threshold", 1),
    "tiny threshold": _set("threshold", 1e-9),
    "steep calibration": _set("calibration", {"slope": 1000, "intercept": -1000}),
    "flat calibration": _set("calibration", {"slope": 0, "intercept": 1000}),
}


@pytest.mark.parametrize("case", EXTREME_BUT_ACCEPTED)
def test_a_rubric_check_accepts_scores_without_a_crash(
    _isolated_home: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _user_rubric(_isolated_home, _first_point(EXTREME_BUT_ACCEPTED[case]))
    assert main(["bank", "check"]) == 0, capsys.readouterr().err
    context = load_context()
    assert context.rubrics.problems == []
    grader = build_grader(context, HashingEmbedder(), paths=Paths.from_env())
    answers = ["", "Closed, open and half-open states, with a fallback.", "x " * 5000]
    for result in grader.score_batch([ScoreRequest(CIRCUIT, a, Part.MAIN) for a in answers]):
        assert 0.0 <= result.score <= 100.0
        assert all(0.0 <= kp.coverage <= 1.0 for kp in result.key_points)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_broken_user_rubrics_leave_the_shipped_ones_in_use(_isolated_home: Path) -> None:
    folder = _isolated_home / "rubrics"
    _plant(folder, f"{CIRCUIT}.yaml", "[" * 100_000)
    os.mkfifo(folder / "design-a-url-shortener.yaml")
    context = load_context()
    problems = sorted(str(problem) for problem in context.rubrics.problems)
    assert len(problems) == 2
    assert "nested deeper than" in problems[0]
    assert problems[1].endswith("design-a-url-shortener.yaml: file: read: not a regular file")
    assert len(context.rubrics.rubrics) == 34


# --- fuzz: any text in a bank file is either loaded or reported, never a crash -----------------

YAML_PIECES = st.sampled_from(
    [
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "- ",
        "\n",
        "  ",
        "&a ",
        "*a",
        "&b ",
        "*b",
        "? ",
        "!!int ",
        "!!float ",
        "!!binary ",
        "!!set ",
        "<<: ",
        "'",
        '"',
        "#",
        "|",
        ">",
        "id: ",
        "questions:",
        "number: ",
        "9" * 30,
        "1e999",
        ".nan",
        "2024-02-30",
        "\t",
        "\x00",
        "\ufeff",
        "%YAML 1.1\n",
        "---\n",
        "...\n",
        "é",
        "\ud800",
    ]
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pieces=st.lists(YAML_PIECES | st.text(max_size=5), max_size=60))
def test_any_text_in_a_bank_file_is_loaded_or_reported(tmp_path: Path, pieces: list[str]) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes("".join(pieces).encode("utf-8", "surrogatepass"))
    try:
        read_yaml(path)
    except FileProblems as error:
        assert len(error.problems) == 1
        assert "\n" not in str(error.problems[0])
    loaded = load_banks([BANK, path])
    assert [bank.id for bank in loaded.banks][:1] == ["architecture-system-design"]


NUMBERS = (
    st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from([0, 1e-300, 100, 100.0000001, 1, 1.0000001, 1000, -1000])
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    weight=NUMBERS,
    threshold=st.none() | NUMBERS,
    calibration=st.none() | st.tuples(NUMBERS, NUMBERS),
)
def test_what_validation_accepts_scores_to_a_finite_result(
    _isolated_home: Path,
    weight: float,
    threshold: float | None,
    calibration: tuple[float, float] | None,
) -> None:
    """Any weight, threshold and calibration: the rubric is refused, or every score it gives
    is a number in [0, 100] with coverages in [0, 1]."""
    data = _shipped()
    point = data["key_points"][0]
    point["weight"] = weight
    if threshold is not None:
        point["threshold"] = threshold
    if calibration is not None:
        point["calibration"] = {"slope": calibration[0], "intercept": calibration[1]}
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError:
        return
    context = load_context()
    context.rubrics.rubrics[CIRCUIT] = rubric
    grader = build_grader(context, HashingEmbedder(), paths=Paths.from_env())
    answers = ["", ANSWER_TEXT, "half-open " * 50]
    for result in grader.score_batch([ScoreRequest(CIRCUIT, a, Part.MAIN) for a in answers]):
        assert 0.0 <= result.score <= 100.0
        assert all(0.0 <= kp.coverage <= 1.0 for kp in result.key_points)
