"""Clear, one-line problems for files a user can break: banks and rubrics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    file: str
    where: str  # "question <id>", "question #<n>", "bank", "rubric"
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.field}: {self.message}"


class FileProblems(Exception):
    """One or more problems in a file; each prints as one line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = list(problems)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file or raise FileProblems with the line of the syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise FileProblems(
            [Problem(str(path), "file", "encoding", f"not UTF-8 ({error.reason})")]
        ) from None
    except OSError as error:
        raise FileProblems(
            [Problem(str(path), "file", "read", error.strerror or str(error))]
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "file"
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise FileProblems(
            [Problem(str(path), where, "yaml", f"malformed YAML: {reason}")]
        ) from None


def _label(items: Any, index: int, kind: str) -> str:
    if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
        item = items[index]
        if isinstance(item.get("id"), str):
            return f"{kind} {item['id']}"
        if "number" in item:
            return f"{kind} #{item['number']}"
    return f"{kind} {index + 1} (by position)"


def problems_from_validation(
    path: Path, error: ValidationError, data: Any, list_key: str, kind: str
) -> list[Problem]:
    """Turn pydantic's errors into lines naming the item (by id or number) and the field."""
    problems: list[Problem] = []
    items = data.get(list_key) if isinstance(data, dict) else None
    for detail in error.errors():
        loc = detail["loc"]
        message = str(detail["msg"]).removeprefix("Value error, ")
        if len(loc) >= 2 and loc[0] == list_key and isinstance(loc[1], int):
            where = _label(items, loc[1], kind)
            field = ".".join(str(part) for part in loc[2:]) or kind
        elif message.startswith(f"{kind} ") and ": " in message:
            where, _, rest = message.partition(": ")
            field, _, message = rest.partition(": ")
        else:
            where, field = (
                ("bank" if kind == "question" else "rubric"),
                (".".join(str(part) for part in loc) or "file"),
            )
        if detail["type"] == "missing":
            message = "missing"
        elif detail["type"] == "extra_forbidden":
            message = "unknown field"
        problems.append(Problem(str(path), where, field, message))
    return problems
