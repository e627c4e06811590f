"""Fixtures for the transcript store tests: real SQLite files under tmp_path, the project's bank for
question text."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from interviewer.adapters.store.sqlite import SqliteTranscriptStore
from interviewer.core.bank.schema import Question
from tests.store.helpers import fill_session


@pytest.fixture(scope="session")
def lookup() -> Callable[[str], Question | None]:
    from interviewer.core.bank.loading import load_banks
    from interviewer.paths import Paths

    banks = load_banks([Paths.from_env().project_banks]).banks
    by_id = {q.id: q for bank in banks for q in bank.questions}
    return by_id.get


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "transcripts.sqlite3"


@pytest.fixture
def store(
    db_path: Path, tmp_path: Path, lookup: Callable[[str], Question | None]
) -> Iterator[SqliteTranscriptStore]:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    opened = SqliteTranscriptStore(db_path, fallback_dir=tmp_path / "fallback", bank_lookup=lookup)
    yield opened
    opened.close()


@pytest.fixture
def filled(store: SqliteTranscriptStore) -> tuple[SqliteTranscriptStore, int]:
    return store, fill_session(store)
