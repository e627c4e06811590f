"""`bank import` never gives a second bank an id that is taken (the later file would be skipped),
and `bank check` reports every clash that `bank list` warns about."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from interviewer.cli import main
from interviewer.core.bank.loading import load_banks, unique_bank_id
from interviewer.paths import Paths
from tests.bank.test_seed_roundtrip import seed_banks


def _seed(home: Path, name: str, text: str) -> Path:
    path = home.parent / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _page(extra: str) -> str:
    return (
        "My Bank Title\n\nAbout things.\n\n1.\n\nA question\n\nWhat is it?\n\nMid\n\n"
        f"It is {extra}.\n\nKey Points to Look For:\n- Knows it\n"
    )


def _import(source: Path, out: Path, *extra: str) -> int:
    return main(["bank", "import", str(source), "--out", str(out), *extra])


def _bank_ids(capsys: pytest.CaptureFixture[str]) -> tuple[list[str], str]:
    capsys.readouterr()
    assert main(["bank", "list", "--json"]) == 0
    captured = capsys.readouterr()
    return sorted({row["bank"] for row in json.loads(captured.out)}), captured.err


def test_second_bank_with_the_same_title_gets_its_own_id(
    _isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    banks = _isolated_home / "banks"
    assert _import(_seed(_isolated_home, "one.txt", _page("one")), banks / "one.yaml") == 0
    assert _import(_seed(_isolated_home, "two.txt", _page("two")), banks / "two.yaml") == 0
    err = capsys.readouterr().err
    assert "bank id 'my-bank-title' is used by" in err and "'my-bank-title-2'" in err
    ids, warnings = _bank_ids(capsys)
    assert ids == ["architecture-system-design", "my-bank-title", "my-bank-title-2"]
    assert "warning" not in warnings
    assert main(["bank", "check"]) == 0


def test_reimporting_the_same_source_keeps_its_id(
    _isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    banks = _isolated_home / "banks"
    source = _seed(_isolated_home, "one.txt", _page("one"))
    assert _import(source, banks / "one.yaml") == 0
    assert _import(source, banks / "one.yaml") == 0
    assert main(["bank", "import", str(source)]) == 0  # to stdout: the same id
    assert "id: my-bank-title\n" in capsys.readouterr().out
    source.write_text(_page("changed"), encoding="utf-8")
    assert _import(source, banks / "one.yaml") == 0  # writing over the file that holds the id
    assert "note:" not in capsys.readouterr().err
    assert _import(source, banks / "copy.yaml") == 0  # a second copy in the banks folder
    assert "'my-bank-title-2'" in capsys.readouterr().err


def test_a_taken_id_given_with_id_is_a_clear_error(
    _isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    banks = _isolated_home / "banks"
    assert _import(_seed(_isolated_home, "one.txt", _page("one")), banks / "one.yaml") == 0
    capsys.readouterr()
    two = _seed(_isolated_home, "two.txt", _page("two"))
    assert _import(two, banks / "two.yaml", "--id", "my-bank-title") == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        f"interviewer bank: bank id 'my-bank-title' is already used by {banks / 'one.yaml'}; "
        "choose another --id"
    )
    assert not (banks / "two.yaml").exists()
    assert _import(two, banks / "two.yaml", "--id", "second") == 0


def test_check_reports_the_duplicate_that_list_warns_about(
    _isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    banks = _isolated_home / "banks"
    banks.mkdir(parents=True)
    assert _import(_seed(_isolated_home, "one.txt", _page("one")), banks / "a.yaml") == 0
    text = (banks / "a.yaml").read_text(encoding="utf-8").replace("It is one.", "It is two.")
    (banks / "b.yaml").write_text(text, encoding="utf-8")  # a hand copy: same id, other file
    _ids, warnings = _bank_ids(capsys)
    assert f"{banks / 'b.yaml'}: bank: id: duplicate bank id 'my-bank-title'" in warnings
    assert main(["bank", "check"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"{banks / 'b.yaml'}: bank: id: duplicate bank id 'my-bank-title' "
        f"(also in {banks / 'a.yaml'}); this file is skipped"
    ]
    assert main(["bank", "check", str(banks / "b.yaml")]) == 1  # named alone, still a clash


def test_unique_bank_id_stays_within_the_id_limit() -> None:
    assert unique_bank_id("x", {"x", "x-2"}) == "x-3"
    long = "a" * 100
    assert unique_bank_id(long, {long}) == "a" * 98 + "-2"


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(first=seed_banks(), second=seed_banks())
def test_generated_banks_with_one_title_all_load(
    first: tuple[str, list[dict[str, object]], str],
    second: tuple[str, list[dict[str, object]], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two generated seed-format files (both titled "My Bank Title") import into a user's banks
    folder and both load, each with its own id."""
    with tempfile.TemporaryDirectory() as folder, monkeypatch.context() as env:
        home = Path(folder) / "home"
        env.setenv("INTERVIEWER_HOME", str(home))
        for name, (text, _questions, category) in (("a", first), ("b", second)):
            source = _seed(home, f"{name}.txt", text)
            assert (
                _import(source, home / "banks" / f"{name}.yaml", f"--first-category={category}")
                == 0
            )
        loaded = load_banks(Paths.from_env().bank_dirs())
        assert not loaded.problems
        assert len(loaded.banks) == 3
        mine = [bank for bank in loaded.banks if bank.title == "My Bank Title"]
        assert sorted(len(bank.questions) for bank in mine) == sorted(
            [len(first[1]), len(second[1])]
        )
