"""Read and write banks in the seed's plain-text format.

The format, as the first bank uses it::

    <bank title>
    <bank description>
    N.                      a question starts with its number alone on a line
    <title>
    <prompt>
    Junior | Mid | Senior
    <model answer: free text, diagrams, code, tables>
    Key Points to Look For:
    - <key point>
    Follow-up: <question>   optional
    <Section heading>       optional: the category of the questions that follow

Lines such as "Back to Questions", a bare page number, "Difficulty:" and "Session: ..." before the
first question are page furniture and are skipped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from interviewer.core.bank.answer_markdown import to_markdown, to_plain
from interviewer.core.bank.schema import Bank, BankSource, Difficulty, slugify

_NUMBER = re.compile(r"^(\d+)\.$")
_KEY_POINTS = "Key Points to Look For:"
_FOLLOW_UP = re.compile(r"^Follow-up:\s*(.*)$")
_FURNITURE = re.compile(r"^(?:Back to Questions|\d+|Difficulty:.*|Session:.*)$")
# the page's filter and session lines: what follows them before "1." is the first section heading
_PAGE_LINES = re.compile(r"^(?:Difficulty:.*|Session:.*)$")
DEFAULT_FIRST_CATEGORY = "Fundamentals"


MAX_SEED_BYTES = 2_000_000  # a bank of 1,000 questions is well under this (the seed: 90 KB)


@dataclass(frozen=True)
class SeedFormatError(Exception):
    """A problem in a seed-format file, located by line and question."""

    line: int
    where: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.where}: {self.message}"


@dataclass
class _Cursor:
    lines: list[str]
    start: int  # index of the question's number line
    stop: int  # index one past the question's last line


def _next_filled(lines: list[str], index: int, stop: int) -> int:
    while index < stop and not lines[index].strip():
        index += 1
    return index


def _paragraphs(lines: list[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            out[-1].append(line.strip())
        elif out[-1]:
            out.append([])
    return [paragraph for paragraph in out if paragraph]


def _is_heading(paragraph: list[str]) -> bool:
    """A section heading: one short line of words, not a sentence ("Networking", "Data Stores")."""
    line = paragraph[0]
    return len(paragraph) == 1 and len(line) <= MAX_HEADING and line[-1:] not in ".!?:;,"


MAX_HEADING = 80


def _header(lines: list[str]) -> tuple[str, str, str | None]:
    """Title, description and the first section's heading, when the page has one.

    The heading is a single line after the page's "Difficulty:"/"Session:" lines, or else a short
    last paragraph after title and description: it names the first questions' category and is
    never part of the description."""

    def page(part: list[str]) -> list[list[str]]:
        return _paragraphs([line for line in part if not _FURNITURE.match(line.strip())])

    marks = [i for i, line in enumerate(lines) if _PAGE_LINES.match(line.strip())]
    before, after = (page(lines[: marks[-1]]), page(lines[marks[-1] + 1 :])) if marks else ([], [])
    heading: str | None = None
    if before and len(after) == 1 and len(after[0]) == 1:
        paragraphs, heading = before, after[0][0]
    else:
        paragraphs = page(lines)
        if len(paragraphs) >= 3 and _is_heading(paragraphs[-1]):
            heading = paragraphs.pop()[0]
    if not paragraphs:
        raise SeedFormatError(1, "bank", "title: no bank title before the first question")
    kept = [line for paragraph in paragraphs for line in paragraph]
    return kept[0], " ".join(kept[1:]), heading


def _parse_question(cursor: _Cursor, category: str) -> tuple[dict[str, object], str | None]:
    """The question's fields, and the section heading that follows it (if any)."""
    lines, stop = cursor.lines, cursor.stop
    number = int(lines[cursor.start].strip()[:-1])
    where = f"question #{number}"
    i = _next_filled(lines, cursor.start + 1, stop)
    if i >= stop:
        raise SeedFormatError(cursor.start + 1, where, "title: missing")
    title = lines[i].strip()
    prompt_lines: list[str] = []
    i += 1
    while i < stop and lines[i].strip() not in Difficulty._value2member_map_:
        if lines[i].strip() == _KEY_POINTS:
            break
        if lines[i].strip():
            prompt_lines.append(lines[i].strip())
        i += 1
    if i >= stop or lines[i].strip() not in Difficulty._value2member_map_:
        raise SeedFormatError(
            cursor.start + 1, where, "difficulty: missing (a line Junior, Mid or Senior)"
        )
    if not prompt_lines:
        raise SeedFormatError(i + 1, where, "prompt: missing")
    difficulty = lines[i].strip()
    body_start = i + 1
    while i < stop and lines[i].strip() != _KEY_POINTS:
        i += 1
    if i >= stop:
        raise SeedFormatError(cursor.start + 1, where, f"key_points: no '{_KEY_POINTS}' line")
    answer = to_markdown("\n".join(lines[body_start:i]))
    i += 1
    key_points: list[str] = []
    i = _next_filled(lines, i, stop)
    while i < stop and lines[i].startswith("- "):
        key_points.append(lines[i][2:].strip())
        i += 1
    if not key_points:
        raise SeedFormatError(i + 1, where, "key_points: the list is empty")
    follow_up: str | None = None
    rest = [line.strip() for line in lines[i:stop] if line.strip()]
    if rest and (match := _FOLLOW_UP.match(rest[0])):
        follow_up = match.group(1).strip() or None
        rest = rest[1:]
    fields: dict[str, object] = {
        "id": slugify(title),
        "number": number,
        "category": category,
        "title": title,
        "prompt": " ".join(prompt_lines),
        "difficulty": difficulty,
        "answer": answer,
        "key_points": key_points,
    }
    if follow_up is not None:
        fields["follow_up"] = follow_up
    return fields, (" ".join(rest) if rest else None)


def parse_seed_text(
    text: str,
    *,
    bank_id: str | None = None,
    first_category: str | None = None,
    source: BankSource | None = None,
) -> Bank:
    """Parse a whole bank in the seed format. Raises SeedFormatError naming line and question.
    The first questions' category is `first_category`, else the heading above them, else
    DEFAULT_FIRST_CATEGORY."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    starts = [i for i, line in enumerate(lines) if _NUMBER.match(line.strip())]
    if not starts:
        raise SeedFormatError(1, "bank", "questions: no numbered question ('1.') found")
    title, description, heading = _header(lines[: starts[0]])
    category = first_category or heading or DEFAULT_FIRST_CATEGORY
    questions: list[dict[str, object]] = []
    for n, start in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(lines)
        fields, heading = _parse_question(_Cursor(lines, start, stop), category)
        questions.append(fields)
        if heading is not None:
            if n + 1 == len(starts):
                raise SeedFormatError(
                    stop, f"question #{fields['number']}", f"trailing text {heading!r}"
                )
            category = heading
    try:
        return Bank.model_validate(
            {
                "id": bank_id or slugify(title),
                "title": title,
                "description": description,
                "source": source,
                "questions": questions,
            }
        )
    except ValidationError as error:
        first = error.errors()[0]
        where, field = _locate(first["loc"], questions)
        raise SeedFormatError(0, where, f"{field}: {first['msg']}") from error


def _locate(loc: tuple[int | str, ...], questions: list[dict[str, object]]) -> tuple[str, str]:
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        question = questions[loc[1]]
        return f"question #{question['number']}", ".".join(str(part) for part in loc[2:]) or "?"
    return "bank", ".".join(str(part) for part in loc) or "?"


def import_seed_file(
    path: Path, *, bank_id: str | None = None, first_category: str | None = None
) -> Bank:
    with path.open("rb") as file:  # bounded: /dev/zero or a huge file is refused, not read whole
        data = file.read(MAX_SEED_BYTES + 1)
    if len(data) > MAX_SEED_BYTES:
        raise SeedFormatError(
            1, "file", f"larger than {MAX_SEED_BYTES:,} bytes: not a question bank"
        )
    source = BankSource(file=path.name, sha256=hashlib.sha256(data).hexdigest())
    return parse_seed_text(
        data.decode("utf-8"),
        bank_id=bank_id,
        first_category=first_category,
        source=source,
    )


def render_seed_text(bank: Bank) -> str:
    """The bank in the seed's plain-text format (the importer's inverse)."""
    out: list[str] = [bank.title, ""]
    if bank.description:
        out += [bank.description, ""]
    # the page's session line, then the first section's heading, as the seed's page has them
    out += ["Session: 0 asked", bank.questions[0].category, ""]
    category = bank.questions[0].category
    for index, question in enumerate(bank.questions):
        if index > 0 and question.category != category:
            out += [question.category, ""]
            category = question.category
        out += [f"{question.number}.", "", question.title, "", question.prompt, ""]
        out += [question.difficulty.value, ""]
        if question.answer:
            out += [to_plain(question.answer), ""]
        out += [_KEY_POINTS, *(f"- {point}" for point in question.key_points), ""]
        if question.follow_up:
            out += [f"Follow-up: {question.follow_up}", ""]
    return "\n".join(out)
