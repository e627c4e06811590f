"""Load rubrics from YAML and check them against their banks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from interviewer.core.bank.schema import Bank, Question
from interviewer.core.problems import FileProblems, Problem, problems_from_validation, read_yaml
from interviewer.core.rubric.schema import Rubric


def load_rubric(path: Path) -> Rubric:
    data: Any = read_yaml(path)
    if not isinstance(data, dict):
        raise FileProblems([Problem(str(path), "rubric", "file", "expected a mapping")])
    try:
        return Rubric.model_validate(data)
    except ValidationError as error:
        problems = problems_from_validation(path, error, data, "key_points", "key point")
        question = data.get("question", "?")
        raise FileProblems(
            [Problem(p.file, f"question {question}", _field(p), p.message) for p in problems]
        ) from None


def _field(problem: Problem) -> str:
    if problem.where.startswith("key point"):
        return (
            f"key_points[{problem.where.removeprefix('key point ').split(' ')[0]}].{problem.field}"
        )
    return problem.field


def rubric_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.exists() and not path.is_dir():
            files.append(path)  # a file, or something else that read_yaml reports
        elif path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*.y*ml")
                    if p.suffix in {".yaml", ".yml"} and not p.name.startswith("_")
                )
            )
    return files


def check_against_question(path: Path, rubric: Rubric, question: Question) -> list[Problem]:
    """A rubric must label the bank's key points verbatim, in order, and match the follow-up."""
    where = f"question {question.id}"
    problems: list[Problem] = []
    labels = [kp.label for kp in rubric.key_points]
    if labels != question.key_points:
        problems.append(
            Problem(
                str(path),
                where,
                "key_points",
                f"labels {labels} differ from the bank's {question.key_points}",
            )
        )
    if question.follow_up is None and rubric.follow_up is not None:
        problems.append(Problem(str(path), where, "follow_up", "the question has no follow-up"))
    if (
        rubric.follow_up is not None
        and question.follow_up is not None
        and (rubric.follow_up.prompt != question.follow_up)
    ):
        problems.append(Problem(str(path), where, "follow_up.prompt", "differs from the bank's"))
    return problems


def _question_index(banks: Sequence[Bank]) -> dict[str, Question]:
    return {q.id: q for bank in banks for q in bank.questions}


def _against_banks(path: Path, rubric: Rubric, index: dict[str, Question]) -> list[Problem]:
    """What `bank check` says of a rubric that parsed; loading skips a rubric with any of it."""
    question = index.get(rubric.question)
    if question is None:
        if not index:
            return []  # no bank to check against
        return [
            Problem(
                str(path),
                f"question {rubric.question}",
                "question",
                "no such question in any loaded bank",
            )
        ]
    return check_against_question(path, rubric, question)


def check_rubric_paths(paths: Sequence[Path], banks: Sequence[Bank]) -> tuple[list[Problem], int]:
    index = _question_index(banks)
    problems: list[Problem] = []
    files = rubric_files(paths)
    for path in files:
        try:
            rubric = load_rubric(path)
        except FileProblems as error:
            problems.extend(error.problems)
            continue
        problems.extend(_against_banks(path, rubric, index))
    return problems, len(files)


class RubricSet:
    """Rubrics by question id, with a content hash per rubric for caching and versioning."""

    def __init__(self) -> None:
        self.rubrics: dict[str, Rubric] = {}
        self.problems: list[Problem] = []
        self.hashes: dict[str, str] = {}

    def get(self, question_id: str) -> Rubric | None:
        return self.rubrics.get(question_id)

    @property
    def version(self) -> str:
        """A short digest of every rubric's content: names a rubric version in eval reports."""
        digest = hashlib.sha256()
        for key in sorted(self.hashes):
            digest.update(f"{key}:{self.hashes[key]}\n".encode())
        return digest.hexdigest()[:12]


def load_rubric_set(paths: Iterable[Path], banks: Sequence[Bank] | None = None) -> RubricSet:
    """Later paths override earlier ones per question: the user's folder overrides the project's.
    With `banks`, a rubric that `bank check` would reject against them is reported and skipped,
    so what check rejects is never used to score (the earlier folder's rubric stays in use)."""
    result = RubricSet()
    index = _question_index(banks or [])
    for path in rubric_files(paths):
        try:
            rubric = load_rubric(path)
        except FileProblems as error:
            result.problems.extend(error.problems)
            continue
        if problems := _against_banks(path, rubric, index):
            result.problems.extend(problems)
            continue
        result.rubrics[rubric.question] = rubric
        result.hashes[rubric.question] = hashlib.sha256(
            rubric.model_dump_json().encode()
        ).hexdigest()
    return result
