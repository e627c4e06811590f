"""`interviewer eval/tune --from-transcripts`: corrected verdicts in the user's database become labels."""

from __future__ import annotations

import argparse

from interviewer.adapters.store.sqlite import open_store
from interviewer.core.ports import TranscriptReader
from interviewer.evaluation.labelled import answers_for, from_transcripts
from interviewer.paths import Paths
from interviewer.wiring import open_user_store
from tests.store.helpers import CIRCUIT, CIRCUIT_ANSWER, fill_session


def test_corrected_answers_in_the_users_database_load_as_labelled_rows() -> None:
    store = open_store(Paths.from_env())  # INTERVIEWER_HOME is a temp dir (tests/conftest.py)
    fill_session(store)
    assert from_transcripts(store) == []
    answer = store.sessions()[0].answers[0]
    store.correct_verdict(answer.id, 1, "missing")
    (row,) = from_transcripts(open_user_store())  # what `eval --from-transcripts` is given
    assert row.question == CIRCUIT
    assert row.answer == CIRCUIT_ANSWER
    assert row.coverage[1] == 0.0
    assert row.set == "transcripts"


def test_the_transcripts_are_opened_only_when_asked_for() -> None:
    """A plain eval must not create the user's database."""

    def never() -> TranscriptReader:
        raise AssertionError("the store was opened without --from-transcripts")

    assert answers_for(argparse.Namespace(data=None, from_transcripts=False), never)
