"""Nothing typed is lost: real writer processes killed with SIGKILL mid-session, and two writers on
one database file at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.adapters.store.sqlite import SqliteTranscriptStore
from tests.store.helpers import raw

# Writes drafts and answers as fast as it can and reports each one only after the call returned
# (committed). `pace` makes it wait for a line on stdin before each step (for the two-writer race).
WRITER = r"""
import sys
from pathlib import Path
from interviewer.adapters.store.sqlite import SqliteTranscriptStore

db, fallback, label, count, pace = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
store = SqliteTranscriptStore(Path(db), fallback_dir=Path(fallback))
assert store.problem is None, store.problem
session = store.start_session("bank", [f"{label}-{i}" for i in range(count)], {"writer": label})
print("session", session, flush=True)
if pace == "go":
    sys.stdin.readline()
for n in range(count):
    qid = f"{label}-{n}"
    for k in range(1, 4):
        text = f"{label} draft {n}.{k} " + "words " * (50 * k)
        store.save_draft(session, qid, "main", text)
        print("draft", qid, k, flush=True)
    answer = store.submit_answer(session, qid, "main", f"{label} answer {n} " + "x" * 400, 1.5)
    print("answer", answer, qid, flush=True)
print("done", flush=True)
"""


def _writer(
    db: Path, tmp: Path, label: str, count: int, pace: str = "free"
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(tmp / "fallback"), label, str(count), pace],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _integrity(db: Path) -> str:
    return str(raw(db).execute("PRAGMA integrity_check").fetchone()[0])


@pytest.mark.parametrize("kill_after", [7, 40])
def test_sigkill_mid_session_loses_no_answer_and_keeps_the_last_draft(
    db_path: Path, tmp_path: Path, kill_after: int
) -> None:
    db_path.parent.mkdir(parents=True)
    child = _writer(db_path, tmp_path, "w", 10_000)
    assert child.stdout is not None
    session = int(child.stdout.readline().split()[1])
    answers: dict[int, str] = {}
    last_draft: tuple[str, int] | None = None
    while len(answers) < kill_after or last_draft is None:
        kind, *rest = child.stdout.readline().split()
        if kind == "answer":
            answers[int(rest[0])] = rest[1]
            last_draft = None
        elif kind == "draft":
            last_draft = (rest[0], int(rest[1]))
    os.kill(child.pid, signal.SIGKILL)  # while it keeps writing: mid-transaction, at any instant
    child.wait()
    assert child.returncode == -signal.SIGKILL

    assert _integrity(db_path) == "ok"
    store = SqliteTranscriptStore(db_path, fallback_dir=tmp_path / "fallback")
    resumed = store.unfinished_session()
    assert resumed is not None and resumed.session_id == session
    stored = {a.id: a.question_id for a in store.load_session(session).answers}
    assert answers.items() <= stored.items()  # every answer reported as saved is there
    question, step = last_draft
    if (question, "main") not in resumed.answered:  # the child may have submitted it since
        draft = resumed.drafts[(question, "main")]
        assert int(draft.split()[2].split(".")[1]) >= step  # this draft or a later one
    for key in resumed.drafts:
        assert key not in resumed.answered  # a submitted answer's draft went with it


def test_two_writers_at_once_lose_nothing(db_path: Path, tmp_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    SqliteTranscriptStore(db_path).close()  # schema in place; the writers race on data only
    count = 60
    writers = [_writer(db_path, tmp_path, label, count, pace="go") for label in ("a", "b")]
    sessions = {}
    for label, writer in zip(("a", "b"), writers, strict=True):
        assert writer.stdout is not None
        sessions[label] = int(writer.stdout.readline().split()[1])
    for writer in writers:  # both start together
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert out.rstrip().endswith("done")

    assert _integrity(db_path) == "ok"
    store = SqliteTranscriptStore(db_path, fallback_dir=tmp_path / "fallback")
    for label, session in sessions.items():
        record = store.load_session(session)
        assert [a.question_id for a in record.answers] == [f"{label}-{n}" for n in range(count)]
        assert all(a.text.startswith(f"{label} answer ") for a in record.answers)
        assert record.drafts == []
    assert not (tmp_path / "fallback").exists()  # nothing had to fall back
