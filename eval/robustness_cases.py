"""Issue 14 again, as a new user: one reproduction per cause, each in a fresh INTERVIEWER_HOME,
through the real CLI in a subprocess (the store's session-start fault through the store API the TUI
uses, since the TUI needs a terminal), then the broader sweep of `eval.robustness_sweep` (about 240
cases over every input surface). Prints one row per case (cause, surface, case, expected, got, pass,
traceback, hang, data lost) and a table per surface: tried, passed, crashes, data lost.

    .venv/bin/python -m eval.robustness_cases                    # everything, about 8 minutes
    .venv/bin/python -m eval.robustness_cases --issue-only       # the 13 cases of the issue
    .venv/bin/python -m eval.robustness_cases --surface batch    # one surface of the sweep
    .venv/bin/python -m eval.robustness_cases --failed           # print only the failed rows
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
Q9 = "load-balancing-strategies"
STRONG = (
    "A load balancer spreads requests over a pool of servers. Round robin hands each new request to "
    "the next server in turn, which is fair when servers and requests are alike. Least connections "
    "sends it to the server with the fewest open connections, better when requests vary in length. "
    "Weighted variants give bigger machines more traffic, and IP hash keeps a client on one server "
    "for sticky sessions. Health checks take a failing server out of the pool."
)


@dataclass
class Outcome:
    got: str
    passed: bool
    traceback: bool = False
    lost: bool | None = None  # None: the case keeps no user data
    hang: bool = False
    status: int | None = None  # the exit status of the (last) command the case judges


@dataclass
class Case:
    cause: int
    name: str
    expected: str
    run: Callable[[Path], Outcome]
    surface: str = "issue"  # the input surface, for the per-class table of the sweep


def cli(
    home: Path,
    *args: str,
    stdin: bytes = b"",
    timeout: float = 300,
    env: dict[str, str] | None = None,
    preexec: Callable[[], None] | None = None,
    prefix: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[bytes]:
    environment = {
        **os.environ,
        "INTERVIEWER_HOME": str(home),
        "HF_HUB_OFFLINE": "1",
        **(env or {}),
    }
    return subprocess.run(
        [*prefix, sys.executable, "-m", "interviewer.cli", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env=environment,
        cwd=REPO,
        check=False,
        preexec_fn=preexec,
    )


def _tb(*runs: subprocess.CompletedProcess[bytes]) -> bool:
    return any(b"Traceback (most recent call last)" in r.stderr for r in runs)


def _last_line(run: subprocess.CompletedProcess[bytes]) -> str:
    lines = run.stderr.decode(errors="replace").strip().splitlines()
    return lines[-1][:90] if lines else ""


# -- 1. whole interviews lost when the session cannot start ------------------------------------------

LOCKER = r"""
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
"""
TUI_PATH = r"""
from interviewer.adapters.store.sqlite import open_store
from interviewer.adapters.store.errors import StoreError
store = open_store()
try:
    session = store.start_session("architecture-system-design", ["load-balancing-strategies"], {})
except StoreError:
    session = 0  # what the TUI does when the session could not be created
try:
    store.submit_answer(session, "load-balancing-strategies", "main", "Round robin, in turn.", 3.0)
except StoreError as error:
    print(error.message)
"""


@contextmanager
def locked(database: Path) -> Iterator[None]:
    """Another process holds BEGIN EXCLUSIVE on `database` until the block ends."""
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert locker.stdout is not None and locker.stdin is not None
    locker.stdout.readline()
    try:
        yield
    finally:
        locker.stdin.write("\n")
        locker.stdin.flush()
        locker.wait(timeout=10)


def case_locked_start(home: Path) -> Outcome:
    home.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(home / "transcripts.sqlite3").close()
    assert cli(home, "review").returncode == 0  # a database with the schema
    env = {**os.environ, "INTERVIEWER_HOME": str(home)}
    with locked(home / "transcripts.sqlite3"):
        tui = subprocess.run(
            [sys.executable, "-c", TUI_PATH], capture_output=True, env=env, cwd=REPO, timeout=120
        )
    recover = cli(home, "review", "--recover")
    listing = cli(home, "review", "1")
    kept = b"Round robin, in turn." in listing.stdout
    got = f"{recover.stdout.decode().strip()[:40]}; answer in DB: {kept}"
    return Outcome(got, kept and recover.returncode == 0, _tb(tui, recover, listing), not kept)


# -- 2. untrusted text as markup or terminal control -------------------------------------------------


def case_markup_answer(home: Path) -> Outcome:
    answer = (
        b"Round robin [/dim] sends each request to the next server in turn, while least "
        b"connections picks the server with the fewest open connections.\n"
    )
    run = cli(home, "score", "-q", "9", stdin=answer)
    # the answer is quoted as evidence when a point is met (its own words: the rubric's statements
    # shown under a missed point say "Round robin" too)
    quoted = b"sends each request to the next server" in run.stdout
    literal = b"[/dim]" in run.stdout
    ok = run.returncode == 0 and quoted and literal  # a point is met, so the answer is quoted
    got = f"exit {run.returncode}, quoted: {quoted}, '[/dim]' literal: {literal}"
    return Outcome(got, ok, _tb(run))


def case_escape_answer(home: Path) -> Outcome:
    answer = b"\x1b[2J\x1b]0;pwned\x07 Round robin sends each request to the next server in turn."
    run = cli(home, "score", "-q", "9", stdin=answer)
    leaked = b"\x1b]0;" in run.stdout + run.stderr or b"\x1b[2J" in run.stdout + run.stderr
    return Outcome(
        f"exit {run.returncode}, escapes out: {leaked}",
        run.returncode == 0 and not leaked,
        _tb(run),
    )


def case_markup_bank(home: Path) -> Outcome:
    banks = home / "banks"
    banks.mkdir(parents=True)
    question = {
        "id": "x",
        "number": 1,
        "category": "[/]",
        "title": "[bold]T[/]",
        "prompt": "p [/]",
        "difficulty": "Mid",
        "key_points": ["k [/]"],
    }
    bank = {"id": "hostile", "title": "[/]", "questions": [question]}
    (banks / "hostile.yaml").write_text(json.dumps(bank))
    listing = cli(home, "bank", "list", "--bank", "hostile")
    show = cli(home, "bank", "show", "x", "--bank", "hostile")
    ok = listing.returncode == show.returncode == 0 and b"[/]" in listing.stdout
    return Outcome(f"list {listing.returncode}, show {show.returncode}", ok, _tb(listing, show))


# -- 3. one bad line or file takes everything down ---------------------------------------------------


def case_batch(home: Path) -> Outcome:
    good = json.dumps({"id": 1, "question": "9", "answer": STRONG})
    lines = [
        good,
        "{not json",
        json.dumps({"id": 3, "question": "no-such", "answer": "x"}),
        good[:30],
    ]
    batch = home / "batch.jsonl"
    home.mkdir(parents=True, exist_ok=True)
    batch.write_text("\n".join(lines))
    run = cli(home, "score", "--batch", str(batch), "--json")
    out = [json.loads(line) for line in run.stdout.decode().splitlines() if line.strip()]
    scored = [row for row in out if "score" in row]
    reported = [row for row in out if "error" in row]
    ok = run.returncode == 2 and len(scored) == 1 and len(reported) == 3
    got = f"exit {run.returncode}, {len(scored)} scored, {len(reported)} reported"
    return Outcome(got, ok, _tb(run), lost=len(scored) != 1)


def case_hostile_bank_files(home: Path) -> Outcome:
    banks = home / "banks"
    banks.mkdir(parents=True)
    (banks / "deep.yaml").write_text("a: " + "[" * 5000 + "]" * 5000)
    (banks / "int.yaml").write_text("id: " + "9" * 5000)
    os.mkfifo(banks / "fifo.yaml")
    run = cli(home, "bank", "list", "--json", timeout=60)
    rows = json.loads(run.stdout) if run.returncode == 0 else []
    warnings = run.stderr.decode().count("warning:")
    ok = run.returncode == 0 and len(rows) == 34 and warnings == 3
    return Outcome(
        f"exit {run.returncode}, {len(rows)} questions, {warnings} warnings", ok, _tb(run)
    )


def case_hostile_rubric(home: Path) -> Outcome:
    folder = home / "rubrics" / "architecture-system-design"
    folder.mkdir(parents=True)
    shipped = (REPO / "rubrics" / "architecture-system-design" / f"{Q9}.yaml").read_text()
    (folder / f"{Q9}.yaml").write_text(
        shipped.replace("    evidence:", "    weight: 1e308\n    evidence:", 1)
    )
    check = cli(home, "bank", "check")
    score = cli(home, "score", "-q", "9", "--json", stdin=STRONG.encode())
    value = json.loads(score.stdout)["score"] if score.returncode == 0 else None
    ok = check.returncode == 1 and value is not None and 0 <= value <= 100
    return Outcome(f"check {check.returncode}, score {value}", ok, _tb(check, score))


def case_huge_ids(home: Path) -> Outcome:
    review = cli(home, "review", "9" * 5000)
    export = cli(home, "export", "9" * 30, "-f", "json")
    ok = review.returncode in (1, 2) and export.returncode in (1, 2)
    return Outcome(
        f"review {review.returncode}, export {export.returncode}", ok, _tb(review, export)
    )


# -- 4. exports --------------------------------------------------------------------------------------

SESSION = r"""
from interviewer.adapters.store.sqlite import open_store
store = open_store()
session = store.start_session("architecture-system-design", ["load-balancing-strategies"], {})
store.submit_answer(session, "load-balancing-strategies", "main", "Round robin.", 3.0)
print(session)
"""


def _one_session(home: Path) -> None:
    env = {**os.environ, "INTERVIEWER_HOME": str(home)}
    subprocess.run(
        [sys.executable, "-c", SESSION], env=env, cwd=REPO, check=True, capture_output=True
    )


def case_html_export(home: Path) -> Outcome:
    _one_session(home)
    exported = cli(home, "export", "1", "-f", "json")
    record = json.loads(exported.stdout)
    hostile = "<img src=x onerror=document.title='owned'>"
    record["answers"][0]["part"] = hostile
    record["answers"][0]["text"] = "<script>document.title='owned'</script>"
    path = home / "hostile.json"
    path.write_text(json.dumps(record))
    imported = cli(home, "export", "--import", str(path))
    html = cli(home, "export", "2", "-f", "html") if imported.returncode == 0 else imported
    page = html.stdout.decode(errors="replace")
    live = "<img src=x" in page or "<script>document" in page
    got = f"import {imported.returncode}, live markup: {live}"
    return Outcome(got, not live, _tb(exported, imported, html))


def case_export_over_db(home: Path) -> Outcome:
    _one_session(home)
    database = home / "transcripts.sqlite3"
    run = cli(home, "export", "1", "-f", "html", "--out", str(database))
    with sqlite3.connect(database) as db:
        (count,) = db.execute("SELECT count(*) FROM answers").fetchone()
    return Outcome(
        f"exit {run.returncode}, answers kept {count}",
        run.returncode != 0 and count == 1,
        _tb(run),
        count != 1,
    )


# -- 5. gaming ---------------------------------------------------------------------------------------


def case_gaming(home: Path) -> Outcome:
    import yaml

    rubric = yaml.safe_load(
        (REPO / "rubrics" / "architecture-system-design" / f"{Q9}.yaml").read_text()
    )
    pasted = " ".join(kp["evidence"][0] for kp in rubric["key_points"])
    answers = {
        "strong": STRONG,
        "nul": STRONG.replace(" ", "\x00"),
        "name": "Round robin.",
        "pasted": pasted,
    }
    home.mkdir(parents=True, exist_ok=True)
    batch = home / "gaming.jsonl"
    batch.write_text(
        "\n".join(json.dumps({"id": k, "question": "9", "answer": v}) for k, v in answers.items())
    )
    run = cli(home, "score", "--batch", str(batch), "--json")
    scores = {row["id"]: row["score"] for row in map(json.loads, run.stdout.decode().splitlines())}
    ok = scores["nul"] <= scores["strong"] + 2 and scores["name"] < 40 and scores["pasted"] <= 45
    got = ", ".join(f"{k} {v:.0f}" for k, v in scores.items())
    return Outcome(got, ok and run.returncode == 0, _tb(run))


# -- 6. LLM stream deadline --------------------------------------------------------------------------


def case_stream_deadline(home: Path) -> Outcome:
    sys.path.insert(0, str(REPO))
    from tests.feedback.chat_server import ChatServer, Script

    server = ChatServer().start()
    server.script = Script(reply="word " * 400, chunk_chars=4, chunk_delay=0.1)  # ~50 s of text
    env = {
        "INTERVIEWER_LLM_BASE_URL": server.base_url,
        "INTERVIEWER_LLM_MODEL": "tiny-test",
        "INTERVIEWER_LLM_TIMEOUT": "5",
        "INTERVIEWER_LLM_DEADLINE": "3",
    }
    started = time.monotonic()
    try:
        run = cli(
            home, "score", "-q", "9", "--feedback", stdin=STRONG.encode(), env=env, timeout=120
        )
    finally:
        server.stop()
    elapsed = time.monotonic() - started
    said = b"deadline" in run.stderr
    return Outcome(
        f"exit {run.returncode} after {elapsed:.0f} s, says deadline: {said}",
        said and run.returncode == 0,
        _tb(run),
    )


# -- 7. unclear messages -----------------------------------------------------------------------------


def case_messages(home: Path) -> Outcome:
    emoji = cli(home, "score", "-q", "9", stdin="🚀🔥👍".encode())
    last = cli(home, "export", "last", "-f", "json")
    other = home.parent / "other-home"
    (other / "transcripts.sqlite3").mkdir(parents=True)
    folder = cli(other, "review")
    texts = [emoji.stdout.decode() + emoji.stderr.decode(), _last_line(last), _last_line(folder)]
    ok = (
        "empty" not in texts[0].lower()
        and "session 0" not in texts[1]
        and "folder missing" not in texts[2]
    )
    got = f"last: {texts[1][:40]!r}; dir: {texts[2][:40]!r}"
    return Outcome(got, ok, _tb(emoji, last, folder))


CASES = [
    Case(
        1,
        "session start under a lock, answer, recover",
        "answer in the DB after --recover",
        case_locked_start,
    ),
    Case(2, "answer with [/dim]", "exit 0, shown as text", case_markup_answer),
    Case(2, "answer with clear-screen/title escapes", "no escape in output", case_escape_answer),
    Case(2, "bank title/category [/]", "list and show exit 0", case_markup_bank),
    Case(
        3,
        "batch: 1 good, bad JSON, unknown id, cut line",
        "good scored, 3 reported, exit 2",
        case_batch,
    ),
    Case(
        3,
        "deep YAML, 5,000-digit id, FIFO in banks/",
        "34 questions listed, 3 warnings",
        case_hostile_bank_files,
    ),
    Case(3, "rubric weight 1e308", "check rejects; score in 0-100", case_hostile_rubric),
    Case(3, "5,000-digit session id", "one line, exit 1/2", case_huge_ids),
    Case(4, "imported <img onerror>/<script> in HTML", "no live markup", case_html_export),
    Case(4, "export --out the database", "refused, DB intact", case_export_over_db),
    Case(
        5,
        "NUL for spaces, name-drop, pasted rubric",
        "nul <= strong+2, name < 40, pasted <= 45",
        case_gaming,
    ),
    Case(
        6,
        "LLM trickles past a 3 s deadline",
        "cut off, says deadline, exit 0",
        case_stream_deadline,
    ),
    Case(
        7,
        "emoji answer, export last, dir at DB path",
        "no 'empty', 'session 0', 'folder missing'",
        case_messages,
    ),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", type=int, help="run only the cases of this cause (1-7)")
    parser.add_argument("--surface", help="run only the sweep's cases of this surface")
    parser.add_argument("--issue-only", action="store_true", help="skip the broader sweep")
    parser.add_argument("--failed", action="store_true", help="print only the failed cases")
    args = parser.parse_args()
    from eval.robustness_sweep import SWEEP

    cases = CASES if args.issue_only else [*CASES, *SWEEP]
    rows = []
    for case in cases:
        if args.only is not None and case.cause != args.only:
            continue
        if args.surface is not None and case.surface != args.surface:
            continue
        with tempfile.TemporaryDirectory() as folder:
            try:
                outcome = case.run(Path(folder) / "home")
            except subprocess.TimeoutExpired as error:
                outcome = Outcome(f"hung past {error.timeout:.0f} s", False, hang=True)
            except Exception as error:  # the harness's own failure is a failed case, not a crash
                outcome = Outcome(f"harness: {type(error).__name__}: {error}"[:90], False)
            finally:
                _give_back(Path(folder))
        rows.append((case, outcome))
        if args.failed and outcome.passed:
            continue
        lost = "-" if outcome.lost is None else ("yes" if outcome.lost else "no")
        print(
            f"{case.cause} | {case.surface} | {ascii(case.name)[1:-1]} | {case.expected} | {outcome.got} | "
            f"{'pass' if outcome.passed else 'FAIL'} | tb {'yes' if outcome.traceback else 'no'} | "
            f"hang {'yes' if outcome.hang else 'no'} | lost {lost}",
            flush=True,
        )
    print("\nclass      tried  passed  crashes (traceback or hang)  data lost")
    classes = sorted({case.surface for case, _ in rows})
    for name in [*classes, "all"]:
        picked = [o for c, o in rows if name in ("all", c.surface)]
        crashes = sum(o.traceback or o.hang for o in picked)
        lost_count = sum(bool(o.lost) for o in picked)
        passed = sum(o.passed for o in picked)
        print(f"{name:<10} {len(picked):>5}  {passed:>6}  {crashes:>27}  {lost_count:>9}")
    return 0 if all(o.passed for _, o in rows) else 1


def _give_back(folder: Path) -> None:
    """Undoes what the cases did to the folder's permissions so it can be removed."""
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)


if __name__ == "__main__":
    sys.exit(main())
