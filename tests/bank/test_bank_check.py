"""Every malformed bank gives one clear line naming the file, the question and the field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from interviewer.cli import main
from interviewer.core.bank.loading import load_banks
from tests.conftest import BANK

GOOD_QUESTION = {
    "id": "alpha",
    "number": 1,
    "category": "Basics",
    "title": "Alpha",
    "prompt": "What is alpha?",
    "difficulty": "Mid",
    "key_points": ["Knows alpha"],
}


def _write(tmp_path: Path, questions: list[dict[str, object]], name: str = "b.yaml") -> Path:
    path = tmp_path / name
    path.write_text(
        yaml.safe_dump({"id": name.split(".")[0], "title": "T", "questions": questions})
    )
    return path


def _check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    status = main(["bank", "check", str(path)])
    err = capsys.readouterr().err
    return status, [line for line in err.splitlines() if line.strip()]


def test_good_bank_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["bank", "check", str(_write(tmp_path, [GOOD_QUESTION]))])
    assert status == 0
    assert "ok: 1 bank file(s)" in capsys.readouterr().out


def test_committed_bank_and_rubrics_pass(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["bank", "check"])
    output = capsys.readouterr()
    assert status == 0, output.err


def test_malformed_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nquestions:\n  - id: a\n   number: [1\n")
    status, lines = _check(path, capsys)
    assert status == 1
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}: line ")
    assert "malformed YAML" in lines[0]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"title": None}, "question alpha: title:"),
        (
            {"difficulty": "Expert"},
            "question alpha: difficulty: Input should be 'Junior', 'Mid' or 'Senior'",
        ),
        ({"key_points": []}, "question alpha: key_points: List should have at least 1 item"),
        ({"prompt": "DROP"}, None),
    ],
)
def test_field_errors_name_question_and_field(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, object],
    expected: str | None,
) -> None:
    question = {**GOOD_QUESTION, **change}
    question = {k: v for k, v in question.items() if v is not None and v != "DROP"}
    status, lines = _check(_write(tmp_path, [question]), capsys)
    if expected is None:
        assert status == 1
        assert lines == [f"{tmp_path / 'b.yaml'}: question alpha: prompt: missing"]
        return
    assert status == 1
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{tmp_path / 'b.yaml'}: {expected}"), lines[0]


def test_missing_id_is_named_by_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    question = {k: v for k, v in GOOD_QUESTION.items() if k != "id"}
    status, lines = _check(_write(tmp_path, [question]), capsys)
    assert status == 1
    assert lines == [f"{tmp_path / 'b.yaml'}: question #1: id: missing"]


def test_duplicate_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = _check(
        _write(tmp_path, [GOOD_QUESTION, {**GOOD_QUESTION, "number": 2}]), capsys
    )
    assert status == 1
    assert lines == [f"{tmp_path / 'b.yaml'}: question alpha: id: duplicate id (also question #1)"]


def test_unknown_field_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = _check(_write(tmp_path, [{**GOOD_QUESTION, "dificulty": "Mid"}]), capsys)
    assert status == 1
    assert lines == [f"{tmp_path / 'b.yaml'}: question alpha: dificulty: unknown field"]


def test_cli_exit_status_and_no_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path, [{**GOOD_QUESTION, "difficulty": "Guru"}])
    run = subprocess.run(
        [sys.executable, "-m", "interviewer.cli", "bank", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == [
        f"{path}: question alpha: difficulty: Input should be 'Junior', 'Mid' or 'Senior'"
    ]


def test_broken_user_bank_never_hides_the_good_ones(tmp_path: Path) -> None:
    user = tmp_path / "banks"
    user.mkdir()
    (user / "zz-broken.yaml").write_text("questions: [")
    loaded = load_banks([BANK.parent, user])
    assert [b.id for b in loaded.banks] == ["architecture-system-design"]
    assert len(loaded.problems) == 1 and "zz-broken.yaml" in str(loaded.problems[0])


def test_bank_list_warns_about_broken_user_bank(
    _isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (_isolated_home / "banks").mkdir(parents=True)
    (_isolated_home / "banks" / "mine.yaml").write_text("id: mine\n")
    assert main(["bank", "list", "--json"]) == 0
    captured = capsys.readouterr()
    assert "mine.yaml: bank: questions: missing" in captured.err
    assert len(yaml.safe_load(captured.out)) == 34
