"""Turn a seed model answer (plain text with diagrams, tables and code) into Markdown, and back.

The seed format has no markup: diagrams are box-drawing art, code is bare lines, tables are words
separated by single spaces. Markdown that renders well needs fences around the art and the code, hard
line breaks where the text relies on lines, and real tables where a table's columns can be recovered
(`table_cells`). The conversion is lossless:
``to_plain(to_markdown(text))``
gives the text back, which the importer's property tests check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_BOX = set("─│┌┐└┘├┤┬┴┼═║╔╗╚╝╠╣╦╩╬▼▲►◄┃━")
_LIST = re.compile(r"^(?:[-*+] |\d+[.)] )")
_LABEL = re.compile(r"^[^\s].{0,78}:$")
_BOLD_LABEL = re.compile(r"^\*\*(.+:)\*\*$")
_FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")
_CODE_LINE = re.compile(
    r"""^\s*(?:def|class|import|from|return|if|elif|else:|for|while|try:|except|with|async|await
    |const|let|var|function|SELECT|INSERT|UPDATE|DELETE\s+FROM|FROM|RUN|COPY|CMD|WORKDIR|EXPOSE
    |ENV|ENTRYPOINT)\b
    |[=;{}]|\w\(.*\)|^\$\s|^(?:kubectl|docker|terraform|git|curl|redis-cli|helm|npm|pip|python)\b""",
    re.VERBOSE,
)
_MARKUP = re.compile(
    r"[`*\\\[\]|]|<[A-Za-z/!]|&\w+;|(?:^|\W)_|_(?:\W|$)|^\s*(?:[#>]|-{2,}|={2,}|~{3,})"
)

_LANGUAGES: list[tuple[str, re.Pattern[str]]] = [
    ("python", re.compile(r"^\s*(?:def |class |import |from \w+ import|self\.)|\bself\.", re.M)),
    ("hcl", re.compile(r'^\s*(?:resource|provider|variable|module|output) "', re.M)),
    ("dockerfile", re.compile(r"^(?:FROM|RUN|COPY|WORKDIR|CMD|EXPOSE|ENTRYPOINT) ", re.M)),
    ("sql", re.compile(r"^\s*(?:SELECT|INSERT INTO|UPDATE|CREATE TABLE) ", re.M)),
    (
        "bash",
        re.compile(r"^\s*(?:\$ |kubectl |docker |terraform |git |curl |redis-cli |helm )", re.M),
    ),
    ("yaml", re.compile(r"^\s*(?:- )?[A-Za-z_][\w.-]*:(?: |$)", re.M)),
]


def _blocks(lines: list[str]) -> Iterator[list[str]]:
    block: list[str] = []
    for line in lines:
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def _is_preformatted(block: list[str]) -> bool:
    for line in block:
        if line[:1].isspace() or _BOX.intersection(line) or _MARKUP.search(line):
            return True
        if _CODE_LINE.search(line) or line.rstrip().endswith("\\"):
            return True
    return False


_COMMENT = re.compile(r"^(?:#|//|--|/\*|\*)")
_WORD = re.compile(r"^[(\"'“]?[A-Za-z][A-Za-z'’-]*[)\"'”]?[,.;:!?]?[)\"'”]?$")


def _is_prose(block: list[str]) -> bool:
    """Sentences, not code: unindented lines of mostly plain words ending like a sentence. A
    semicolon or a call such as `retry()` in a sentence must not make it code, nor glue it to
    the code block before it."""
    if any(
        line[:1].isspace() or _BOX.intersection(line) or _COMMENT.match(line) or line.endswith("\\")
        for line in block
    ):
        return False
    words = " ".join(block).split()
    if len(words) < 6 or block[-1].rstrip()[-1:] not in ".!?":
        return False
    return sum(1 for word in words if _WORD.match(word)) >= 0.8 * len(words)


def _language(block_text: str) -> str | None:
    """The fence language; None when nothing tells (the block may continue the previous code)."""
    if _BOX.intersection(block_text):
        return "text"
    for name, pattern in _LANGUAGES:
        if pattern.search(block_text):
            return name
    return None


def _fence_for(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _text_block(block: list[str]) -> list[str]:
    out: list[str] = []
    for index, line in enumerate(block):
        following = block[index + 1] if index + 1 < len(block) else None
        if _LIST.match(line):
            out.append(line)
        elif _LABEL.match(line):
            out.append(f"**{line}**" + ("\\" if following and not _LIST.match(following) else ""))
        elif following is not None and not _LIST.match(following):
            out.append(line + "\\")
        else:
            out.append(line)
    return out


# A flattened table: short lines of words, no full stops, colons or arrows, no list or label line.
_NOT_TABLE = re.compile(r"[.:;!=→←↓↑►◄▼▲]")
_NUMERIC = re.compile(r"^[~≈<>]?\d")
_TABLE_ROW = re.compile(r"^\| (.*) \|$")
_TABLE_RULE = re.compile(r"^\|(?:-{3,}\|)+$")


def table_cells(block: list[str]) -> list[list[str]] | None:
    """The cells of a table the seed flattened into lines of words, or None when the block is not
    one or its columns cannot be told apart.

    A cell starts at a capitalised word not after a comma (the seed capitalises every cell: "Limit
    Hardware max Virtually unlimited", "Desktop, SPA"). The column count is the one most body rows agree on; a row with more
    cells joins a repeated word to the cell before it ("Read Perf Write Perf", "Full guest OS"); a
    row with fewer opens a cell at a number ("~5% overhead", "2x resources").
    Every line must come out with that count, or the block stays as lines.
    """
    if len(block) < 3 or any(_LIST.match(line) or _LABEL.match(line) for line in block):
        return None
    if any(
        _NOT_TABLE.search(line) or line.split(" ") != line.split() or len(line.split()) > 12
        for line in block
    ):
        return None
    rows = [_capital_cells(line.split(" ")) for line in block]
    counts = [len(row) for row in rows[1:]]
    columns = max(set(counts), key=lambda n: (counts.count(n), n))
    if columns < 2 or counts.count(columns) * 2 <= len(counts):
        return None
    fitted = [_fit(row, columns) for row in rows]
    if any(row is None for row in fitted):
        return None
    return [[" ".join(cell) for cell in row] for row in fitted if row is not None]


def _capital_cells(words: list[str]) -> list[list[str]]:
    cells: list[list[str]] = []
    for word in words:
        if not cells or (word[0].isupper() and not cells[-1][-1].endswith(",")):
            cells.append([word])
        else:
            cells[-1].append(word)
    return cells


def _fit(cells: list[list[str]], columns: int) -> list[list[str]] | None:
    cells = [list(cell) for cell in cells]
    if len(cells) > columns:
        singles = [cell[0] for cell in cells if len(cell) == 1]
        merged: list[list[str]] = []
        for cell in cells:
            if merged and len(cell) == 1 and singles.count(cell[0]) > 1:
                merged[-1] += cell
            else:
                merged.append(cell)
        cells = merged
    elif len(cells) < columns:
        split: list[list[str]] = []
        for cell in cells:
            split.append([cell[0]])
            for word in cell[1:]:
                if _NUMERIC.match(word):
                    split.append([word])
                else:
                    split[-1].append(word)
        cells = split
    return cells if len(cells) == columns else None


def _table(rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    return [lines[0], "|" + "|".join("---" for _ in rows[0]) + "|", *lines[1:]]


def to_markdown(text: str) -> str:
    """Markdown for a plain-text model answer: art and code fenced, line structure kept."""
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    chunks: list[tuple[str, list[str]]] = []  # (language or "" for text, lines)
    for block in _blocks(lines):
        prose = _is_prose(block)
        if prose and _is_preformatted(block) and not _MARKUP.search("\n".join(block)):
            chunks.append(("", _text_block(block)))  # a sentence with `;` or `f(x)` in it
        elif prose and _is_preformatted(block):
            chunks.append(("text", list(block)))  # fenced to stay lossless, but on its own
        elif _is_preformatted(block):
            text_of_block = "\n".join(block)
            language = _language(text_of_block)
            previous = chunks[-1] if chunks else None
            continues_code = (
                previous is not None and previous[0] not in ("", "text") and (language is None)
            )
            if language is None:
                language = previous[0] if continues_code and previous else "text"
            if (
                previous is not None
                and (continues_code or previous[0] == language)
                and not (
                    _BOX.intersection(text_of_block) or _BOX.intersection("\n".join(previous[1]))
                )
            ):
                chunks[-1][1].extend(["", *block])
                continue
            chunks.append((language, list(block)))
        elif (cells := table_cells(block)) is not None:
            chunks.append(("", _table(cells)))
        else:
            chunks.append(("", _text_block(block)))
    parts: list[str] = []
    for language, body in chunks:
        if language:
            fence = _fence_for("\n".join(body))
            parts.append("\n".join([fence + language, *body, fence]))
        else:
            parts.append("\n".join(body))
    return "\n\n".join(parts)


def to_plain(markdown: str) -> str:
    """The plain text a Markdown answer came from (the inverse of ``to_markdown``)."""
    out: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines():
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            continue
        if fence is not None:
            if line == fence:
                fence = None
            else:
                out.append(line)
            continue
        if _TABLE_RULE.match(line):
            continue
        if row := _TABLE_ROW.match(line):
            out.append(" ".join(row.group(1).split(" | ")))
            continue
        if line.endswith("\\"):
            line = line[:-1]
        label = _BOLD_LABEL.match(line)
        out.append(label.group(1) if label else line)
    return "\n".join(out)
