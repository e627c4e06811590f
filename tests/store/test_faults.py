"""A database that is locked, read-only, full or corrupt: one clear message, the app keeps going, and
the typed answer is in the fallback file (and moves back into the database once it works)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.adapters.store.sqlite import SqliteTranscriptStore, StoreError
from tests.store.helpers import CIRCUIT, fill_session, run_python

ANSWER = "An answer typed while the disk was in trouble."

TRY_TO_SAVE = r"""
import json, sys
from pathlib import Path
from interviewer.adapters.store.sqlite import SqliteTranscriptStore, StoreError
store = SqliteTranscriptStore(Path(sys.argv[1]), fallback_dir=Path(sys.argv[2]))
out = {"problem": store.problem and store.problem.message}
try:
    out["sessions"] = len(store.sessions())
    store.submit_answer(1, "circuit-breaker-pattern", "main", sys.argv[3], 3.0)
except StoreError as error:
    out.update(kind=error.kind, message=error.message, fallback=str(error.fallback))
print(json.dumps(out))
"""


def _fallback_rows(folder: Path) -> list[dict[str, object]]:
    lines = (folder / "unsaved-answers.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _filled_file(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    store = SqliteTranscriptStore(db_path)
    fill_session(store)
    store.close()


def test_a_read_only_database_still_reads_and_the_answer_goes_to_the_fallback(
    db_path: Path, tmp_path: Path
) -> None:
    _filled_file(db_path)
    db_path.chmod(0o444)
    run = run_python(TRY_TO_SAVE, str(db_path), str(tmp_path / "fallback"), ANSWER, drop_root=True)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["sessions"] == 1  # the review still works
    assert out["kind"] == "read_only"
    assert out["message"].startswith("Could not save the answer: the transcript database")
    assert "is read-only; check the permissions" in out["message"]
    assert str(tmp_path / "fallback" / "unsaved-answers.jsonl") in out["message"]
    (row,) = _fallback_rows(tmp_path / "fallback")
    assert (row["kind"], row["text"], row["question_id"], row["seconds"]) == (
        "answer",
        ANSWER,
        CIRCUIT,
        3.0,
    )


def test_a_file_that_is_not_a_database_says_so_and_how_to_recover(
    db_path: Path, tmp_path: Path
) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not an SQLite file, it was overwritten by accident\n" * 200)
    store = SqliteTranscriptStore(db_path, fallback_dir=tmp_path / "fallback")
    assert store.problem is not None and store.problem.kind == "corrupt"
    with pytest.raises(StoreError) as caught:
        store.submit_answer(1, CIRCUIT, "main", ANSWER, 2.0)
    message = caught.value.message
    assert "is damaged (file is not a database)" in message
    assert f"mv '{db_path}' '{db_path}.broken'" in message
    assert caught.value.fallback == tmp_path / "fallback" / "unsaved-answers.jsonl"
    assert _fallback_rows(tmp_path / "fallback")[0]["text"] == ANSWER


def test_a_database_damaged_inside_gives_the_same_clear_message(
    db_path: Path, tmp_path: Path
) -> None:
    _filled_file(db_path)
    store = SqliteTranscriptStore(db_path)
    for _ in range(30):
        fill_session(store)
    store.close()
    data = bytearray(db_path.read_bytes())
    data[4096 : len(data) - 4096] = b"\xa5" * (len(data) - 8192)  # keep the header, wreck pages
    db_path.write_bytes(bytes(data))
    store = SqliteTranscriptStore(db_path, fallback_dir=tmp_path / "fallback")
    with pytest.raises(StoreError) as caught:
        store.sessions()
    assert caught.value.kind == "corrupt"
    assert "is damaged" in caught.value.message


def test_a_full_disk_is_reported_and_the_draft_kept(db_path: Path, tmp_path: Path) -> None:
    """SQLite's own SQLITE_FULL, provoked by capping the file at its current size."""
    db_path.parent.mkdir(parents=True)
    connection = sqlite3.connect(db_path)
    store = SqliteTranscriptStore(connection, fallback_dir=tmp_path / "fallback")
    session = store.start_session("bank", [CIRCUIT], {})
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")
    long_draft = "a long draft " * 2000
    with pytest.raises(StoreError) as caught:
        store.save_draft(session, CIRCUIT, "main", long_draft)
    assert caught.value.kind == "full"
    assert "is full; free some space" in caught.value.message
    (row,) = _fallback_rows(tmp_path / "fallback")
    assert (row["kind"], row["text"], row["session_id"]) == ("draft", long_draft, session)


LOCKER = r"""
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
"""


def test_a_locked_database_times_out_clearly_then_recovers(db_path: Path, tmp_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    store = SqliteTranscriptStore(db_path, fallback_dir=tmp_path / "fallback", busy_timeout=0.3)
    session = store.start_session("bank", [CIRCUIT], {})
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert locker.stdout is not None and locker.stdin is not None
    assert locker.stdout.readline().strip() == "locked"
    try:
        with pytest.raises(StoreError) as caught:
            store.submit_answer(session, CIRCUIT, "main", ANSWER, 4.0)
    finally:
        locker.stdin.write("\n")
        locker.stdin.flush()
        locker.wait(timeout=10)
    assert caught.value.kind == "locked"
    assert "is locked by another program (waited 0.3 s)" in caught.value.message

    # The lock is gone: the same store works again, and the kept answer moves into the database.
    (recovered,) = store.recover_fallback()
    record = store.load_session(recovered)
    assert record.bank_id == "recovered"
    assert record.settings == {"recovered_from_session": session}
    assert [(a.question_id, a.text, a.seconds) for a in record.answers] == [(CIRCUIT, ANSWER, 4.0)]
    assert not (tmp_path / "fallback" / "unsaved-answers.jsonl").exists()
    assert store.recover_fallback() == []


def test_a_session_that_never_started_still_keeps_its_answers(tmp_path: Path) -> None:
    """If start_session failed the TUI has no id: passing 0 sends the answer to the fallback."""
    folder = tmp_path / "missing" / "deeper"
    store = SqliteTranscriptStore(folder / "t.sqlite3", fallback_dir=tmp_path / "fallback")
    assert store.problem is not None and store.problem.kind == "cannot_open"
    with pytest.raises(StoreError, match="session was never stored"):
        store.submit_answer(0, CIRCUIT, "main", ANSWER, 1.0)
    assert _fallback_rows(tmp_path / "fallback")[0]["text"] == ANSWER


def test_when_even_the_fallback_cannot_be_written_the_message_says_copy_it(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the fallback folder should be")
    store = SqliteTranscriptStore(tmp_path / "nope" / "t.sqlite3", fallback_dir=blocker)
    with pytest.raises(StoreError, match="copy your answer somewhere safe now"):
        store.submit_answer(0, CIRCUIT, "main", ANSWER, 1.0)


REOPEN_AFTER_CHMOD = r"""
import json, sys
from pathlib import Path
from interviewer.adapters.store.sqlite import SqliteTranscriptStore, StoreError
db = Path(sys.argv[1])
store = SqliteTranscriptStore(db, fallback_dir=Path(sys.argv[2]))
out = {}
try:
    store.start_session("bank", ["circuit-breaker-pattern"], {})
except StoreError as error:
    out["first"] = error.kind
for path in db.parent.iterdir():  # the user fixes the permissions (the -wal/-shm files too)
    path.chmod(0o644)
out["second"] = store.start_session("bank", ["circuit-breaker-pattern"], {})
print(json.dumps(out))
"""


def test_a_read_only_file_fixed_meanwhile_works_on_the_same_store(
    db_path: Path, tmp_path: Path
) -> None:
    """SQLite keeps a file it opened read-only so on that connection: the store opens it again."""
    _filled_file(db_path)
    db_path.chmod(0o444)
    run = run_python(REOPEN_AFTER_CHMOD, str(db_path), str(tmp_path / "fallback"), drop_root=True)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"first": "read_only", "second": 2}


def test_a_session_that_could_not_start_under_a_lock_starts_once_it_is_released(
    db_path: Path, tmp_path: Path
) -> None:
    db_path.parent.mkdir(parents=True)
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert locker.stdout is not None and locker.stdin is not None
    assert locker.stdout.readline().strip() == "locked"
    try:
        store = SqliteTranscriptStore(db_path, fallback_dir=tmp_path / "fallback", busy_timeout=0.2)
        assert store.problem is not None and store.problem.kind == "locked"
        with pytest.raises(StoreError, match="is locked by another program"):
            store.start_session("bank", [CIRCUIT], {})
    finally:
        locker.stdin.write("\n")
        locker.stdin.flush()
        locker.wait(timeout=10)
    session = store.start_session("bank", [CIRCUIT], {})
    store.submit_answer(session, CIRCUIT, "main", ANSWER, 2.0)
    assert [a.text for a in store.load_session(session).answers] == [ANSWER]
    assert not (tmp_path / "fallback").exists()
    store.close()
