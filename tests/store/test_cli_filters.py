"""Issue 16: `--question` takes a number or a unique id start in `review` and `stats`, `stats`
filters its tables too and names an unknown category, and the small CLI mistakes are one-line errors.
On a real user database (SQLite under the test's own INTERVIEWER_HOME)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from interviewer.adapters.store.sqlite import SqliteTranscriptStore, open_store
from interviewer.cli import main
from interviewer.core.bank.schema import Question
from interviewer.paths import Paths
from tests.store.helpers import CACHE, CIRCUIT, fill_session

CACHE_NUMBER, CIRCUIT_NUMBER = "10", "13"


@pytest.fixture
def user_store(
    lookup: Callable[[str], Question | None], monkeypatch: pytest.MonkeyPatch
) -> SqliteTranscriptStore:
    monkeypatch.setenv("COLUMNS", "160")
    store = open_store(Paths.from_env(), lookup)
    fill_session(store)
    return store


@pytest.mark.parametrize("ref", [CACHE_NUMBER, CACHE, "caching-str", "CACHING"])
def test_review_question_takes_a_number_or_a_unique_id_start(
    user_store: SqliteTranscriptStore, ref: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", "--question", ref]) == 0
    out = capsys.readouterr().out
    assert "No sessions match" not in out and "2/2" in out


@pytest.mark.parametrize("ref", ["11", "ca", "nope"])  # not asked; "ca": caching and cap-theorem
def test_review_question_that_matches_nothing_says_so(
    user_store: SqliteTranscriptStore, ref: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", "--question", ref]) == 0
    assert "No sessions match" in capsys.readouterr().out


@pytest.mark.parametrize("ref", [CIRCUIT_NUMBER, "circuit"])
def test_stats_question_plots_and_tabulates_only_that_question(
    user_store: SqliteTranscriptStore, ref: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--question", ref, "--width", "70"]) == 0
    out = capsys.readouterr().out
    assert f"Score over time: {CIRCUIT}" in out
    assert "Nothing to plot" not in out
    assert "Knows write-back" not in out  # the cache question's key point: filtered out
    assert CACHE[:20] not in out


def test_stats_with_nothing_to_plot_prints_no_unfiltered_tables(
    user_store: SqliteTranscriptStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--question", "11"]) == 0
    out = capsys.readouterr().out
    assert "Nothing to plot" in out
    assert "Weakest key points" not in out and "Practice plan" not in out


def test_stats_category_takes_a_start_and_names_an_unknown_one(
    user_store: SqliteTranscriptStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--category", "system design", "--width", "70"]) == 0
    assert "System Design Concepts" in capsys.readouterr().out
    assert main(["stats", "--category", "Nope"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("interviewer stats: unknown category 'Nope'; practised")
    assert "System Design Concepts" in captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["review", "1", "--save"], "--save keeps the new scores of --rescore: give both"),
        (["interview", "--count", "0"], "--count must be 1 or more, not 0"),
        (["interview", "--time-limit", "0"], "--time-limit is in minutes per question"),
        (["bank", "show", "nope"], "no question 'nope'"),
        (["bank", "show", "1", "--bank", "nope"], "no bank 'nope'"),
        (["bank", "list", "--bank", "nope"], "no bank 'nope'"),
    ],
)
def test_cli_mistakes_are_one_prefixed_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"interviewer {argv[0]}: {message}")
    assert captured.err.count("\n") == 1


def test_bank_list_counts_one_question_in_the_singular(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    assert main(["bank", "list", "--category", "Fundamentals", "--difficulty", "Junior"]) == 0
    out = capsys.readouterr().out
    assert "1 question\n" in out or "1 question " in out
    assert "1 questions" not in out
