"""The one rule for untrusted text on a terminal: answers, bank and rubric text, LLM output, imported
records and file names are data, so before any of it is shown, terminal control is taken out.

`clean` removes ANSI/ECMA-48 escape sequences (CSI, OSC and the other string commands, two-byte ESC
sequences, their C1 forms), every other C0/C1 control character and DEL, keeping newline and
tab, and the bidi embedding, override and isolate characters (a terminal would show the text in
another order than it is); a carriage return becomes a newline (it could overwrite what is already
on the line); a lone surrogate, which no terminal encoding can write, becomes U+FFFD. What is left can go to a terminal
as it is; for Rich it must still go in as `Text`, never as markup (see `interviewer.views.safe`).

The patterns are linear: a string command (OSC, DCS, ...) only reaches as far as the next ESC, BEL
or ST, so an unterminated one costs one scan and leaves its text visible.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

__all__ = ["StreamCleaner", "clean", "clean_pieces", "is_clean", "json_text", "one_line"]

_UNSAFE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: ESC [ params intermediates final
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"  # OSC, DCS, ...
    r"|\x1b[ -/]*[0-~]"  # two-byte (nF / Fp / Fe / Fs) escape sequences
    r"|\r\n?"  # a carriage return becomes a newline
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"  # any other control character, ESC included
    r"|[\u202a-\u202e\u2066-\u2069]"  # bidi embeddings, overrides, isolates: reorder what is shown
    r"|[\ud800-\udfff]"  # a lone surrogate
)
_BREAKS = re.compile(r"[\n\t\u2028\u2029]")
_LEFT_OVER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# An escape sequence that a chunk boundary may have cut: held back until the next chunk.
_OPEN_TAIL = re.compile(
    r"(?:\x1b|\x9b|\x1b\[[0-?]*[ -/]*|\x9b[0-?]*[ -/]*|\x1b[ -/]+"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*\x1b?|\r)\Z"
)
_OPEN_TAIL_LIMIT = 4096  # a longer "sequence" is text that happens to follow an ESC


def _replacement(match: re.Match[str]) -> str:
    found = match.group()
    if found[0] == "\r":
        return "\n"
    if "\ud800" <= found[0] <= "\udfff":
        return "\ufffd"
    return ""


def clean(text: str) -> str:
    """`text` with no terminal control in it: only newline and tab of the control characters."""
    return _UNSAFE.sub(_replacement, text)


def one_line(text: str) -> str:
    """`clean(text)` on one line: for table cells, error messages and file names."""
    return _BREAKS.sub(" ", clean(text))


_JSON_RAW = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def json_text(dumped: str) -> str:
    """JSON from `json.dumps(..., ensure_ascii=False)` made safe for a terminal: it escapes C0
    itself, and here DEL, C1, line separators and lone surrogates become `\\uXXXX` escapes too.
    Outside strings JSON is ASCII, so the document reads back the same."""
    return _JSON_RAW.sub(lambda match: f"\\u{ord(match.group()):04x}", dumped)


def is_clean(text: str) -> bool:
    """Whether `text` holds no control character other than newline and tab, and no surrogate."""
    return _LEFT_OVER.search(text.replace("\r", "\x00")) is None


def clean_pieces(pieces: Sequence[str]) -> list[str]:
    """`clean` over the pieces' concatenation, cut back at the same places.

    For text already split by offsets (an answer cut into highlighted segments): a sequence that
    crosses a boundary is removed whole, and each piece keeps exactly its own surviving characters.
    """
    joined = "".join(pieces)
    starts = [0]
    for piece in pieces:
        starts.append(starts[-1] + len(piece))
    out: list[list[str]] = [[] for _ in pieces]

    def copy(begin: int, end: int) -> None:
        index = bisect.bisect_right(starts, begin) - 1
        while begin < end:
            stop = min(end, starts[index + 1])
            out[index].append(joined[begin:stop])
            begin, index = stop, index + 1

    position = 0
    for match in _UNSAFE.finditer(joined):
        copy(position, match.start())
        replacement = _replacement(match)
        if replacement:
            out[bisect.bisect_right(starts, match.start()) - 1].append(replacement)
        position = match.end()
    copy(position, len(joined))
    return ["".join(parts) for parts in out]


class StreamCleaner:
    """`clean` for text that arrives in chunks (an LLM stream): an escape sequence cut by a chunk
    boundary is held back and removed whole, instead of leaving its tail on the screen."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, chunk: str) -> str:
        text = self._held + chunk
        tail = _OPEN_TAIL.search(text)
        if tail is not None and len(text) - tail.start() <= _OPEN_TAIL_LIMIT:
            text, self._held = text[: tail.start()], text[tail.start() :]
        else:
            self._held = ""
        return clean(text)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return clean(held)
