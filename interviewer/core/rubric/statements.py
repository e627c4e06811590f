"""A model answer split into statements a drafted rubric can use as evidence.

Model answers are Markdown notes more than prose: bold headings, short bullet items, hard-broken
lines, tables, fenced code and box-drawing diagrams. A statement here is one idea of 6-40 words:
a sentence, a bullet item or line (short ones joined under their heading), a table row read out with
its column headers, a code comment, or a few lines of code. Diagrams and fence markers are noise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MIN_WORDS = 6
MAX_WORDS = 40
_TABLE_WORDS = 4  # a table row read out with its headers stands on its own
_GROUP_WORDS = 24  # short items under one heading are joined until a statement has this many

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'_-]*")
_BOX = re.compile(r"[─│┌┐└┘├┤┬┴┼═║╔╗╚╝╠╣╦╩╬▼▲►◄┃━●○]")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_HEADING = re.compile(
    r"^(?:#{1,6}\s+(?P<hash>.+?)|\*\*(?P<bold>[^*]+?):?\*\*:?|(?:\d+[.)]\s+)?(?P<label>[^:|`]{2,60}):)$"
)
_BULLET = re.compile(r"^(?:[-*+•]|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'`*])")
_COMMENT = re.compile(r"^\s*(?:#|//|--|/\*|\*)\s?(?P<text>.*?)(?:\*/)?\s*$")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`")


@dataclass(frozen=True)
class Statement:
    """One candidate evidence statement, with the heading it stood under ("" when none)."""

    text: str
    heading: str
    kind: str  # sentence | item | table | comment | code


def words(text: str) -> int:
    return len(_WORD.findall(text))


def plain(text: str) -> str:
    """Markdown emphasis, code ticks and hard-break backslashes off; spaces collapsed."""
    text = _EMPHASIS.sub("", text.rstrip().removesuffix("\\"))
    return re.sub(r"\s+", " ", text).strip()


def heading_of(line: str) -> str | None:
    """The heading text of a heading line ("**Trade-offs:**", "## States", "3. Include Context:")."""
    match = _HEADING.match(line.strip().removesuffix("\\").strip())
    if match is None:
        return None
    text = match.group("hash") or match.group("bold") or match.group("label") or ""
    text = plain(text).rstrip(":").strip()
    return text if 0 < words(text) <= 8 else None


def _blocks(answer: str) -> Iterator[tuple[str, list[str]]]:
    """Runs of lines by kind: ("code", lines) for a fence, ("text", lines) between blank lines."""
    fence: str | None = None
    block: list[str] = []
    for line in answer.splitlines():
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                yield "code", block
                fence, block = None, []
            else:
                block.append(line)
        elif opened:
            if block:
                yield "text", block
            fence, block = opened.group(1), []
        elif line.strip():
            block.append(line)
        elif block:
            yield "text", block
            block = []
    if block:
        yield ("code" if fence is not None else "text"), block


def _table_rows(lines: list[str], heading: str) -> list[Statement]:
    cells = [[plain(c) for c in line.strip().strip("|").split("|")] for line in lines]
    rows = [row for row in cells if not _TABLE_RULE.match("|".join(row))]
    if len(rows) < 2:
        return []
    header, body = rows[0], rows[1:]
    statements: list[Statement] = []
    for row in body:
        if len(row) < 2 or not row[0]:
            continue
        pairs = [
            f"{name} {_lower_first(value)}" if name else value
            for name, value in zip(header[1:], row[1:], strict=False)
            if value
        ]
        text = f"{row[0]}: {', '.join(pairs)}." if pairs else ""
        if text:
            statements.append(Statement(text, heading, "table"))
    return statements


def _lower_first(text: str) -> str:
    """ "Lower" -> "lower", but "API" stays "API"."""
    if text[:1].isupper() and text[1:2].islower():
        return text[:1].lower() + text[1:]
    return text


def _code(lines: list[str], heading: str) -> list[Statement]:
    """Comments as statements; the remaining lines as chunks of up to MAX_WORDS words."""
    if any(_BOX.search(line) for line in lines):
        return []  # a diagram
    statements: list[Statement] = []
    chunk: list[str] = []

    def flush() -> None:
        if chunk:
            statements.append(Statement(" ".join(chunk), heading, "code"))
            chunk.clear()

    for line in lines:
        comment = _COMMENT.match(line)
        if comment is not None and words(comment.group("text")) >= 2:
            flush()
            statements.append(Statement(plain(comment.group("text")), heading, "comment"))
            continue
        text = line.strip()
        if not text:
            flush()
            continue
        if words(" ".join([*chunk, text])) > MAX_WORDS:
            flush()
        chunk.append(text)
    flush()
    return statements


_MINOR_TEXT = """read write reads writes pros cons characteristics implementation example examples usage
    benefits drawbacks advantages disadvantages steps flow process notes details problem solution
    how why when structure code setup"""
_MINOR = frozenset(_MINOR_TEXT.split())


def _context(major: str, minor: str) -> str:
    if major and minor:
        return f"{major}, {_lower_first(minor)}"
    return major or minor


def _text(lines: list[str], headings: tuple[str, str]) -> tuple[list[Statement], tuple[str, str]]:
    """Sentences and items of a prose block, and the headings in force after it: a one-word
    generic heading ("Read:", "Pros:") is a minor one under the last major heading."""
    statements: list[Statement] = []
    major, minor = headings
    heading = _context(major, minor)
    paragraph: list[str] = []
    table: list[str] = []

    def flush() -> None:
        if paragraph:
            for sentence in _SENTENCE_END.split(plain(" ".join(paragraph))):
                statements.append(Statement(sentence, heading, "sentence"))
            paragraph.clear()
        if table:
            statements.extend(_table_rows(table, heading))
            table.clear()

    for index, line in enumerate(lines):
        if _BOX.search(line):
            continue
        if line.lstrip().startswith("|"):
            if paragraph:
                flush()
            table.append(line)
            continue
        if table:
            flush()
        found = heading_of(line)
        if found is not None:
            flush()
            if found.casefold() in _MINOR:
                minor = found
            else:
                major, minor = found, ""
            heading = _context(major, minor)
            continue
        bullet = _BULLET.match(line.strip())
        broken = line.rstrip().endswith("\\") or (index > 0 and lines[index - 1].endswith("\\"))
        if bullet is not None or broken:
            flush()
            item = plain(line.strip()[bullet.end() if bullet else 0 :])
            statements.append(Statement(item, heading, "item"))
            continue
        paragraph.append(line.strip())
    flush()
    return statements, (major, minor)


def _headed(head: str, body: str) -> str:
    return f"{head}: {body}" if head and not body.lower().startswith(head.lower()) else body


def _sized(statements: list[Statement], each: bool) -> list[Statement]:
    """Short items and comments joined under their heading (with `each`, every item under its
    heading as well); long statements cut; the rest dropped."""
    out: list[Statement] = []
    group: list[Statement] = []

    def flush() -> None:
        if not group:
            return
        head = group[0].heading
        body = "; ".join(s.text.rstrip(".;") for s in group)
        out.append(Statement(_headed(head, body), head, group[0].kind))
        if each and len(group) > 1:
            out.extend(Statement(_headed(head, s.text), head, s.kind) for s in group)
        group.clear()

    for statement in statements:
        short = statement.kind in {"item", "comment"} and words(statement.text) < MIN_WORDS
        if group and (not short or statement.heading != group[0].heading):
            flush()
        if short:
            group.append(statement)
            if sum(words(s.text) for s in group) >= _GROUP_WORDS:
                flush()
        elif statement.kind == "item" and statement.heading:
            group.append(statement)  # a long item keeps its heading too
            flush()
        else:
            out.append(statement)
    flush()
    return [
        piece
        for s in out
        for piece in _cut(s)
        if words(piece.text) >= (_TABLE_WORDS if s.kind == "table" else MIN_WORDS)
    ]


def _cut(statement: Statement) -> list[Statement]:
    """A statement over MAX_WORDS, split at clause marks or, failing that, by word count."""
    if words(statement.text) <= MAX_WORDS:
        return [statement]
    pieces: list[str] = []
    for clause in re.split(r"(?<=[;:,])\s+", statement.text):
        if pieces and words(pieces[-1]) + words(clause) <= MAX_WORDS:
            pieces[-1] = f"{pieces[-1]} {clause}"
        else:
            pieces.append(clause)
    out: list[Statement] = []
    for piece in pieces:
        tokens = piece.split()
        while tokens:
            head, tokens = tokens[:MAX_WORDS], tokens[MAX_WORDS:]
            out.append(Statement(" ".join(head), statement.heading, statement.kind))
    return out


def split_statements(answer: str, *, each: bool = False) -> list[Statement]:
    """The model answer's statements in order, each of MIN_WORDS-MAX_WORDS words, no duplicates;
    `each` adds every short item under its heading beside the group it is joined into."""
    found: list[Statement] = []
    headings = ("", "")
    for kind, lines in _blocks(answer):
        if kind == "code":
            found.extend(_code(lines, _context(*headings)))
        else:
            statements, headings = _text(lines, headings)
            found.extend(statements)
    seen: set[str] = set()
    unique: list[Statement] = []
    for statement in _sized(found, each):
        key = statement.text.casefold()
        if key not in seen:
            seen.add(key)
            unique.append(statement)
    return unique


def tables(answer: str) -> tuple[list[tuple[list[str], list[str]]], str]:
    """Each table's header cells and row labels, and the answer's text outside its tables."""
    found: list[tuple[list[str], list[str]]] = []
    outside: list[str] = []
    current: list[list[str]] = []
    for line in [*answer.splitlines(), ""]:
        if line.lstrip().startswith("|"):
            cells = [plain(c) for c in line.strip().strip("|").split("|")]
            if not _TABLE_RULE.match("|".join(cells)):
                current.append(cells)
            continue
        if len(current) >= 2:
            found.append((current[0], [row[0] for row in current[1:] if row and row[0]]))
        current = []
        outside.append(line)
    return found, "\n".join(outside)
