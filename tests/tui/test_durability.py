"""Nothing typed in the TUI is lost, whatever the database does at the start of an interview.

Faults are injected at session start on a real SQLite file: another process holding `BEGIN
EXCLUSIVE`, a damaged file, a read-only folder (in a child process without CAP_DAC_OVERRIDE, since
the tests may run as root). Each test answers and quits, then checks the answer is in the database
(the session is created once the database is back) or in the fallback file, from where the real
`interviewer review --recover` brings it in. Also: a submitted answer is on disk before scoring
returns, and a process killed 50 ms after ctrl+s still leaves the answer behind.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from interviewer.adapters.store.errors import FALLBACK_FILE
from interviewer.adapters.store.sqlite import SqliteTranscriptStore
from interviewer.cli import main
from interviewer.core.grading.grader import Grader
from interviewer.core.result import Part, ScoreResult
from interviewer.paths import Paths
from interviewer.tui.app import InterviewApp
from interviewer.tui.screens.dialogs import ConfirmScreen
from interviewer.tui.screens.question import QuestionScreen
from interviewer.tui.widgets.answer_editor import AnswerEditor
from interviewer.wiring import GradingContext
from tests.store.helpers import run_python

from .conftest import FIRST, build_app
from .helpers import settle, type_answer, until

ANSWER = "Closed, open and half-open: it fails fast while open and probes when half-open."
REPO = Path(__file__).resolve().parents[2]

LOCKER = r"""
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
"""


class Lock:
    """`BEGIN EXCLUSIVE` held on the database file by another process until `release`."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", LOCKER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write("\n")
            self.process.stdin.flush()
            self.process.wait(timeout=10)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """The user directory the CLI sees too (INTERVIEWER_HOME, set by the root conftest)."""
    path = Paths.from_env().home
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def lock(home: Path) -> Iterator[Lock]:
    held = Lock(home / "transcripts.sqlite3")
    yield held
    held.release()


def _store(home: Path, context: GradingContext) -> SqliteTranscriptStore:
    """The user's store as the TUI gets it, waiting 0.3 s (not 5) on a lock."""
    return SqliteTranscriptStore(
        home / "transcripts.sqlite3",
        fallback_dir=home / "fallback",
        busy_timeout=0.3,
        bank_lookup=context.question,
    )


def _answers(home: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(home / "transcripts.sqlite3") as db:
        return list(db.execute("SELECT question_id, text FROM answers ORDER BY id"))


def _fallback(home: Path) -> list[dict[str, object]]:
    path = home / "fallback" / FALLBACK_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _messages(app: InterviewApp) -> list[str]:
    return [f"{n.title} {n.message}" for n in app._notifications]


async def _answer_and_quit(app: InterviewApp, before_submit: Lock | None = None) -> list[str]:
    """Starts directly, types ANSWER, submits (after releasing `before_submit`), quits; the
    notifications shown."""
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, QuestionScreen)
        await type_answer(pilot, ANSWER)
        if before_submit is not None:
            before_submit.release()
        await pilot.press("ctrl+s")
        await settle(pilot)
        messages = _messages(app)
        await pilot.press("ctrl+q")
        await pilot.pause()
        if isinstance(pilot.app.screen, ConfirmScreen):
            await pilot.press("y")
    return messages


def _recover(capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["review", "--recover"]) == 0
    return capsys.readouterr().out


async def test_locked_at_start_then_free_the_answer_goes_to_a_session_created_at_submit(
    context: GradingContext, hashing_grader: Grader, home: Path, lock: Lock
) -> None:
    store = _store(home, context)
    assert store.problem is not None and store.problem.kind == "locked"
    app = build_app(context, lambda: hashing_grader, store=store, start_directly=True)
    messages = await _answer_and_quit(app, before_submit=lock)
    store.close()
    assert any("is locked by another program" in m for m in messages)
    assert _answers(home) == [(FIRST, ANSWER)]
    reopened = _store(home, context)
    (session,) = reopened.sessions()
    assert session.bank_id != "recovered" and session.questions[0].id == FIRST  # its own session
    assert [a.text for a in session.answers] == [ANSWER]
    reopened.close()
    assert [e["kind"] for e in _fallback(home)] in ([], ["draft"])  # no answer had to fall back


async def test_locked_for_the_whole_interview_the_answer_is_in_the_fallback_and_recovered(
    context: GradingContext,
    hashing_grader: Grader,
    home: Path,
    lock: Lock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = _store(home, context)
    app = build_app(context, lambda: hashing_grader, store=store, start_directly=True)
    messages = await _answer_and_quit(app)
    store.close()
    assert any("Your text was kept in" in m for m in messages)
    assert not any("NOT saved" in m for m in messages)  # it was kept: no alarm
    answers = [e for e in _fallback(home) if e["kind"] == "answer"]
    assert [(e["question_id"], e["text"], e["session_id"]) for e in answers] == [(FIRST, ANSWER, 0)]
    lock.release()
    assert "Recovered 1 session(s)" in _recover(capsys)
    assert _answers(home) == [(FIRST, ANSWER)]


async def test_a_damaged_file_at_start_keeps_the_answer_until_it_is_moved_aside(
    context: GradingContext,
    hashing_grader: Grader,
    home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database = home / "transcripts.sqlite3"
    database.write_bytes(b"not an SQLite file, overwritten by accident\n" * 200)
    store = _store(home, context)
    assert store.problem is not None and store.problem.kind == "corrupt"
    app = build_app(context, lambda: hashing_grader, store=store, start_directly=True)
    messages = await _answer_and_quit(app)
    store.close()
    assert any("is damaged" in m for m in messages)
    assert [e["text"] for e in _fallback(home) if e["kind"] == "answer"] == [ANSWER]
    database.rename(database.with_suffix(".broken"))  # what the message tells the user to do
    assert "Recovered 1 session(s)" in _recover(capsys)
    assert _answers(home) == [(FIRST, ANSWER)]


async def test_submit_writes_the_text_to_disk_before_it_returns(
    context: GradingContext, hashing_grader: Grader, home: Path
) -> None:
    """ctrl+s's action itself puts the text on disk (as the step's draft), not the draft pause nor
    the app's handling of the submit message a loop turn later."""
    store = _store(home, context)
    app = build_app(context, lambda: hashing_grader, store=store, start_directly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, QuestionScreen)
        screen.query_one(AnswerEditor).insert(ANSWER)  # no pause: no Changed handled, no timer
        screen.action_submit()
        with sqlite3.connect(home / "transcripts.sqlite3") as db:
            assert db.execute("SELECT text FROM drafts").fetchall() == [(ANSWER,)]
        await settle(pilot)
        assert _answers(home) == [(FIRST, ANSWER)]
        with sqlite3.connect(home / "transcripts.sqlite3") as db:
            assert db.execute("SELECT text FROM drafts").fetchall() == []  # now an answer
    store.close()


class BlockingGrader:
    """Scores with the real grader once the test lets it: "scoring has not returned yet"."""

    def __init__(self, grader: Grader) -> None:
        self.grader = grader
        self.release = threading.Event()

    def score(self, question: str, answer: str, part: Part = Part.MAIN) -> ScoreResult:
        if not self.release.wait(timeout=30):
            raise TimeoutError("the test never released the grader")
        return self.grader.score(question, answer, part)


async def test_the_submitted_answer_is_in_the_database_before_scoring_returns(
    context: GradingContext, hashing_grader: Grader, home: Path
) -> None:
    store = _store(home, context)
    grader = BlockingGrader(hashing_grader)
    app = build_app(context, lambda: grader, store=store, start_directly=True)
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            await until(pilot, lambda: isinstance(pilot.app.screen, QuestionScreen), "question")
            await type_answer(pilot, ANSWER)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert _answers(home) == [(FIRST, ANSWER)]  # read by another connection
            with sqlite3.connect(home / "transcripts.sqlite3") as db:
                assert db.execute("SELECT count(*) FROM scores").fetchone() == (0,)
            grader.release.set()
            await settle(pilot)
        with sqlite3.connect(home / "transcripts.sqlite3") as db:
            assert db.execute("SELECT count(*) FROM scores").fetchone() == (1,)
    finally:
        grader.release.set()
        store.close()


# The TUI in a child process (for file permissions that bind under root, and for SIGKILL): starts
# directly on the user's store, types the answer, submits, prints the notifications as JSON. With
# "kill" it prints "submitted" as soon as ctrl+s's action has run and waits to be killed.
CHILD = r"""
import asyncio, json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from interviewer.adapters.store.sqlite import open_store
from interviewer.core.grading.embedding import HashingEmbedder
from interviewer.core.grading.grader import Grader
from interviewer.paths import Paths
from interviewer.tui.screens.question import QuestionScreen
from interviewer.wiring import load_context
from tests.tui.conftest import build_app

home, answer, mode = Path(sys.argv[2]), sys.argv[3], sys.argv[4]
context = load_context(Paths(Path(sys.argv[5])))
grader = Grader(HashingEmbedder(), context.rubrics.rubrics, context.prompts(), context.params)
store = open_store(Paths(home), bank_lookup=context.question)

async def main():
    app = build_app(context, lambda: grader, store=store, start_directly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        for _ in range(400):
            if type(pilot.app.screen).__name__ == "QuestionScreen":
                break
            await pilot.pause(0.025)
        pilot.app.screen.query_one("#answer").insert(answer)
        await pilot.pause()
        if mode == "kill":  # killed 50 ms after the key's action ran, wherever the rest got to
            submit = QuestionScreen.action_submit

            def submit_and_say(screen):
                submit(screen)
                print("submitted", flush=True)

            QuestionScreen.action_submit = submit_and_say
            asyncio.get_running_loop().create_task(pilot.press("ctrl+s"))
            await asyncio.sleep(60)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        print(json.dumps([f"{n.title} {n.message}" for n in app._notifications]), flush=True)

asyncio.run(main())
"""


def _child_args(home: Path, mode: str, tmp_path: Path) -> list[str]:
    return [str(REPO), str(home), ANSWER, mode, str(tmp_path / "context-home")]


def test_a_read_only_folder_at_start_keeps_the_answer_in_the_fallback(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "fallback").mkdir()  # writable, in a folder where no database can be created
    home.chmod(0o555)
    try:
        child = run_python(CHILD, *_child_args(home, "quit", tmp_path), drop_root=True, timeout=120)
    finally:
        home.chmod(0o755)
    assert child.returncode == 0, child.stderr
    messages = json.loads(child.stdout.splitlines()[-1])
    assert any("Your text was kept in" in m for m in messages)
    assert not (home / "transcripts.sqlite3").exists()
    assert [e["text"] for e in _fallback(home) if e["kind"] == "answer"] == [ANSWER]
    assert "Recovered 1 session(s)" in _recover(capsys)
    assert _answers(home) == [(FIRST, ANSWER)]


def test_when_nothing_can_take_the_answer_the_warning_is_loud(home: Path, tmp_path: Path) -> None:
    home.chmod(0o555)  # neither the database nor the fallback folder can be created
    try:
        child = run_python(CHILD, *_child_args(home, "quit", tmp_path), drop_root=True, timeout=120)
    finally:
        home.chmod(0o755)
    assert child.returncode == 0, child.stderr
    messages = json.loads(child.stdout.splitlines()[-1])
    (lost,) = [m for m in messages if m.startswith("Answer NOT saved")]
    assert "could not be written either" in lost and "copy your answer somewhere safe now" in lost


def test_killed_50_ms_after_submitting_the_answer_is_on_disk(home: Path, tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, *_child_args(home, "kill", tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    watchdog = threading.Timer(120, child.kill)  # a child stuck before "submitted" fails
    watchdog.start()
    try:
        assert child.stdout is not None
        said = child.stdout.readline().strip()
        if said != "submitted":  # stuck or crashed before the submit: say where
            child.kill()
            _out, err = child.communicate(timeout=10)
            pytest.fail(f"the child never submitted (exit {child.returncode}): {err[-2000:]}")
        time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        watchdog.cancel()
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    with sqlite3.connect(home / "transcripts.sqlite3") as db:
        kept = [row[0] for row in db.execute("SELECT text FROM answers")]
        kept += [row[0] for row in db.execute("SELECT text FROM drafts")]
    assert ANSWER in kept  # typed < 0.6 s before: no draft pause saved it, the submit did
