"""Load, validate and write YAML banks."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from interviewer.core.bank.schema import MAX_ID, Bank
from interviewer.core.problems import FileProblems, Problem, problems_from_validation, read_yaml


class _BankDumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks so model answers stay readable in the YAML."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BankDumper.add_representer(str, _str)


def dump_bank_yaml(bank: Bank) -> str:
    data = bank.model_dump(mode="json", exclude_none=True)
    return yaml.dump(
        data, Dumper=_BankDumper, allow_unicode=True, sort_keys=False, width=100, indent=2
    )


def load_bank(path: Path) -> Bank:
    """A bank from YAML; raises FileProblems with one line per problem."""
    data: Any = read_yaml(path)
    if not isinstance(data, dict):
        raise FileProblems(
            [Problem(str(path), "bank", "file", "expected a mapping with 'questions'")]
        )
    try:
        return Bank.model_validate(data)
    except ValidationError as error:
        raise FileProblems(
            problems_from_validation(path, error, data, "questions", "question")
        ) from None


@dataclass
class LoadedBanks:
    banks: list[Bank] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)  # bank id -> the file it was read from

    def get(self, bank_id: str) -> Bank | None:
        return next((bank for bank in self.banks if bank.id == bank_id), None)


def bank_files(directories: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for directory in directories:
        if directory.exists() and not directory.is_dir():
            files.append(directory)  # a file, or something else that read_yaml reports
        elif directory.is_dir():
            files.extend(sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]))
    return files


def load_banks(paths: Iterable[Path]) -> LoadedBanks:
    """Every bank that loads; a broken file is reported and never hides the good ones."""
    loaded = LoadedBanks()
    for path in bank_files(paths):
        try:
            bank = load_bank(path)
        except FileProblems as error:
            loaded.problems.extend(error.problems)
            continue
        if (problem := duplicate_id(path, bank, loaded.files)) is not None:
            loaded.problems.append(problem)
            continue
        loaded.banks.append(bank)
        loaded.files[bank.id] = path
    return loaded


def duplicate_id(path: Path, bank: Bank, owners: Mapping[str, Path]) -> Problem | None:
    """The problem when another file already holds this bank's id: that file's bank is used and
    this one is skipped (`bank list` warns, `bank check` fails, `bank import` avoids it)."""
    owner = owners.get(bank.id)
    if owner is None or owner.resolve() == path.resolve():
        return None
    message = f"duplicate bank id {bank.id!r} (also in {owner}); this file is skipped"
    return Problem(str(path), "bank", "id", message)


def unique_bank_id(wanted: str, taken: Collection[str]) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`, ... : the first that no loaded bank uses."""
    number, candidate = 1, wanted
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = wanted[: MAX_ID - len(suffix)].rstrip("-") + suffix
    return candidate
