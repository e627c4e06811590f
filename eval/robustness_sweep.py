"""The broader sweep of issue 14: bad input, faults and attacks on every surface, each as a new user
in a fresh INTERVIEWER_HOME through the real CLI (the store and the TUI through the code the TUI
runs). `eval.robustness_cases` runs these after its one-per-cause cases.

Every case is judged by the same rule besides its own check: no traceback, no hang, an expected exit
status, no terminal control (ESC, BEL, C1, NUL, bidi override) in what reaches the terminal, and at
most a few lines on stderr for one fault. A case that keeps user data says whether any was lost.
"""

from __future__ import annotations

import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from eval.robustness_cases import Q9, REPO, SESSION, STRONG, Case, Outcome, cli

# What must never reach a terminal from untrusted text: C0 (but newline and tab), DEL, C1 (as UTF-8),
# and the bidi embedding/override/isolate characters that reorder what is shown.
_CONTROL = re.compile(
    rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
)
Run = subprocess.CompletedProcess[bytes]


def _err_lines(run: Run) -> list[str]:
    return [line for line in run.stderr.decode(errors="replace").splitlines() if line.strip()]


def judge(
    runs: Run | Iterable[Run],
    codes: Iterable[int] = (0,),
    check: bool = True,
    note: str = "",
    max_err: int = 3,
    lost: bool | None = None,
) -> Outcome:
    """The common rule, on the last run's exit status and on every run's output."""
    all_runs = [runs] if isinstance(runs, subprocess.CompletedProcess) else list(runs)
    last = all_runs[-1]
    traceback = any(b"Traceback (most recent call last)" in r.stderr for r in all_runs)
    leak = next((m for r in all_runs if (m := _CONTROL.search(r.stdout + r.stderr))), None)
    errors = max(len(_err_lines(r)) for r in all_runs)
    said = _err_lines(last)[-1][:60] if _err_lines(last) else ""
    ok = (
        last.returncode in tuple(codes)
        and check
        and not traceback
        and leak is None
        and errors <= max_err
        and not lost
    )
    got = f"exit {last.returncode}"
    if note:
        got += f", {note}"
    if leak is not None:
        got += f", control {leak.group()!r} out"
    if errors > max_err:
        got += f", {errors} stderr lines"
    if said:
        got += f"; {said!r}"
    return Outcome(got, ok, traceback, lost, status=last.returncode)


def _home(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    return home


def _link_loop(home: Path) -> Path:
    (home / "loop.html").symlink_to(home / "loop.html")
    return home / "loop.html"


def _score(home: Path, answer: bytes, *extra: str) -> Run:
    return cli(home, "score", "-q", "9", *extra, stdin=answer, timeout=120)


def _score_file(home: Path, data: bytes, *extra: str) -> Run:
    path = _home(home) / "answer.txt"
    path.write_bytes(data)
    return cli(home, "score", "-q", "9", "-f", str(path), *extra, timeout=120)


def _json_ok(run: Run) -> bool:
    try:
        json.loads(run.stdout, parse_constant=_refuse)
    except ValueError:
        return False
    return True


def _refuse(name: str) -> object:
    raise ValueError(name)


# -- answers (stdin and -f) ---------------------------------------------------------------------------


def _answer_case(
    name: str,
    data: bytes,
    codes: tuple[int, ...] = (0,),
    via_file: bool = False,
    as_json: bool = False,
    must: bytes | None = None,
) -> Case:
    def run(home: Path) -> Outcome:
        extra = ("--json",) if as_json else ()
        done = _score_file(home, data, *extra) if via_file else _score(home, data, *extra)
        check = (not as_json or done.returncode != 0 or _json_ok(done)) and (
            must is None or must in done.stdout
        )
        return judge(done, codes, check)

    where = "-f" if via_file else "stdin"
    return Case(
        3,
        f"answer ({where}{', json' if as_json else ''}): {name}",
        f"exit {'/'.join(map(str, codes))}, clean",
        run,
        "answers",
    )


ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x1b[6n\x9b31m\x1bP+q\x1b\\ Round robin sends requests in turn.".encode()
ANSWER_CASES = [
    _answer_case("CSI/OSC/DCS/C1 escapes", ESCAPES),
    _answer_case("escapes, --json output", ESCAPES, as_json=True),
    _answer_case("bidi override U+202E", "Round robin \u202esdneS in turn \u2066x\u2069.".encode()),
    _answer_case("NUL bytes only", b"\x00" * 50, (0, 2)),
    _answer_case("NUL in place of spaces", STRONG.replace(" ", "\x00").encode()),
    _answer_case(
        "lone surrogate (CESU bytes)", b"Round robin \xed\xa0\x80 turns.", (0, 2), via_file=True
    ),
    _answer_case(
        "lone surrogate, --json",
        b"Round robin \xed\xa0\x80 turns.",
        (0, 2),
        via_file=True,
        as_json=True,
    ),
    _answer_case(
        "Latin-1 bytes", "Round robin: caf\xe9 servers.".encode("latin-1"), (0, 2), via_file=True
    ),
    _answer_case("random binary", bytes(range(256)) * 40, (0, 2), via_file=True),
    _answer_case("CRLF lines", STRONG.replace(". ", ".\r\n").encode()),
    _answer_case("carriage-return overwrite", b"Round robin is bad\rRound robin is good."),
    _answer_case("UTF-8 BOM via stdin", b"\xef\xbb\xbf" + STRONG.encode()),
    _answer_case("UTF-8 BOM via -f", b"\xef\xbb\xbf" + STRONG.encode(), via_file=True),
    _answer_case("emoji only", "🚀🔥👍".encode(), (0, 2)),
    _answer_case("empty (scored 0, says empty)", b"", must=b"empty"),
    _answer_case("whitespace only", b" \n\t \r\n", must=b"empty"),
    _answer_case(
        "Rich markup [bold] [/] [link=...]",
        b"[bold]Round robin[/] [link=file:///etc/passwd]sends[/link] in turn [/]",
        must=None,
    ),
    _answer_case("markup, --json", b"[red]x[/red] Round robin [/] in turn", as_json=True),
    _answer_case("2 MB answer", (STRONG + " ").encode() * 5000, (0, 2)),
    _answer_case("one 200 KB word", b"a" * 200_000, (0, 2)),
    _answer_case("100,000 tiny sentences", b"Ok. " * 100_000, (0, 2)),
]


def _score_args_case(name: str, args: tuple[str, ...], codes: tuple[int, ...] = (1, 2)) -> Case:
    def run(home: Path) -> Outcome:
        done = cli(home, "score", *args, stdin=STRONG.encode(), timeout=120)
        return judge(done, codes, max_err=8)  # argparse's usage, then its one error line

    return Case(
        3, f"score {' '.join(a[:20] for a in args)[:40]}: {name}", "one line", run, "answers"
    )


def _missing_file(home: Path) -> Outcome:
    return judge(
        cli(_home(home), "score", "-q", "9", "-f", str(home / "nope.txt")), (1, 2), max_err=1
    )


def _dir_file(home: Path) -> Outcome:
    return judge(cli(_home(home), "score", "-q", "9", "-f", str(home)), (1, 2), max_err=1)


ANSWER_CASES += [
    _score_args_case("unknown question", ("-q", "no-such-question")),
    _score_args_case("5,000-digit question number", ("-q", "9" * 5000)),
    _score_args_case("negative question number", ("-q", "-1")),
    _score_args_case("escape in question id", ("-q", "\x1b]0;pwned\x07x")),
    _score_args_case("unknown bank", ("-q", "9", "--bank", "\x1b[2Jnope")),
    _score_args_case("--rubrics is a missing folder", ("-q", "9", "--rubrics", "/nonexistent")),
    _score_args_case("--model is a missing path", ("-q", "9", "--model", "/nonexistent/m")),
    Case(3, "score -f missing file", "one line", _missing_file, "answers"),
    Case(3, "score -f a directory", "one line", _dir_file, "answers"),
]


# -- batch lines --------------------------------------------------------------------------------------

GOOD = {"id": "good", "question": "9", "answer": STRONG}
BATCH_LINES: list[tuple[str, bytes, bool]] = [  # name, raw line, scored (else reported)
    ("good line", json.dumps(GOOD).encode(), True),
    ("question as int", json.dumps({**GOOD, "id": 2, "question": 9}).encode(), True),
    (
        "unknown fields kept out",
        json.dumps({**GOOD, "id": 3, "zz": [1, {"a": None}]}).encode(),
        True,
    ),
    ("CRLF ending", json.dumps({**GOOD, "id": 4}).encode() + b"\r", True),
    ("escapes in answer", json.dumps({**GOOD, "id": 5, "answer": ESCAPES.decode()}).encode(), True),
    ("escapes in id", json.dumps({**GOOD, "id": "\x1b]0;pwned\x07"}).encode(), True),
    ("not JSON", b"{not json", False),
    ("truncated object", json.dumps(GOOD).encode()[:25], False),
    ("JSON array", b"[1, 2, 3]", False),
    ("JSON string", b'"answer"', False),
    ("JSON null", b"null", False),
    ("JSON number", b"42", False),
    ("100,000-deep array", b"[" * 100_000 + b"]" * 100_000, False),
    ("100,000-deep object", b'{"a":' * 100_000 + b"1" + b"}" * 100_000, False),
    ("5,000-digit id", b'{"id": ' + b"9" * 5000 + b', "question": "9", "answer": "x y z"}', False),
    ("NaN id", b'{"id": NaN, "question": "9", "answer": "Round robin."}', False),
    ("Infinity id", b'{"id": -Infinity, "question": "9", "answer": "Round robin."}', False),
    ("1e999 id", b'{"id": 1e999, "question": "9", "answer": "Round robin."}', False),
    ("id is an object", json.dumps({**GOOD, "id": {"a": 1}}).encode(), False),
    ("question null", json.dumps({**GOOD, "id": 9, "question": None}).encode(), False),
    ("question true", json.dumps({**GOOD, "id": 10, "question": True}).encode(), False),
    ("question 9.5", json.dumps({**GOOD, "id": 11, "question": 9.5}).encode(), False),
    ("question 10**30", json.dumps({**GOOD, "id": 12, "question": 10**30}).encode(), False),
    ("unknown question", json.dumps({**GOOD, "id": 13, "question": "nope"}).encode(), False),
    ("answer a number", json.dumps({**GOOD, "id": 14, "answer": 5}).encode(), False),
    ("answer a list", json.dumps({**GOOD, "id": 15, "answer": ["a"]}).encode(), False),
    ("answer missing", json.dumps({"id": 16, "question": "9"}).encode(), False),
    ("answer empty (scored 0, as -q)", json.dumps({**GOOD, "id": 17, "answer": ""}).encode(), True),
    ("lone surrogate escape", b'{"id": 18, "question": "9", "answer": "a \\ud800 b"}', False),
    ("non-UTF-8 bytes", b'{"id": 19, "question": "9", "answer": "caf\xe9"}', False),
    ("unknown bank", json.dumps({**GOOD, "id": 20, "bank": "nope"}).encode(), False),
    ("bank a number", json.dumps({**GOOD, "id": 21, "bank": 7}).encode(), False),
    (
        "duplicate keys",
        b'{"id": 22, "question": "nope", "question": "9", "answer": "Round robin."}',
        True,
    ),
    ("1 MB answer", json.dumps({**GOOD, "id": 23, "answer": "x " * 500_000}).encode(), True),
    ("BOM mid-file", b"\xef\xbb\xbf" + json.dumps({**GOOD, "id": 24}).encode(), False),
]


@cache
def _batch_run() -> tuple[Run, list[object]]:
    folder = Path(tempfile.mkdtemp(prefix="robust-batch-"))
    home = _home(folder / "home")
    batch = home / "batch.jsonl"
    # a BOM opens the file, blank lines between, no newline after the last line
    batch.write_bytes(b"\xef\xbb\xbf" + b"\n\n".join(raw for _, raw, _ in BATCH_LINES))
    run = cli(home, "score", "--batch", str(batch), "--json", timeout=300)
    rows: list[object] = []
    for line in run.stdout.decode(errors="replace").splitlines():
        try:
            rows.append(json.loads(line, parse_constant=_refuse))
        except ValueError:
            rows.append(None)  # invalid JSON on stdout
    return run, rows


def _batch_case(index: int, name: str, scored: bool) -> Case:
    def run(home: Path) -> Outcome:
        done, rows = _batch_run()
        row = rows[index] if index < len(rows) else None
        if not isinstance(row, dict):
            return judge(done, (2,), False, f"line {index + 1}: no valid JSON row", max_err=99)
        ok = ("score" in row) if scored else ("error" in row and row.get("line") == 2 * index + 1)
        what = (
            f"score {row['score']}" if "score" in row else f"error {str(row.get('error'))[:40]!r}"
        )
        return judge(done, (2,), ok, what, max_err=99, lost=scored and "score" not in row)

    expected = "scored" if scored else "reported with its line number, others scored"
    return Case(3, f"batch line: {name}", expected, run, "batch")


BATCH_CASES = [_batch_case(i, name, scored) for i, (name, _, scored) in enumerate(BATCH_LINES)]


def _batch_file_case(name: str, data: bytes | None, codes: tuple[int, ...] = (2,)) -> Case:
    def run(home: Path) -> Outcome:
        batch = _home(home) / "batch.jsonl"
        if data is None:
            batch.mkdir()
        else:
            batch.write_bytes(data)
        done = cli(home, "score", "--batch", str(batch), "--json", timeout=120)
        return judge(
            done, codes, done.returncode != 0 or _json_ok(done) or not done.stdout, max_err=4
        )  # one line per bad line, and the count

    return Case(3, f"batch file: {name}", "one line, exit 2", run, "batch")


BATCH_CASES += [
    _batch_file_case("empty", b""),
    _batch_file_case("blank lines only", b"\n \n\r\n"),
    _batch_file_case("a directory", None, (1, 2)),
    _batch_file_case("only bad lines", b"{\n[\nnull\n"),
]


# -- bank YAML ----------------------------------------------------------------------------------------


def _question(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "q1",
        "number": 1,
        "category": "Cat",
        "title": "T",
        "prompt": "Explain it.",
        "difficulty": "Mid",
        "answer": "A model answer.",
        "key_points": ["Knows it"],
    }
    base.update(changes)
    return base


def _bank(*questions: dict[str, object], **changes: object) -> str:
    bank: dict[str, object] = {
        "id": "mine",
        "title": "Mine",
        "description": "d",
        "questions": list(questions) or [_question()],
    }
    bank.update(changes)
    return json.dumps(bank)


def _bank_case(
    name: str,
    make: Callable[[Path], None],
    listed: int | None = 34,
    warnings: int | None = 1,
    check_codes: tuple[int, ...] = (1,),
    drop_root: bool = False,
) -> Case:
    """The shipped bank's 34 questions still listed, the broken file one warning line, bank check
    reporting it, and a score still working."""

    def run(home: Path) -> Outcome:
        banks = _home(home) / "banks"
        banks.mkdir()
        make(banks)
        if drop_root:
            os.chmod(home, 0o777)
            os.chmod(banks, 0o777)
        prefix = DROP_ROOT if drop_root else ()
        listing = cli(home, "bank", "list", "--json", timeout=60, prefix=prefix)
        check = cli(home, "bank", "check", timeout=60, prefix=prefix)
        try:
            rows = json.loads(listing.stdout) if listing.returncode == 0 else []
        except ValueError:
            rows = []
        said = listing.stderr.decode(errors="replace").count("warning:")
        ok = (
            listing.returncode == 0
            and (listed is None or len(rows) == listed)
            and (warnings is None or said == warnings)
            and check.returncode in check_codes
        )
        note = f"{len(rows)} listed, {said} warning(s), check {check.returncode}"
        return judge([check, listing], (0,), ok, note, max_err=12)

    return Case(3, f"bank file: {name}", "others listed, one warning, check fails", run, "bank")


# as root, file permissions bind only without these capabilities (the way tests/store does it)
DROP_ROOT = (
    ("setpriv", "--bounding-set=-dac_override,-dac_read_search") if os.geteuid() == 0 else ()
)


def _write(name: str, text: str | bytes) -> Callable[[Path], None]:
    def make(banks: Path) -> None:
        data = text.encode() if isinstance(text, str) else text
        (banks / name).write_bytes(data)

    return make


def _symlink_loop(banks: Path) -> None:
    (banks / "a.yaml").symlink_to(banks / "b.yaml")
    (banks / "b.yaml").symlink_to(banks / "a.yaml")


def _dev_zero(banks: Path) -> None:
    (banks / "zero.yaml").symlink_to("/dev/zero")


def _unreadable(banks: Path) -> None:
    (banks / "secret.yaml").write_text(_bank())
    (banks / "secret.yaml").chmod(0)


def _laughs() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    return "\n".join(lines) + "\nid: x\n"


BANK_CASES = [
    _bank_case("billion laughs (aliases)", _write("laughs.yaml", _laughs())),
    _bank_case("number: .nan", _write("nan.yaml", _bank(_question(number=float("nan"))))),
    _bank_case(
        "number: 1e400", _write("inf.yaml", _bank().replace('"number": 1', '"number": 1e400'))
    ),
    _bank_case("number: -1", _write("neg.yaml", _bank(_question(number=-1)))),
    _bank_case("symlink loop", _symlink_loop, warnings=2),
    _bank_case("symlink to /dev/zero", _dev_zero),
    _bank_case("unreadable (as non-root)", _unreadable, drop_root=True),
    _bank_case("not UTF-8", _write("latin.yaml", _bank().encode().replace(b'"T"', b'"caf\xe9"'))),
    _bank_case(
        "duplicate question ids",
        _write("dup.yaml", _bank(_question(), _question(number=2))),
        listed=None,
    ),
    _bank_case(
        "bank id of the shipped bank",
        _write("clash.yaml", _bank(id="architecture-system-design")),
        listed=None,
        warnings=None,
    ),
    _bank_case("empty file", _write("empty.yaml", "")),
    _bank_case("just null", _write("null.yaml", "null\n")),
    _bank_case("a list", _write("list.yaml", "- 1\n- 2\n")),
    _bank_case("no questions", _write("none.yaml", _bank(questions=[]))),
    _bank_case("empty key_points", _write("nokp.yaml", _bank(_question(key_points=[])))),
    _bank_case("difficulty Expert", _write("diff.yaml", _bank(_question(difficulty="Expert")))),
    _bank_case("key_points a string", _write("kps.yaml", _bank(_question(key_points="x")))),
    _bank_case("tab-indented YAML", _write("tab.yaml", "id: x\nquestions:\n\t- 1\n")),
    _bank_case(
        "python tag", _write("tag.yaml", "!!python/object/apply:os.system ['touch /tmp/x']\n")
    ),
    _bank_case("3 MB file", _write("big.yaml", "# " + "x" * 3_000_000 + "\n" + _bank())),
    _bank_case(
        "a folder named x.yaml",
        lambda banks: (banks / "x.yaml").mkdir(),
        warnings=None,
        check_codes=(0, 1),
    ),
    _bank_case(
        "escapes in title/category",
        _write(
            "esc.yaml",
            _bank(_question(title="\x1b]0;pwned\x07T", category="\x1b[2JC"), title="\x9b31mMine"),
        ),
        listed=35,
        warnings=0,
        check_codes=(0, 1),
    ),
    _bank_case(
        "1,001 questions",
        _write("many.yaml", _bank(*[_question(id=f"q{i}", number=i) for i in range(1, 1002)])),
    ),
    _bank_case("1,000-character id", _write("longid.yaml", _bank(_question(id="a" * 1000)))),
]


def _banks_is_a_file(home: Path) -> Outcome:
    (_home(home) / "banks").write_text("not a folder")
    listing = cli(home, "bank", "list", "--json", timeout=60)
    rows = json.loads(listing.stdout) if listing.returncode == 0 else []
    return judge(listing, (0,), len(rows) == 34, f"{len(rows)} listed")


BANK_CASES.append(Case(3, "banks/ is a file", "shipped bank listed", _banks_is_a_file, "bank"))


def _seed_import_case(
    name: str,
    source: Callable[[Path], Path],
    out: Callable[[Path], Path] | None,
    codes: tuple[int, ...] = (1, 2),
) -> Case:
    """`bank import`: a hostile source or --out is one line; the database is never written over."""

    def run(home: Path) -> Outcome:
        _one_session(home)
        args = ["bank", "import", str(source(home))]
        if out is not None:
            args += ["--out", str(out(home))]
        done = cli(home, *args, timeout=60)
        kept = cli(home, "export", "1", "-f", "json")
        # the id note ("bank id ... is used by ...") may come first
        return judge(done, codes, max_err=2, lost=b"Round robin." not in kept.stdout)

    return Case(4, f"bank import: {name}", "one line, DB intact", run, "bank")


def _seed(home: Path) -> Path:
    """The shipped bank written back in the seed's text format: a source that imports."""
    import yaml

    from interviewer.core.bank.schema import Bank
    from interviewer.core.bank.seed_format import render_seed_text

    shipped = yaml.safe_load((REPO / "bank" / "architecture-system-design.yaml").read_text())
    path = home / "seed.txt"
    path.write_text(render_seed_text(Bank.model_validate(shipped)))
    return path


def _binary(home: Path) -> Path:
    path = home / "seed.bin"
    path.write_bytes(bytes(range(256)) * 100)
    return path


BANK_CASES += [
    _seed_import_case("--out the database", _seed, lambda h: h / "transcripts.sqlite3"),
    _seed_import_case("--out a folder", _seed, lambda h: h),
    _seed_import_case("--out under a file", _seed, lambda h: h / "seed.txt" / "x.yaml"),
    _seed_import_case("--out a symbolic link loop", _seed, _link_loop),
    _seed_import_case("source /dev/zero", lambda h: Path("/dev/zero"), None),
    _seed_import_case("source binary", _binary, None),
    _seed_import_case("source a folder", lambda h: h, None),
    _seed_import_case("source missing", lambda h: h / "nope.txt", None),
]


# -- rubric YAML and the user's _scoring.yaml ---------------------------------------------------------


def _shipped_rubric() -> str:
    return (REPO / "rubrics" / "architecture-system-design" / f"{Q9}.yaml").read_text()


def _rubric_case(
    name: str, edit: Callable[[str], str | bytes], check_codes: tuple[int, ...] = (1,)
) -> Case:
    """bank check rejects it, and score still gives a finite 0-100 score (the shipped rubric)."""

    def run(home: Path) -> Outcome:
        folder = _home(home) / "rubrics" / "architecture-system-design"
        folder.mkdir(parents=True)
        data = edit(_shipped_rubric())
        (folder / f"{Q9}.yaml").write_bytes(data.encode() if isinstance(data, str) else data)
        check = cli(home, "bank", "check", timeout=120)
        score = _score(home, STRONG.encode(), "--json")
        value = (
            json.loads(score.stdout).get("score")
            if score.returncode == 0 and _json_ok(score)
            else None
        )
        ok = (
            check.returncode in check_codes and isinstance(value, int | float) and 0 <= value <= 100
        )
        return judge(
            [check, score], (0,), ok, f"check {check.returncode}, score {value}", max_err=6
        )

    return Case(3, f"rubric: {name}", "check rejects, score 0-100", run, "rubric")


def _kp_field(line: str) -> Callable[[str], str]:
    return lambda text: text.replace("    evidence:", f"    {line}\n    evidence:", 1)


RUBRIC_CASES = [
    _rubric_case("weight .nan", _kp_field("weight: .nan")),
    _rubric_case("weight -1", _kp_field("weight: -1")),
    _rubric_case("weight 0", _kp_field("weight: 0")),
    _rubric_case("weight 'heavy'", _kp_field("weight: heavy")),
    _rubric_case("threshold -0.5", _kp_field("threshold: -0.5")),
    _rubric_case("threshold .nan", _kp_field("threshold: .nan")),
    _rubric_case("threshold 5", _kp_field("threshold: 5")),
    _rubric_case("calibration .inf", _kp_field("calibration: {slope: .inf, intercept: 0}")),
    _rubric_case("calibration .nan", _kp_field("calibration: {slope: 1, intercept: .nan}")),
    _rubric_case(
        "evidence empty",
        lambda t: re.sub(
            r"(?s)evidence:\n.*?    mistakes:", "evidence: []\n    mistakes:", t, count=1
        ),
    ),
    _rubric_case(
        "evidence numbers", lambda t: t.replace("evidence:\n", "evidence:\n      - 12\n", 1)
    ),
    _rubric_case("wrong label", lambda t: t.replace('"Knows multiple strategies"', '"Other"', 1)),
    _rubric_case("empty file", lambda t: ""),
    _rubric_case("not UTF-8", lambda t: t.encode().replace(b"Round robin", b"Rou\xe9", 1)),
    _rubric_case(
        "1.4 MB of statements",
        lambda t: t.replace(
            "evidence:\n",
            "evidence:\n" + "      - Round robin sends each request onward in turn.\n" * 30000,
            1,
        ),
    ),
    _rubric_case(
        "2,000-character statement",
        lambda t: t.replace("evidence:\n", "evidence:\n      - " + "word " * 400 + "\n", 1),
    ),
    _rubric_case(
        "escapes in a statement",
        lambda t: t.replace(
            "evidence:\n",
            'evidence:\n      - "\\e]0;pwned\\a Round robin \\e[2J sends in turn."\n',
            1,
        ),
        check_codes=(0, 1),
    ),
]


def _scoring_case(name: str, edit: Callable[[str], str]) -> Case:
    """A broken user _scoring.yaml: one warning, the shipped map used, a finite score."""

    def run(home: Path) -> Outcome:
        folder = _home(home) / "rubrics"
        folder.mkdir()
        (folder / "_scoring.yaml").write_text(
            edit((REPO / "rubrics" / "_scoring.yaml").read_text())
        )
        score = _score(home, STRONG.encode(), "--json")
        base = _baseline_score()
        value = (
            json.loads(score.stdout).get("score")
            if score.returncode == 0 and _json_ok(score)
            else None
        )
        said = score.stderr.decode(errors="replace").count("warning")
        ok = value == base and said == 1
        return judge(score, (0,), ok, f"score {value} (shipped {base}), {said} warning(s)")

    return Case(3, f"_scoring.yaml: {name}", "one warning, shipped map's score", run, "rubric")


@cache
def _baseline_score() -> float | None:
    with tempfile.TemporaryDirectory() as folder:
        run = _score(Path(folder), STRONG.encode(), "--json")
        return float(json.loads(run.stdout)["score"]) if run.returncode == 0 else None


RUBRIC_CASES += [
    _scoring_case("coef .nan", lambda t: t.replace("- 1.2957", "- .nan", 1)),
    _scoring_case("intercept .inf", lambda t: t.replace("intercept: -3.9947", "intercept: .inf")),
    _scoring_case("covered_at -1", lambda t: t.replace("covered_at: 0.62", "covered_at: -1")),
    _scoring_case(
        "partial_at above covered_at", lambda t: t.replace("partial_at: 0.42", "partial_at: 0.9")
    ),
    _scoring_case("coef list too short", lambda t: t.replace("- 1.2957\n", "", 1)),
    _scoring_case("unknown feature", lambda t: t.replace("- best", "- telepathy", 1)),
    _scoring_case("not a mapping", lambda t: "- 1\n- 2\n"),
    _scoring_case("bad YAML", lambda t: "coef: [1, 2\n"),
    _scoring_case("floor 7", lambda t: t.replace("floor: 0.3", "floor: 7")),
]


# -- sessions in the store, imported JSON ------------------------------------------------------------


def _python(home: Path, code: str, *args: str, timeout: float = 120) -> Run:
    env = {**os.environ, "INTERVIEWER_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def _one_session(home: Path) -> None:
    run = _python(_home(home), SESSION)
    assert run.returncode == 0, run.stderr


def _export_json(home: Path) -> dict[str, object]:
    run = cli(home, "export", "1", "-f", "json")
    record: dict[str, object] = json.loads(run.stdout)
    return record


def _import_case(
    name: str,
    make: Callable[[dict[str, object]], bytes | None],
    codes: tuple[int, ...] = (1, 2),
    check_html: bool = False,
) -> Case:
    """export --import of a hostile file: refused with one line, or stored and then every export of
    it holds no live markup. The session already stored is kept either way."""

    def run(home: Path) -> Outcome:
        _one_session(home)
        record = {**_export_json(home), "uid": "0123456789abcdef0123456789abcdef"}  # a new session
        path = home / "import.json"
        data = make(record)
        if data is None:
            path.mkdir()
        else:
            path.write_bytes(data)
        imported = cli(home, "export", "--import", str(path), timeout=120)
        runs = [imported]
        live = False
        if imported.returncode == 0:
            for fmt in ("html", "md"):
                out = cli(home, "export", "2", "-f", fmt)
                runs.append(out)
                page = out.stdout.decode(errors="replace")
                live = live or _live_html(page if fmt == "html" else _markdown_to_html(page))
            runs.append(cli(home, "review", "2"))
        kept = cli(home, "export", "1", "-f", "json")
        lost = b"Round robin." not in kept.stdout
        ok = (
            imported.returncode in codes or (imported.returncode == 0 and 0 in codes)
        ) and not live
        return judge(
            runs,
            (runs[-1].returncode,),
            ok,
            f"import {imported.returncode}, live {live}",
            max_err=2,
            lost=lost,
        )

    return Case(4, f"import: {name}", "one line, or stored and inert", run, "import")


def _markdown_to_html(text: str) -> str:
    """What a Markdown viewer that passes raw HTML (as GitHub's and most editors' previews do,
    less their sanitiser) would make of the export."""
    from markdown_it import MarkdownIt

    return str(MarkdownIt("commonmark", {"html": True}).render(text))


def _live_html(page: str) -> bool:
    """Whether the page has an element that runs or loads anything: a script, an event handler, a
    javascript: URL, or an element that loads from elsewhere (img, iframe, object, embed, svg)."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Finder(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in {"script", "img", "iframe", "object", "embed", "svg", "link", "meta"} - {
                "meta"
            }:
                found.append(tag)
            for name, value in attrs:
                if name.startswith("on") or "javascript:" in (value or "").lower().replace(" ", ""):
                    found.append(f"{tag} {name}")

    Finder().feed(page)
    return bool(found)


def _set(path: str, value: object) -> Callable[[dict[str, object]], bytes]:
    def make(record: dict[str, object]) -> bytes:
        target: object = record
        keys = path.split(".")
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]  # type: ignore[index]
        last = keys[-1]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value  # type: ignore[index]
        return json.dumps(record).encode()

    return make


def _seconds(record: dict[str, object], number: str) -> bytes:
    return json.dumps(record).replace('"seconds": 3.0', f'"seconds": {number}', 1).encode()


XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>[x](javascript:alert(3))"
IMPORT_CASES = [
    _import_case(
        "answer text with <script>, <img>, javascript:", _set("answers.0.text", XSS), (0,)
    ),
    _import_case("question title with markup", _set("questions.0.title", XSS), (0,)),
    _import_case("model answer with markup", _set("questions.0.model_answer", XSS), (0,)),
    _import_case("settings with markup", _set("settings", {"x": XSS}), (0, 1, 2)),
    _import_case("started_at not a date", _set("started_at", "yesterday")),
    _import_case("question id with markup", _set("answers.0.question_id", XSS), (0, 1, 2)),
    _import_case("part with markup", _set("answers.0.part", XSS), (0, 1, 2)),
    _import_case("bank id with markup", _set("bank", XSS), (0, 1, 2)),
    _import_case("answer text a number", _set("answers.0.text", 5)),
    _import_case("answers a string", _set("answers", "x")),
    _import_case("seconds NaN", lambda r: _seconds(r, "NaN")),
    _import_case("seconds 1e999", lambda r: _seconds(r, "1e999")),
    _import_case("seconds -5", lambda r: _seconds(r, "-5"), (0, 1, 2)),
    _import_case("seconds a 5,000-digit number", lambda r: _seconds(r, "9" * 5000)),
    _import_case("scores a string", _set("answers.0.scores", "high")),
    _import_case(
        "unknown fields", lambda r: json.dumps({**r, "zz": {"a": [1]}}).encode(), (0, 1, 2)
    ),
    _import_case("100,000-deep", lambda r: b"[" * 100_000 + b"]" * 100_000),
    _import_case("top level a list", lambda r: b"[]"),
    _import_case("empty file", lambda r: b""),
    _import_case("not JSON", lambda r: b"{session"),
    _import_case("not UTF-8", lambda r: json.dumps(r).encode().replace(b"Round robin", b"Rou\xe9")),
    _import_case(
        "lone surrogate",
        lambda r: json.dumps(r).replace("Round robin.", "\\ud800").encode(),
        (0, 1, 2),
    ),
    _import_case("30 MB", lambda r: b'{"x": "' + b"a" * 30_000_000 + b'"}'),
    _import_case("a directory", lambda r: None),
    _import_case("escapes in answer text", _set("answers.0.text", ESCAPES.decode()), (0,)),
]


# -- review / export / stats ids ---------------------------------------------------------------------


def _id_case(args: tuple[str, ...], codes: tuple[int, ...] = (1, 2), session: bool = True) -> Case:
    def run(home: Path) -> Outcome:
        if session:
            _one_session(home)
        else:
            _home(home)
        done = cli(home, *args, timeout=120)
        usage = done.stderr.startswith(b"usage:")  # argparse's usage, then its one error line
        return judge(done, codes, max_err=8 if usage else 1)

    where = "with one session" if session else "on an empty home"
    shown = " ".join(a[:12] + ("..." if len(a) > 12 else "") for a in args)
    return Case(3, f"{shown} ({where})", "one line", run, "ids")


BIG = "9" * 5000
ID_CASES = [
    _id_case(("review", BIG)),
    _id_case(("review", "-1")),
    _id_case(("review", "abc")),
    _id_case(("review", "0")),
    _id_case(("review", "9223372036854775808")),
    _id_case(("review", "１")),  # a full-width digit
    _id_case(("review", "last"), (0, 1, 2), session=False),
    _id_case(("export", "last", "-f", "json"), session=False),
    _id_case(("export", "-5")),
    _id_case(("export", "\x1b]0;pwned\x07")),
    _id_case(("review", "--question", BIG), (0, 1, 2)),  # "No sessions match"
    _id_case(("review", "--correct", BIG, "1", "covered")),
    _id_case(("review", "--correct", "1", BIG, "covered")),
    _id_case(("review", "--correct", "1", "1", "\x1b[2Jmaybe")),
    _id_case(("review", "--correct", "1", "0", "covered")),
    _id_case(("stats", "--question", BIG), (0, 1, 2)),
    _id_case(("stats", "--limit", "-1"), (0, 1, 2)),
    _id_case(("stats", "--limit", BIG), (0, 1, 2)),
    _id_case(("stats", "--width", "0"), (0, 1, 2)),
    _id_case(("stats", "--width", "100000000"), (0, 1, 2)),
    _id_case(("stats", "--category", "\x1b[2J"), (0, 1, 2)),
    _id_case(("review", "--rescore", "1"), (0,)),
]


# -- export output paths ------------------------------------------------------------------------------


def _out_case(
    name: str,
    target: Callable[[Path], Path],
    codes: tuple[int, ...] = (1, 2),
    force: bool = False,
    drop_root: bool = False,
) -> Case:
    def run(home: Path) -> Outcome:
        _one_session(home)
        out = target(home)
        if drop_root:
            for path in (home, home / "transcripts.sqlite3"):
                os.chmod(path, 0o777 if path.is_dir() else 0o666)
        args = ["export", "1", "-f", "html", "--out", str(out)] + (["--force"] if force else [])
        done = cli(home, *args, prefix=DROP_ROOT if drop_root else ())
        kept = cli(home, "export", "1", "-f", "json")
        lost = b"Round robin." not in kept.stdout
        return judge(done, codes, max_err=1, lost=lost)

    return Case(4, f"export --out {name}", "refused with one line, DB intact", run, "out")


def _symlink_to_db(home: Path) -> Path:
    (home / "link.html").symlink_to(home / "transcripts.sqlite3")
    return home / "link.html"


def _hardlink_to_db(home: Path) -> Path:
    os.link(home / "transcripts.sqlite3", home / "hard.html")
    return home / "hard.html"


def _existing_file(home: Path) -> Path:
    (home / "x.html").write_text("keep")
    return home / "x.html"


def _read_only_folder(home: Path) -> Path:
    folder = home / "ro"
    folder.mkdir(mode=0o555)
    return folder / "x.html"


OUT_CASES = [
    _out_case("the DB via ./", lambda h: h / "." / "transcripts.sqlite3", force=True),
    _out_case("a symlink to the DB, --force", _symlink_to_db, force=True),
    _out_case("a hard link to the DB, --force", _hardlink_to_db, force=True),
    _out_case(
        "the DB's -wal file, --force",
        lambda h: h / "transcripts.sqlite3-wal",
        (0, 1, 2),
        force=True,
    ),
    _out_case("a missing folder", lambda h: h / "nope" / "x.html"),
    _out_case("a directory", lambda h: h),
    _out_case("a read-only folder (non-root)", _read_only_folder, drop_root=True),
    _out_case("an existing file without --force", _existing_file),
    _out_case("a symbolic link loop", _link_loop),
    _out_case("a symbolic link loop, --force", _link_loop, force=True),
    _out_case("/dev/full (disk full)", lambda h: Path("/dev/full"), force=True),
]


# -- config.toml --------------------------------------------------------------------------------------


def _config_case(
    name: str,
    text: str | bytes | None,
    args: tuple[str, ...] = ("doctor", "--offline"),
    codes: tuple[int, ...] = (0, 1, 2),
    secret: str | None = None,
) -> Case:
    def run(home: Path) -> Outcome:
        config = _home(home) / "config.toml"
        if text is None:
            config.mkdir()
        else:
            config.write_bytes(text.encode() if isinstance(text, str) else text)
        done = cli(home, *args, stdin=STRONG.encode(), timeout=120)
        leaked = secret is not None and secret.encode() in done.stdout + done.stderr
        note = "secret printed" if leaked else ""
        return judge(done, codes, not leaked, note, max_err=4)

    return Case(
        3, f"config.toml: {name} ({args[0]})", "works or one line, no secret", run, "config"
    )


KEY = "sk-test-0123456789abcdefSECRET"
CONFIG_CASES = [
    _config_case("bad TOML", "[llm\nmodel = ", ("score", "-q", "9"), (0,)),
    _config_case("bad TOML", "[llm\nmodel = "),
    _config_case("not UTF-8", b'[llm]\nmodel = "caf\xe9"\n', ("score", "-q", "9"), (0,)),
    _config_case("a directory", None, ("score", "-q", "9"), (0,)),
    _config_case(
        "timeout a string",
        '[llm]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\ntimeout = "abc"\n',
    ),
    _config_case(
        "deadline -1", '[llm]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\ndeadline = -1\n'
    ),
    _config_case(
        "deadline inf",
        '[llm]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\ndeadline = inf\n',
        ("score", "-q", "9", "--feedback"),
    ),
    _config_case("base_url a number", "[llm]\nbase_url = 5\nmodel = 7\n"),
    _config_case(
        "base_url file://",
        '[llm]\nbase_url = "file:///etc/passwd"\nmodel = "m"\n',
        ("score", "-q", "9", "--feedback"),
    ),
    _config_case(
        "api_key in the file",
        f'[llm]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\napi_key = "{KEY}"\n',
        secret=KEY,
    ),
    _config_case(
        "api_key in the file",
        f'[llm]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\napi_key = "{KEY}"\n',
        ("score", "-q", "9", "--feedback"),
        secret=KEY,
    ),
    _config_case("[llm] is a string", 'llm = "x"\n', ("score", "-q", "9", "--feedback")),
    _config_case(
        "escapes in model name",
        '[llm]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "\\u001b]0;pwned\\u0007"\n',
    ),
    _config_case(
        "[tui.start] time limit inf",
        "[tui.start]\ntime_limit_minutes = inf\ncount = 99999999999\n",
        ("interview", "--help"),
        (0,),
    ),
]


# -- the store ----------------------------------------------------------------------------------------

STORE_SUBMIT = r"""
import sys
from interviewer.adapters.store.sqlite import open_store
from interviewer.adapters.store.errors import StoreError
store = open_store()
try:
    session = store.start_session("architecture-system-design", ["load-balancing-strategies"], {})
except StoreError as error:
    print("start:", error.message)
    session = 0
try:
    store.submit_answer(session, "load-balancing-strategies", "main", sys.argv[1], 3.0)
    print("submitted")
except StoreError as error:
    print("submit:", error.message)
"""
ANSWER = "Round robin hands each request to the next server; " + "x" * 3000


def _answer_kept(home: Path, text: str = ANSWER) -> bool:
    """In the database (after --recover) or at least in the fallback file."""
    database = home / "transcripts.sqlite3"
    fallback = home / "fallback" / "unsaved-answers.jsonl"
    found = fallback.exists() and text in fallback.read_text(errors="replace")
    if database.is_file():
        try:
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
                found = found or any(
                    text == row[0] for row in db.execute("SELECT text FROM answers")
                )
        except sqlite3.Error:
            pass
    return found


def _store_case(
    name: str,
    prepare: Callable[[Path], None],
    recover: bool = True,
    limit: int | None = None,
    drop_root: bool = False,
) -> Case:
    def run(home: Path) -> Outcome:
        prepare(_home(home))
        preexec: Callable[[], None] | None = None
        if limit is not None:
            size = limit

            def preexec() -> None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

        prefix = DROP_ROOT if drop_root else ()
        env = {**os.environ, "INTERVIEWER_HOME": str(home)}
        submit = subprocess.run(
            [*prefix, sys.executable, "-c", STORE_SUBMIT, ANSWER],
            env=env,
            cwd=REPO,
            capture_output=True,
            timeout=120,
            preexec_fn=preexec,
            check=False,
        )
        said = submit.stdout.decode(errors="replace").strip().replace("\n", " | ")[:70]
        kept = _answer_kept(home)
        runs = [submit]
        if recover and kept:
            runs.append(cli(home, "review", "--recover"))
        return judge(runs, (0, 1), kept, said, lost=not kept)

    return Case(1, f"store: {name}", "the answer in the DB or the fallback", run, "store")


def _corrupt(home: Path) -> None:
    (home / "transcripts.sqlite3").write_bytes(b"SQLite format 3\x00" + os.urandom(8192))


def _garbage(home: Path) -> None:
    (home / "transcripts.sqlite3").write_bytes(os.urandom(4096))


def _future_schema(home: Path) -> None:
    with sqlite3.connect(home / "transcripts.sqlite3") as db:
        db.execute("PRAGMA user_version = 999")
        db.execute("CREATE TABLE answers (x)")


def _read_only_db(home: Path) -> None:
    assert cli(home, "review").returncode == 0
    os.chmod(home, 0o777)
    os.chmod(home / "transcripts.sqlite3", 0o444)


def _db_dir(home: Path) -> None:
    (home / "transcripts.sqlite3").mkdir()


def _db_symlink_null(home: Path) -> None:
    (home / "transcripts.sqlite3").symlink_to("/dev/null")


def _full_disk(home: Path) -> None:
    assert cli(home, "review").returncode == 0  # a database with the schema (about 100 KB)


STORE_CASES = [
    _store_case("damaged file (header, then noise)", _corrupt),
    _store_case("random bytes at the DB path", _garbage),
    _store_case("a future schema version", _future_schema),
    _store_case("read-only DB file (non-root)", _read_only_db, drop_root=True),
    _store_case("the DB path is a directory", _db_dir),
    _store_case("the DB path links to /dev/null", _db_symlink_null),
    _store_case("disk full (no file may grow past 4 KB)", _full_disk, limit=4096),
]


def _cli_on_bad_store(name: str, prepare: Callable[[Path], None], args: tuple[str, ...]) -> Case:
    def run(home: Path) -> Outcome:
        prepare(_home(home))
        return judge(cli(home, *args, timeout=60), (1, 2), max_err=1)

    return Case(1, f"{' '.join(args)[:20]} on a {name}", "one line", run, "store")


STORE_CASES += [
    _cli_on_bad_store("damaged DB", _corrupt, ("review",)),
    _cli_on_bad_store("damaged DB", _corrupt, ("stats",)),
    _cli_on_bad_store("damaged DB", _corrupt, ("export", "last")),
    _cli_on_bad_store("future schema", _future_schema, ("review",)),
]


def _locked_review(home: Path) -> Outcome:
    from eval.robustness_cases import locked

    _one_session(home)
    with locked(home / "transcripts.sqlite3"):
        runs = [cli(home, *args, timeout=60) for args in (("review",), ("export", "1"), ("stats",))]
    return judge(runs, (0, 1), note=" / ".join(str(r.returncode) for r in runs), max_err=1)


STORE_CASES.append(
    Case(
        1,
        "review/export/stats under an exclusive lock",
        "read or one line",
        _locked_review,
        "store",
    )
)


# -- the LLM ------------------------------------------------------------------------------------------


def _llm_case(
    name: str,
    script: dict[str, object],
    args: tuple[str, ...] = ("--feedback",),
    timeout: str = "2",
    deadline: str = "6",
) -> Case:
    def run(home: Path) -> Outcome:
        from tests.feedback.chat_server import ChatServer, Fault, Script

        server = ChatServer().start()
        fields = dict(script)
        if "fault" in fields:
            fields["fault"] = Fault(str(fields["fault"]))
        server.script = Script(**fields)  # type: ignore[arg-type]
        env = {
            "INTERVIEWER_LLM_BASE_URL": server.base_url,
            "INTERVIEWER_LLM_MODEL": "tiny-test",
            "INTERVIEWER_LLM_TIMEOUT": timeout,
            "INTERVIEWER_LLM_DEADLINE": deadline,
        }
        try:
            plain = cli(home, "score", "-q", "9", "--json", stdin=STRONG.encode(), timeout=120)
            done = cli(home, "score", "-q", "9", *args, stdin=STRONG.encode(), env=env, timeout=120)
        finally:
            server.stop()
        same = _same_score(plain, done, "--json" in args)
        return judge(done, (0,), same, "score unchanged" if same else "score changed", max_err=3)

    return Case(6, f"LLM {' '.join(args)}: {name}", "one line, score unchanged", run, "llm")


def _same_score(plain: Run, done: Run, as_json: bool) -> bool:
    base = json.loads(plain.stdout)["score"] if plain.returncode == 0 else None
    if as_json:
        try:
            return bool(json.loads(done.stdout)["score"] == base)
        except (ValueError, KeyError):
            return False
    return base is not None and f"Score {base:.0f}/100".encode() in done.stdout


HOSTILE_REPLY = (
    "\x1b[2J\x1b]0;pwned\x07[bold red]boom[/] [link=file:///etc]x[/link] \u202eevil \x9b1m"
)
LLM_CASES = [
    _llm_case("hang", {"fault": "hang"}),
    _llm_case("hang mid-stream", {"fault": "hang_mid_stream"}),
    _llm_case("500", {"fault": "server_error"}),
    _llm_case("429 then 429", {"fault": "rate_limited", "retry_after": "1"}),
    _llm_case("malformed chunk", {"fault": "malformed"}),
    _llm_case("wrong shape", {"fault": "wrong_shape"}),
    _llm_case("cut connection", {"fault": "cut_chunked"}),
    _llm_case("HTML 502", {"fault": "bad_gateway"}),
    _llm_case("escapes and markup in the reply", {"reply": HOSTILE_REPLY}),
    _llm_case(
        "escapes and markup in the reply", {"reply": HOSTILE_REPLY}, ("--feedback", "--json")
    ),
    _llm_case(
        "judge: escapes in verdict JSON",
        {"reply": '{"verdicts": "' + HOSTILE_REPLY + '"}'},
        ("--judge", "llm"),
    ),
    _llm_case("judge: not JSON", {"reply": "I think it is fine"}, ("--judge", "llm", "--json")),
    _llm_case("judge: hang", {"fault": "hang"}, ("--judge", "llm", "--json")),
    _llm_case(
        "trickle past the deadline",
        {"reply": "word " * 400, "chunk_chars": 4, "chunk_delay": 0.1},
        deadline="3",
    ),
]


# -- the TUI (headless Pilot, in a child process) -----------------------------------------------------


def _tui_kill(home: Path) -> Outcome:
    import signal
    import time

    from tests.tui.test_durability import CHILD

    text = "Round robin rotates; \x1b[2J pasted \x07 control \u202e text."
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            str(REPO),
            str(_home(home)),
            text,
            "kill",
            str(home.parent / "context-home"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    assert child.stdout is not None
    try:
        line = child.stdout.readline()
        time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    with sqlite3.connect(home / "transcripts.sqlite3") as db:
        kept = [row[0] for row in db.execute("SELECT text FROM answers")]
        kept += [row[0] for row in db.execute("SELECT text FROM drafts")]
    ok = line.strip() == b"submitted" and text in kept
    return Outcome(
        f"killed 50 ms after ctrl+s; answer kept: {text in kept}", ok, lost=text not in kept
    )


def _time_limit_case(value: str) -> Case:
    def run(home: Path) -> Outcome:
        done = cli(_home(home), "interview", "--time-limit", value, "--count", "1", timeout=30)
        return judge(done, (2,), max_err=8 if done.stderr.startswith(b"usage:") else 1)

    return Case(
        3, f"interview --time-limit {value}", "refused before the TUI, one line", run, "tui"
    )


TUI_START = r"""
import asyncio, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from interviewer.core.config_file import load_ui_preferences
from interviewer.core.interview.session import InterviewSettings
from interviewer.core.grading.embedding import HashingEmbedder
from interviewer.core.grading.grader import Grader
from interviewer.paths import Paths
from interviewer.wiring import load_context
from tests.tui.conftest import build_app

context = load_context(Paths(Path(sys.argv[2])))
grader = Grader(HashingEmbedder(), context.rubrics.rubrics, context.prompts(), context.params)
settings = InterviewSettings.from_dict(load_ui_preferences(Path(sys.argv[2]) / "config.toml").start)

async def main():
    app = build_app(context, lambda: grader, settings=settings)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause(0.5)
        if sys.argv[3] != "-":
            app.screen.query_one("#time-limit").value = sys.argv[3]
        await pilot.press("ctrl+s")
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        print(type(app.screen).__name__, str(app.screen.query_one("#countdown").content))

asyncio.run(main())
"""


def _tui_start_case(name: str, config: str, typed: str) -> Case:
    def run(home: Path) -> Outcome:
        (_home(home) / "config.toml").write_text(config)
        done = _python(home, TUI_START, str(REPO), str(home), typed)
        shown = done.stdout.decode(errors="replace").strip()
        return judge(done, (0,), shown.startswith("QuestionScreen"), shown[:40], max_err=0)

    return Case(3, f"TUI start: {name}", "the question screen, a countdown", run, "tui")


def _count_case(count: str) -> Case:
    def run(home: Path) -> Outcome:
        return judge(cli(_home(home), "interview", "--count", count, timeout=30), (2,), max_err=1)

    return Case(3, f"interview --count {count}", "refused before the TUI, one line", run, "tui")


TUI_CASES = [
    _tui_start_case(
        "config time_limit_minutes = inf", "[tui.start]\ntime_limit_minutes = inf\n", "-"
    ),
    _tui_start_case(
        "config time_limit_minutes = 1e308, count 10**20",
        "[tui.start]\ntime_limit_minutes = 1e308\ncount = 99999999999999999999\n",
        "-",
    ),
    _tui_start_case("typed 1e308 minutes", "", "1e308"),
    _tui_start_case("typed -0 minutes", "", "-0"),
    Case(
        1,
        "TUI: paste control text, ctrl+s, SIGKILL 50 ms later",
        "answer on disk",
        _tui_kill,
        "tui",
    ),
    *(_time_limit_case(v) for v in ("inf", "nan", "-1", "0", "1e308", "99999999999999999999", "x")),
    *(_count_case(n) for n in ("0", "-1")),
]

SWEEP: list[Case] = [
    *ANSWER_CASES,
    *BATCH_CASES,
    *BANK_CASES,
    *RUBRIC_CASES,
    *IMPORT_CASES,
    *ID_CASES,
    *OUT_CASES,
    *CONFIG_CASES,
    *STORE_CASES,
    *LLM_CASES,
    *TUI_CASES,
]
