"""`interviewer bank list|show|import` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.cli import main
from tests.conftest import BANK


def test_list_filters_by_category_and_difficulty(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["bank", "list", "--category", "observability", "--difficulty", "Mid", "--json"]) == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["category"] == "Observability" and r["difficulty"] == "Mid" for r in rows)
    assert all("answer" not in r for r in rows)


def test_list_table(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["bank", "list"]) == 0
    out = capsys.readouterr().out
    assert "34 questions" in out and "circuit-breaker-pattern" in out


def test_show_by_number_and_by_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bank", "show", "13", "--json"]) == 0
    by_number = json.loads(capsys.readouterr().out)
    assert main(["bank", "show", "circuit-breaker-pattern", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == by_number
    assert by_number["key_points"] == [
        "Knows all three states",
        "Understands failure detection",
        "Mentions fallback handling",
    ]


def test_show_human_renders_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bank", "show", "12"]) == 0
    out = capsys.readouterr().out
    assert "class TokenBucket:" in out and "Follow-up:" in out


def test_show_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bank", "show", "no-such-question"]) == 1
    assert "no question 'no-such-question'" in capsys.readouterr().err


def test_import_twice_is_byte_identical(seed_path: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert main(["bank", "import", str(seed_path), "--out", str(first)]) == 0
    assert main(["bank", "import", str(seed_path), "--out", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes() == BANK.read_bytes()


def test_import_reports_bad_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = tmp_path / "bad.txt"
    seed.write_text("Bank\n\n1.\n\nTitle\n\nPrompt?\n\nExpert\n\nbody\n")
    assert main(["bank", "import", str(seed)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"{seed}: line 3: question #1: difficulty: missing (a line Junior, Mid or Senior)"
    )


def test_import_never_writes_over_the_database_and_reports_a_bad_out_in_one_line(
    seed_path: Path,
    tmp_path: Path,
    _isolated_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 14: `bank import --out` onto the transcript database replaced it without a word, and an
    --out naming a folder or a place that cannot be written ended in a traceback."""
    assert main(["review"]) == 0  # creates the database
    database = _isolated_home / "transcripts.sqlite3"
    link = tmp_path / "bank.yaml"
    link.symlink_to(database)
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder")
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)  # Path.resolve raises RuntimeError on it (Python 3.11)
    capsys.readouterr()
    for out, status, said in [
        (database, 2, "refusing to overwrite the transcript database"),
        (link, 2, "refusing to overwrite the transcript database"),
        (tmp_path, 2, "is a folder; give a file name"),
        (blocker / "bank.yaml", 1, "cannot write: "),
        (loop, 1, "cannot write: Too many levels of symbolic links"),
    ]:
        assert main(["bank", "import", str(seed_path), "--out", str(out)]) == status
        last = capsys.readouterr().err.splitlines()[-1]  # after the note on the taken bank id
        assert last.startswith(f"interviewer bank: {out}: {said}")
    assert database.read_bytes().startswith(b"SQLite format 3\x00")  # no YAML written over it
    assert main(["review"]) == 0


def test_import_refuses_a_source_past_the_size_limit_without_reading_it_whole(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 14: `bank import /dev/zero` read forever; a source is read only up to the limit."""
    assert main(["bank", "import", "/dev/zero"]) == 1
    assert capsys.readouterr().err == (
        "/dev/zero: line 1: file: larger than 2,000,000 bytes: not a question bank\n"
    )
