"""`interviewer review`, `stats` and `review --rescore` on a real user database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from interviewer.adapters.store.sqlite import SqliteTranscriptStore, open_store
from interviewer.cli import main
from interviewer.commands.review import rescore
from interviewer.core.bank.schema import Question
from interviewer.core.result import Part
from interviewer.paths import Paths
from tests.store.helpers import CACHE, CIRCUIT, fill_session


@pytest.fixture
def user_store(
    lookup: Callable[[str], Question | None], monkeypatch: pytest.MonkeyPatch
) -> SqliteTranscriptStore:
    monkeypatch.setenv("COLUMNS", "160")  # rich wraps at 80 otherwise, splitting what we look for
    store = open_store(Paths.from_env(), lookup)
    fill_session(store)
    return store


def test_review_lists_sessions_and_filters(
    user_store: SqliteTranscriptStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review"]) == 0
    listing = capsys.readouterr().out
    assert "architecture-syst" in listing and "2/2" in listing and " 40 " in listing
    assert main(["review", "--category", "Observability"]) == 0
    assert "No sessions match" in capsys.readouterr().out


def test_review_shows_a_session_with_evidence_and_numbers_to_correct(
    user_store: SqliteTranscriptStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", "1"]) == 0
    shown = capsys.readouterr().out
    assert "Circuit breaker pattern · Answer" in shown
    assert "[2]After too many failures" in shown  # evidence, numbered by its key point
    assert "[3] ✘ missing  Knows fallbacks" in shown
    assert "Model answer" in shown and "Feedback" in shown
    answer = user_store.load_session(1).answers[0].id
    assert main(["review", "--correct", str(answer), "3", "partial"]) == 0
    assert "key point 3 (Knows fallbacks): partial" in capsys.readouterr().out
    assert main(["review", "1"]) == 0
    assert (
        "◐ partial  Knows fallbacks (0.10)  corrected: grader said missing"
        in capsys.readouterr().out
    )
    assert main(["review", "--correct", str(answer), "9", "partial"]) == 2
    assert "key points 1-3, not 9" in capsys.readouterr().err
    assert main(["review", "7"]) == 1
    assert "There is no session 7" in capsys.readouterr().err


def test_stats_draws_the_plot_and_lists_weak_points_and_due(
    user_store: SqliteTranscriptStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--width", "70"]) == 0
    out = capsys.readouterr().out
    assert "Score over time per category" in out
    assert "System Design Concepts" in out  # the series legend
    assert "Weakest key points" in out and "Knows write-back" in out
    assert "Practice plan (0 due now)" in out
    assert CIRCUIT[:20] in out and CACHE[:20] in out


@pytest.mark.parametrize("argument", ["--limit", "--width"])
@pytest.mark.parametrize("value", ["-1", "0", "ten"])
def test_stats_refuses_a_count_below_one_in_one_line(
    argument: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["stats", argument, value])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {argument}:" in err and ("1 or more" in err or "not a whole number" in err)


def test_stats_with_no_data_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats"]) == 0
    assert "No scored answers yet" in capsys.readouterr().out


def test_rescore_shows_the_change_per_answer(user_store: SqliteTranscriptStore) -> None:
    """With the fast hashing embedder: the logic of re-scoring, not grading quality."""
    from interviewer.core.grading.embedding import HashingEmbedder
    from interviewer.wiring import build_grader, load_context

    record = user_store.load_session(1)
    changes = rescore(record, build_grader(load_context(), HashingEmbedder()))
    assert [c.answer.id for c in changes] == [a.id for a in record.answers]
    assert changes[0].old == 50.0
    assert changes[0].new.question == CIRCUIT
    # the hand-made scores used other labels than the real rubric: no verdict can be compared
    assert changes[0].verdict_changes() == []


@pytest.mark.model
def test_rescore_cli_with_the_real_model_saves_new_scores(
    user_store: SqliteTranscriptStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", "1", "--rescore", "--save"]) == 0
    out = capsys.readouterr().out
    assert "was" in out and "now" in out and "Saved 3 new score(s)" in out
    record = user_store.load_session(1)
    first = record.answers[0]
    assert len(first.scores) == 2
    assert first.score is not None and first.score.versions.model
    assert first.score.versions.bank.startswith("architecture-system-design@")


def test_exported_labels_load_in_the_eval_reader(
    user_store: SqliteTranscriptStore, tmp_path: Path
) -> None:
    """`interviewer export --labelled` writes what `interviewer eval --data FILE` reads."""
    from interviewer.evaluation.labelled import check_against_key_points, read_jsonl
    from interviewer.wiring import load_context

    answer = user_store.load_session(1).answers[0].id
    user_store.correct_verdict(answer, 0, "partial")
    out = tmp_path / "mine.jsonl"
    assert main(["export", "--labelled", "--out", str(out)]) == 0
    (row,) = read_jsonl(out)
    assert (row.question, row.coverage, row.set) == (CIRCUIT, (0.5, 0.5, 0.0), "transcripts")
    rubrics = load_context().rubrics.rubrics
    counts = {(q, Part.MAIN): len(r.key_points) for q, r in rubrics.items()}
    assert check_against_key_points([row], counts) == []
