"""A stored session as JSON (the full record, importable), Markdown, or one self-contained HTML page.

Pure functions of a `SessionRecord`: the CLI, the TUI and the tests all render the same way. The
highlight rule lives in `highlight`, the two documents in `markdown_export` and `html_export`; this
module is where callers find them all, and where a JSON export is read back and checked.
"""

from __future__ import annotations

import json
import re

from pydantic import ValidationError

from interviewer.core.safe_text import json_text
from interviewer.core.transcripts.export_text import MARKS as MARKS
from interviewer.core.transcripts.export_text import PART_TITLES as PART_TITLES
from interviewer.core.transcripts.highlight import PALETTE as PALETTE
from interviewer.core.transcripts.highlight import Segment as Segment
from interviewer.core.transcripts.highlight import evidence_spans as evidence_spans
from interviewer.core.transcripts.highlight import point_colour as point_colour
from interviewer.core.transcripts.highlight import segments as segments
from interviewer.core.transcripts.html_export import to_html as to_html
from interviewer.core.transcripts.markdown_export import to_markdown as to_markdown
from interviewer.core.transcripts.records import SessionRecord


def to_json(record: SessionRecord) -> str:
    """The full record; DEL, C1 controls and line separators escaped, so it is safe to print and
    reads back the same."""
    return json_text(record.model_dump_json(indent=2)) + "\n"


# An export nests five levels deep; anything far deeper is not one (and would exhaust the stack).
MAX_JSON_DEPTH = 64


def from_json(text: str) -> SessionRecord:
    """A record from an export; a ValueError with one readable line when it is not one."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON: {error.msg} (line {error.lineno})") from None
    except RecursionError:
        raise ValueError(f"not an export: nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError as error:  # e.g. an integer with more digits than Python will read
        raise ValueError(f"not JSON: {str(error).splitlines()[0]}") from None
    _check_values(data)
    if not isinstance(data, dict) or data.get("format") != "interviewer.session/1":
        raise ValueError("not an interviewer session export (no 'format': 'interviewer.session/1')")
    try:
        record = SessionRecord.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = " ".join(str(first["msg"]).split())
        raise ValueError(f"{where}: {message}"[:300]) from None
    for i, answer in enumerate(record.answers):  # the store reads what it has as it is; a file
        if answer.seconds < 0:  # says how long an answer took, and that is never negative
            raise ValueError(f"answers.{i}.seconds: the time taken cannot be negative")
    return record


def _check_values(data: object) -> None:
    """Refuse what no export holds and the store could not keep: deep nesting, broken Unicode."""
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"not an export: nested more than {MAX_JSON_DEPTH} levels deep")
        if isinstance(value, dict):
            stack += [(key, depth) for key in value] + [(v, depth + 1) for v in value.values()]
        elif isinstance(value, list):
            stack += [(item, depth + 1) for item in value]
        elif isinstance(value, str) and _SURROGATE.search(value):
            raise ValueError("not an export: a string holds a lone surrogate (invalid Unicode)")


_SURROGATE = re.compile("[\ud800-\udfff]")
