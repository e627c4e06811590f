"""`interviewer eval/tune --from-transcripts`: corrected verdicts in the user's database become labels."""

from __future__ import annotations

from interviewer.adapters.store.sqlite import open_store
from interviewer.evaluation.labelled import from_transcripts
from interviewer.paths import Paths
from tests.store.helpers import CIRCUIT, CIRCUIT_ANSWER, fill_session


def test_corrected_answers_in_the_users_database_load_as_labelled_rows() -> None:
    store = open_store(Paths.from_env())  # INTERVIEWER_HOME is a temp dir (tests/conftest.py)
    fill_session(store)
    assert from_transcripts() == []
    answer = store.sessions()[0].answers[0]
    store.correct_verdict(answer.id, 1, "missing")
    (row,) = from_transcripts()
    assert row.question == CIRCUIT
    assert row.answer == CIRCUIT_ANSWER
    assert row.coverage[1] == 0.0
    assert row.set == "transcripts"
