"""The store's contract: what the TUI writes comes back whole; reads, filters, corrections, labels."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from interviewer.adapters.store.sqlite import SqliteTranscriptStore, StoreError, open_store
from interviewer.core.ports import TranscriptReader, TranscriptStore
from interviewer.core.result import Verdict
from interviewer.paths import Paths
from tests.store.helpers import (
    CACHE,
    CIRCUIT,
    CIRCUIT_ANSWER,
    VERSIONS,
    cache_result,
    circuit_result,
    fill_session,
)

REPO = Path(__file__).resolve().parents[2]


def test_it_satisfies_both_ports() -> None:
    """mypy checks these assignments: the store is the write port and the read port."""
    opened = SqliteTranscriptStore(sqlite3.connect(":memory:"))
    store: TranscriptStore = opened
    reader: TranscriptReader = opened
    assert store.unfinished_session() is None
    assert reader.sessions() == []


def test_open_store_creates_the_user_database(tmp_path: Path) -> None:
    paths = Paths(tmp_path / "nested" / "home")
    store = open_store(paths)
    assert store.problem is None
    assert paths.database.exists()
    assert store.fallback.path.parent == paths.home / "fallback"


def test_a_whole_session_comes_back(filled: tuple[SqliteTranscriptStore, int]) -> None:
    store, session = filled
    record = store.load_session(session)
    assert record.bank_id == "architecture-system-design"
    assert record.settings == {"count": 2}
    assert record.finished_at is not None
    assert [q.id for q in record.questions] == [CIRCUIT, CACHE]
    assert record.questions[0].category == "System Design Concepts"
    assert record.questions[0].model_answer  # the model answer as asked
    assert [(a.question_id, a.part) for a in record.answers] == [
        (CIRCUIT, "main"),
        (CIRCUIT, "follow_up"),
        (CACHE, "main"),
    ]
    first = record.answers[0]
    assert first.text == CIRCUIT_ANSWER
    assert first.seconds == 95.0
    assert first.score is not None
    assert first.score.result == circuit_result()
    assert first.score.versions == VERSIONS
    assert first.feedback is not None and first.feedback.model == "llama3"
    assert [(d.question_id, d.part, d.text) for d in record.drafts] == [
        (CACHE, "follow_up", "half a thought")
    ]


def test_submitting_an_answer_clears_its_draft_and_resume_sees_both(
    store: SqliteTranscriptStore,
) -> None:
    session = store.start_session("b", [CIRCUIT, CACHE], {})
    store.save_draft(session, CIRCUIT, "main", "first words")
    store.save_draft(session, CIRCUIT, "main", "first words and more")
    answer = store.submit_answer(session, CIRCUIT, "main", "the final answer", 12.0)
    store.save_draft(session, CACHE, "main", "typing the second")
    resumed = store.unfinished_session()
    assert resumed is not None
    assert resumed.session_id == session
    assert resumed.question_ids == [CIRCUIT, CACHE]
    assert resumed.answered == {(CIRCUIT, "main"): "the final answer"}
    assert resumed.drafts == {(CACHE, "main"): "typing the second"}
    assert answer > 0
    store.finish_session(session)
    assert store.unfinished_session() is None


def test_an_unfinished_session_with_nothing_typed_is_not_offered(
    store: SqliteTranscriptStore,
) -> None:
    older = store.start_session("b", [CIRCUIT], {})
    store.save_draft(older, CIRCUIT, "main", "words")
    store.start_session("b", [CACHE], {})  # started, then closed before typing
    resumed = store.unfinished_session()
    assert resumed is not None and resumed.session_id == older


def test_feedback_saved_while_streaming_keeps_the_latest(store: SqliteTranscriptStore) -> None:
    session = store.start_session("b", [CIRCUIT], {})
    answer = store.submit_answer(session, CIRCUIT, "main", "x", 1.0)
    store.save_feedback(answer, "Half", complete=False, model="m")
    store.save_feedback(answer, "Half of it", complete=False, model="m", error="connection lost")
    feedback = store.load_session(session).answers[0].feedback
    assert feedback is not None
    assert (feedback.text, feedback.complete, feedback.error) == (
        "Half of it",
        False,
        "connection lost",
    )


def test_sessions_list_newest_first_with_mean_score_and_filters(
    store: SqliteTranscriptStore,
) -> None:
    first = fill_session(store)
    second = store.start_session("architecture-system-design", [CACHE], {})
    summaries = store.list_sessions()
    assert [s.id for s in summaries] == [second, first]
    assert summaries[1].questions == 2
    assert summaries[1].answered == 2  # first attempts at main answers
    circuit, cache = circuit_result().score, cache_result().score
    assert summaries[1].mean_score == pytest.approx((circuit + cache) / 2, abs=0.1)
    assert summaries[0].mean_score is None
    assert [s.id for s in store.list_sessions(question=CIRCUIT)] == [first]
    assert [s.id for s in store.list_sessions(category="system design concepts")] == [
        second,
        first,
    ]
    assert store.list_sessions(category="Observability") == []


def test_a_correction_changes_the_verdict_the_score_and_yields_a_labelled_row(
    filled: tuple[SqliteTranscriptStore, int],
) -> None:
    store, session = filled
    answer = store.load_session(session).answers[0]
    assert list(store.labelled_rows()) == []
    store.correct_verdict(answer.id, 2, "partial")
    store.correct_verdict(answer.id, 2, Verdict.COVERED)  # the latest correction wins
    corrected = store.load_session(session).answers[0]
    assert corrected.verdicts() == [Verdict.COVERED, Verdict.PARTIAL, Verdict.COVERED]
    assert corrected.effective_score() == pytest.approx(100 * (0.9 + 0.5 + 1.0) / 3, abs=0.1)
    rows = list(store.labelled_rows())
    assert rows == [
        {
            "id": f"{CIRCUIT}/transcript-{answer.id}",
            "question": CIRCUIT,
            "part": "main",
            "kind": "transcript",
            "set": "transcripts",
            "answer": CIRCUIT_ANSWER,
            "coverage": [1, 0.5, 1],
            "grade": 8,
            "note": "corrected in review; uncorrected key points keep the grader's verdict",
        }
    ]
    assert json.loads(json.dumps(rows[0])) == rows[0]


def test_labelled_rows_have_the_eval_sets_keys() -> None:
    """The shape documented in eval/README.md, read from one of our own labelled files."""
    labelled = next((REPO / "eval" / "labelled").glob("*.jsonl"))
    keys = set(json.loads(labelled.read_text().splitlines()[0]))
    store = SqliteTranscriptStore(sqlite3.connect(":memory:"))
    fill_session(store)
    answer = store.sessions()[0].answers[0]
    store.correct_verdict(answer.id, 0, "missing")
    (row,) = store.labelled_rows()
    assert set(row) == keys


def test_bad_corrections_say_what_is_wrong(filled: tuple[SqliteTranscriptStore, int]) -> None:
    store, session = filled
    answer = store.load_session(session).answers[0]
    with pytest.raises(ValueError, match="covered, partial or missing"):
        store.correct_verdict(answer.id, 0, "wrong")
    with pytest.raises(ValueError, match="key points 1-3, not 4"):
        store.correct_verdict(answer.id, 3, "covered")
    with pytest.raises(StoreError, match="no answer 999"):
        store.correct_verdict(999, 0, "covered")
    with pytest.raises(StoreError, match="no session 42"):
        store.load_session(42)


def test_a_stale_correction_is_ignored_after_a_rescore_reorders_the_key_points(
    filled: tuple[SqliteTranscriptStore, int],
) -> None:
    store, session = filled
    answer = store.load_session(session).answers[0]
    store.correct_verdict(answer.id, 0, "missing")
    old = circuit_result()
    reordered = old.model_copy(update={"key_points": list(reversed(old.key_points))})
    store.save_score(answer.id, reordered, VERSIONS)
    again = store.load_session(session).answers[0]
    assert len(again.scores) == 2  # the old score is kept as history
    assert again.correction(0) is None
    assert again.verdicts() == [kp.verdict for kp in reordered.key_points]


def test_weakest_key_points_and_timeline(filled: tuple[SqliteTranscriptStore, int]) -> None:
    store, _ = filled
    weakest = store.weakest_key_points(limit=2)
    assert [(w.question_id, w.key_point) for w in weakest] == [
        (CACHE, "Knows write-back"),
        (CACHE, "Knows write-around"),
    ]
    timeline = store.timeline()
    assert [(p.question_id, p.category) for p in timeline] == [
        (CIRCUIT, "System Design Concepts"),
        (CACHE, "System Design Concepts"),
    ]
