"""The labelled answer set: our own answers to the bank's questions with per-key-point labels.

Format (documented in eval/README.md): one JSON object per line with `id`, `question`, `part`,
`kind`, `set`, `answer`, `coverage` (one of 0 / 0.5 / 1 per key point) and `grade` (0-10).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer.core.problems import FileProblems, Problem
from interviewer.core.result import Part
from interviewer.paths import checkout_dir

if TYPE_CHECKING:
    from interviewer.core.ports import TranscriptReader

REPO = checkout_dir()
DEFAULT_DATA = REPO / "eval" / "labelled"
CLEAN_KINDS = ("strong", "missing-one", "partial", "wrong", "off-topic", "hostile", "short-expert")
MESSY_KINDS = (
    "mixed",
    "rambling",
    "other-words",
    "bullets",
    "wrong-recommendation",
    "neighbour",
    "non-native",
    "code",
    "unsure",
)


@dataclass(frozen=True)
class LabelledAnswer:
    id: str
    question: str
    part: Part
    kind: str
    set: str
    answer: str
    coverage: tuple[float, ...]
    grade: float
    note: str = ""


def _row(path: Path, number: int, data: object) -> LabelledAnswer:
    where = f"line {number}"
    if not isinstance(data, dict):
        raise FileProblems([Problem(str(path), where, "line", "expected a JSON object")])
    missing = [k for k in ("id", "question", "answer", "coverage", "grade") if k not in data]
    if missing:
        raise FileProblems([Problem(str(path), where, missing[0], "missing")])
    coverage = data["coverage"]
    if not isinstance(coverage, list) or any(c not in (0, 0.5, 1) for c in coverage):
        raise FileProblems([Problem(str(path), where, "coverage", "expected a list of 0, 0.5, 1")])
    grade = data["grade"]
    if not isinstance(grade, int | float) or not 0 <= grade <= 10:
        raise FileProblems([Problem(str(path), where, "grade", "expected a number 0-10")])
    try:
        part = Part(str(data.get("part", Part.MAIN)))
    except ValueError:
        problem = Problem(str(path), where, "part", "expected main or follow_up")
        raise FileProblems([problem]) from None
    kind = str(data.get("kind", "user"))
    default_set = "messy" if kind in MESSY_KINDS else "clean"
    return LabelledAnswer(
        id=str(data["id"]),
        question=str(data["question"]),
        part=part,
        kind=kind,
        set=str(data.get("set", default_set)),
        answer=str(data["answer"]),
        coverage=tuple(float(c) for c in coverage),
        grade=float(grade),
        note=str(data.get("note", "")),
    )


def read_jsonl(path: Path) -> list[LabelledAnswer]:
    rows: list[LabelledAnswer] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise FileProblems([Problem(str(path), f"line {number}", "json", error.msg)]) from None
        rows.append(_row(path, number, data))
    return rows


def load_labelled(paths: Iterable[Path] = (DEFAULT_DATA,)) -> list[LabelledAnswer]:
    """Every answer in the given files or folders (`*.jsonl`, regular files only: a FIFO in a
    folder would block the read), ids unique. A file named outright is read as it is (a pipe
    with a writer is data)."""
    rows: list[LabelledAnswer] = []
    for path in paths:
        files = sorted(p for p in path.glob("*.jsonl") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            rows.extend(read_jsonl(file))
    seen: set[str] = set()
    for row in rows:
        if row.id in seen:
            raise FileProblems([Problem(row.id, "answer", "id", "duplicate id")])
        seen.add(row.id)
    return rows


def check_against_key_points(
    rows: Iterable[LabelledAnswer], key_point_counts: Mapping[tuple[str, Part], int]
) -> list[str]:
    """Problems where a row's labels do not fit its question's key points."""
    problems: list[str] = []
    for row in rows:
        expected = key_point_counts.get((row.question, row.part))
        if expected is None:
            problems.append(f"{row.id}: no rubric for {row.question} ({row.part})")
        elif expected != len(row.coverage):
            problems.append(f"{row.id}: {len(row.coverage)} labels for {expected} key points")
    return problems


def from_transcripts(transcripts: TranscriptReader) -> list[LabelledAnswer]:
    """Answers whose verdicts the user corrected in `interviewer review`, as labelled rows."""
    rows = transcripts.labelled_rows()
    return [_row(Path("transcripts"), number, row) for number, row in enumerate(rows, 1)]


def add_data_arguments(parser: argparse.ArgumentParser, verb: str) -> None:
    """The labelled-data options `interviewer eval` and `interviewer tune` share."""
    parser.add_argument(
        "--data",
        type=Path,
        action="append",
        help="labelled JSONL file or folder (repeatable; default eval/labelled)",
    )
    parser.add_argument(
        "--rubrics", type=Path, help=f"rubrics folder to {verb} (default: the project's)"
    )
    parser.add_argument(
        "--from-transcripts",
        action="store_true",
        help="add the answers whose verdicts you corrected in `interviewer review`",
    )
    parser.add_argument(
        "--model",
        help="a local sentence-transformers folder, or `published` for the packaged model without "
        "our tuned layers (default: the packaged model with them)",
    )


def answers_for(
    args: argparse.Namespace, open_transcripts: Callable[[], TranscriptReader]
) -> list[LabelledAnswer]:
    """The labelled answers the options name; raises FileProblems for a broken file.
    `open_transcripts` (the commands pass `wiring.open_user_store`) is called only for
    `--from-transcripts`, so a plain eval never creates the user's database."""
    answers = load_labelled(args.data or [DEFAULT_DATA])
    if args.from_transcripts:
        answers += from_transcripts(open_transcripts())
    return answers
