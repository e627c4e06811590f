"""`interviewer score --batch`: one bad line never takes the batch down. The good lines are scored,
each bad one is reported with its line number on stderr and as an `{"line", "error"}` object in its
place on stdout (which stays one JSON document per line), and the exit status says some failed
(issue 14, item 3)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviewer.commands.score import MAX_BATCH_INT_DIGITS, BatchLine, read_batch

CIRCUIT = "circuit-breaker-pattern"
ANSWER = (
    "A circuit breaker guards calls to a flaky dependency. In the closed state calls go through "
    "and failures are counted; past a threshold it opens and rejects calls at once. After a "
    "cool-down it goes half-open and lets a trial call through. While open, return a fallback."
)
BOM = b"\xef\xbb\xbf"


def row(request_id: object, question: object = CIRCUIT, answer: object = ANSWER) -> bytes:
    return json.dumps({"id": request_id, "question": question, "answer": answer}).encode()


# every kind of bad line, with what its one-line report says
BAD_LINES: dict[str, tuple[bytes, str]] = {
    "malformed JSON": (b"{not json", "not JSON"),
    "not an object": (json.dumps([CIRCUIT, ANSWER]).encode(), "got a JSON list"),
    "no answer": (json.dumps({"id": 1, "question": CIRCUIT}).encode(), "'answer' missing"),
    "answer not text": (row(2, answer=42), "answer: expected a string"),
    "question a list": (row(3, question=[CIRCUIT]), "question: expected"),
    "id an object": (row({"a": 1}), "id: expected a string or a number"),
    "id true": (row(True), "id: expected a string or a number"),
    "lone surrogate in the answer": (row(4, answer="half \ud83d of an emoji"), "lone surrogate"),
    "lone surrogate in the id": (row("\udc00"), "lone surrogate"),
    "100,000-deep line": (b"[" * 100_000, "nested too deeply"),
    "100,000-deep closed line": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "5,000-digit id": (b'{"id": ' + b"9" * 5000 + b', "question": "13", "answer": "x"}', "digits"),
    "5,000-digit question": (row(5, question=int("9" * 4000)), "digits"),
    "NaN id": (b'{"id": NaN, "question": "13", "answer": "x"}', "NaN is not a JSON number"),
    "Infinity id": (b'{"id": -Infinity, "question": "13", "answer": "x"}', "Infinity"),
    "overflowing id": (b'{"id": 1e999, "question": "13", "answer": "x"}', "out of range"),
    "not UTF-8": (b'{"id": 6, "question": "13", "answer": "caf\xe9"}', "not UTF-8"),
    "truncated last line": (row(7)[:40], "not JSON"),
}


def test_each_bad_line_is_reported_and_the_good_ones_kept() -> None:
    kinds = list(BAD_LINES)
    data = b"\n".join([row("first"), b"", *(BAD_LINES[kind][0] for kind in kinds), row("last")])
    lines = read_batch(data)
    assert [line.number for line in lines] == [1, *range(3, 3 + len(kinds)), 3 + len(kinds)]
    assert lines[0] == BatchLine(1, "first", CIRCUIT, ANSWER)
    assert lines[-1] == BatchLine(3 + len(kinds), "last", CIRCUIT, ANSWER)
    for kind, line in zip(kinds, lines[1:-1], strict=True):
        assert line.error is not None, kind
        assert BAD_LINES[kind][1] in line.error, (kind, line.error)
        assert "\n" not in line.error


def test_a_bad_line_keeps_its_id_once_known() -> None:
    [line] = read_batch(row("mine", answer=["not", "text"]))
    assert line.id == "mine" and line.error == "answer: expected a string"


def test_a_byte_order_mark_and_crlf_are_accepted() -> None:
    lines = read_batch(BOM + row(1) + b"\r\n" + row(2, question=13) + b"\r\n")
    assert lines == [BatchLine(1, 1, CIRCUIT, ANSWER), BatchLine(2, 2, "13", ANSWER)]


def test_an_empty_file_has_no_lines() -> None:
    assert read_batch(b"") == []
    assert read_batch(BOM + b"\n  \n\t\n") == []


def test_numbers_up_to_the_limit_are_kept() -> None:
    big = int("9" * MAX_BATCH_INT_DIGITS)
    [line] = read_batch(row(big, question=13))
    assert line == BatchLine(1, big, "13", ANSWER)


# --- a property over arbitrary lines -------------------------------------------------------------

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
ROWS = st.dictionaries(
    st.sampled_from(["id", "question", "answer", "extra"]) | st.text(max_size=3),
    JSON_VALUES,
    max_size=5,
)


def _encoded(value: Any) -> bytes:
    """JSON the way another tool might write it: lone surrogates escaped, as json.dumps does."""
    return json.dumps(value).encode()


LINES = st.one_of(
    ROWS.map(_encoded),
    JSON_VALUES.map(_encoded),
    st.binary(max_size=40),
    st.text(max_size=40).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.integers(min_value=1, max_value=3000).map(lambda depth: b"[" * depth),
    st.sampled_from([b"NaN", b'{"id": NaN}', b"1e999", b"-", b'"\\ud800"', b"\xef\xbb\xbf{}"]),
).map(lambda line: line.replace(b"\n", b" "))


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(LINES, max_size=12), bom=st.booleans())
def test_any_batch_yields_one_scorable_or_reported_item_per_line(
    lines: list[bytes], bom: bool
) -> None:
    data = (BOM if bom else b"") + b"\n".join(lines)
    result = read_batch(data)
    # a byte order mark opens the file, not a line
    body = data.removeprefix(BOM).split(b"\n")
    expected = [number for number, raw in enumerate(body, 1) if raw.strip()]
    assert [line.number for line in result] == expected
    for line in result:
        if line.error is None:
            assert isinstance(line.question, str) and isinstance(line.answer, str)
            line.question.encode("utf-8")  # never a lone surrogate for the tokenizer
            line.answer.encode("utf-8")
            assert line.id is None or isinstance(line.id, str | int | float)
            assert not isinstance(line.id, bool)
            if isinstance(line.id, float):
                assert math.isfinite(line.id)
        else:
            assert line.error and "\n" not in line.error and len(line.error) <= 300
        # what the command prints for the line is strict JSON (no NaN) that reads back
        payload = {"line": line.number, "id": line.id, "error": line.error}
        assert json.loads(json.dumps(payload, allow_nan=False)) == payload


@settings(max_examples=100, deadline=None)
@given(
    request_id=st.none() | st.text() | st.integers(-(10**30), 10**30),
    question=st.text(min_size=1) | st.integers(min_value=0, max_value=10**6),
    answer=st.text(),
)
def test_a_well_formed_row_reads_back_as_written(
    request_id: str | int | None, question: str | int, answer: str
) -> None:
    def has_surrogate(text: str) -> bool:
        return any(0xD800 <= ord(char) <= 0xDFFF for char in text)

    [line] = read_batch(row(request_id, question, answer))
    texts = [str(question), answer, request_id if isinstance(request_id, str) else ""]
    if any(has_surrogate(text) for text in texts):
        assert line.error is not None and "lone surrogate" in line.error
    else:
        assert line == BatchLine(1, request_id, str(question), answer)


# --- through the real command ---------------------------------------------------------------------


def run(args: Sequence[str], home: Path) -> subprocess.CompletedProcess[str]:
    process = subprocess.run(
        [sys.executable, "-m", "interviewer.cli", "score", *args],
        capture_output=True,
        env={**os.environ, "INTERVIEWER_HOME": str(home)},
        timeout=600,
        check=False,
    )
    return subprocess.CompletedProcess(
        process.args,
        process.returncode,
        process.stdout.decode("utf-8"),
        process.stderr.decode("utf-8"),
    )


def test_a_batch_of_only_bad_lines_reports_each_without_loading_the_model(
    tmp_path: Path, _isolated_home: Path
) -> None:
    extra = {
        "unknown question": (row(8, question="no-such-question"), "no question 'no-such"),
        "unknown number": (row(9, question="999"), "no question '999'"),
        "superscript number": (row(10, question="²"), "no question '²'"),
    }
    bad = {**BAD_LINES, **extra}
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(BOM + b"\n".join(line for line, _message in bad.values()))
    result = run(["--batch", str(batch), "--json"], _isolated_home)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["line"] for o in outputs] == list(range(1, len(bad) + 1))
    reports = result.stderr.strip().splitlines()
    assert len(reports) == len(bad) + 1
    for number, (output, report, (_line, message)) in enumerate(
        zip(outputs, reports, bad.values(), strict=False), 1
    ):
        assert report.startswith(f"interviewer score: {batch}:{number}: ")
        assert message in report and message in output["error"]
    assert reports[-1] == f"interviewer score: {batch}: {len(bad)} of {len(bad)} line(s) not scored"
    assert not (_isolated_home / "cache").exists()  # no model was loaded, nothing embedded


def test_a_part_without_a_rubric_is_a_bad_line(tmp_path: Path, _isolated_home: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(row("url", question="design-a-url-shortener") + b"\n")
    result = run(["--batch", str(batch), "--follow-up"], _isolated_home)
    assert result.returncode == 2
    assert json.loads(result.stdout) == {
        "line": 1,
        "id": "url",
        "error": "question design-a-url-shortener has no follow-up",
    }


@pytest.mark.parametrize("content", [b"", b"\n\n", BOM, BOM + b"  \r\n"])
def test_an_empty_batch_is_one_line(tmp_path: Path, _isolated_home: Path, content: bytes) -> None:
    batch = tmp_path / "empty.jsonl"
    batch.write_bytes(content)
    result = run(["--batch", str(batch), "--json"], _isolated_home)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"interviewer score: {batch}: no answers to score (no non-blank line)"
    ]


def test_an_unreadable_batch_is_one_line(tmp_path: Path, _isolated_home: Path) -> None:
    result = run(["--batch", str(tmp_path), "--json"], _isolated_home)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"interviewer score: {tmp_path}: cannot read")


@pytest.mark.model
def test_good_lines_are_scored_around_the_bad_ones(tmp_path: Path, _isolated_home: Path) -> None:
    """The real model in a real subprocess: a file with a byte order mark, good lines, blank
    lines and every kind of bad line, its last line cut short."""
    kinds = [kind for kind in BAD_LINES if kind != "truncated last line"]
    good = {1: "first", 3: "by number", len(kinds) + 4: "last"}
    lines = [
        row("first"),
        b"",
        row("by number", question=13),
        *(BAD_LINES[kind][0] for kind in kinds),
        row("last", answer="Closed, open and half-open."),
        row("cut")[:30],
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(BOM + b"\n".join(lines))
    result = run(["--batch", str(batch), "--json"], _isolated_home)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outputs) == len(lines) - 1  # one per non-blank line, in order
    numbers = [n for n, line in enumerate(lines, 1) if line.strip()]
    for number, output in zip(numbers, outputs, strict=True):
        if number in good:
            assert output["id"] == good[number]
            assert output["question"] == CIRCUIT
            assert 0.0 <= output["score"] <= 100.0
            assert len(output["key_points"]) == 3
        else:
            assert output["line"] == number and output["error"]
    assert outputs[0]["score"] == outputs[1]["score"] > outputs[-2]["score"]
    reports = result.stderr.strip().splitlines()
    bad = len(numbers) - len(good)
    assert len(reports) == bad + 1
    assert reports[-1].endswith(f"{bad} of {len(numbers)} line(s) not scored")


def test_a_skipped_user_rubric_is_named_on_stderr(tmp_path: Path, _isolated_home: Path) -> None:
    """A user's rubric that is not in use (here past the weight limit) never goes unnoticed."""
    rubric = _isolated_home / "rubrics" / f"{CIRCUIT}.yaml"
    rubric.parent.mkdir(parents=True)
    shipped = Path(__file__).resolve().parents[2] / "rubrics" / "architecture-system-design"
    text = (shipped / f"{CIRCUIT}.yaml").read_text(encoding="utf-8")
    rubric.write_text(text.replace("  - label:", "  - weight: 1.0e+300\n    label:", 1))
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(row(1, question="no-such-question"))
    result = run(["--batch", str(batch)], _isolated_home)
    assert result.returncode == 2
    warning = result.stderr.splitlines()[0]
    assert warning.startswith(f"warning: {rubric}: question {CIRCUIT}: key_points[")
    assert "weight: Input should be less than or equal to 100" in warning
