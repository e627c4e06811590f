"""Answer text: units with character offsets, and the cheap rules that neutralise gaming.

The rules are deliberately few. Text addressed to the grader is removed from what is scored and
flagged; a bare list of terms earns less than an explanation; other languages are flagged, not
guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_UNITS = 240  # about 4,000 words: beyond that only the beginning is scored (and flagged)
MAX_UNIT_CHARS = 600

_LINE = re.compile(r"[^\n]+")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=\S)")
_BULLET = re.compile(r"^\s*(?:[-*•+>]|\d+[.)])\s+")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'_-]*")
_FUNCTION_WORD_TEXT = """
a an the and or but if then else so because since when while where which that this these
those it its is are was were be been being has have had do does did to of in on at by for
from with without into onto over under than as not no can could should would will may might
must we you they he she i our your their them us me my there here what how why who each
every only just also too very more less most least all any some one two both either per via
until unless after before once first then later instead whereas
"""
_FUNCTION_WORDS = frozenset(_FUNCTION_WORD_TEXT.split())
_GRADER_TALK = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(?:ignore|disregard|forget|override)\b.{0,60}\b(?:instruction|rubric|prompt|previous|"
        r"above|grader|grading|criteria|rules)",
        r"\b(?:score|grade|rate|mark|give)\b.{0,40}\b(?:10\s*/\s*10|100\s*/\s*100|10 out of 10|"
        r"full (?:marks|score|points)|maximum|perfect|top (?:score|marks)|a?n? ?a\+)",
        r"\b(?:dear|attention|note to (?:the)?|hey|hello)\s+(?:grader|evaluator|examiner|scorer|"
        r"reviewer|ai|model|assistant)\b",
        r"\bas an? (?:ai|language model|grader|evaluator)\b",
        r"^\s*(?:system|assistant|developer)\s*[:>]",
        r"\b(?:system|developer)\s+(?:prompt|message|override|instruction)",
        r"\bcovers? (?:all|every|each) (?:of )?(?:the )?key ?points?\b",
        r"\b(?:grader|evaluator|scorer|rubric)\b.{0,40}\b(?:must|should|will|shall)\b",
        r"\bmark (?:this|every|all).{0,30}\b(?:covered|correct)\b",
    )
]


@dataclass(frozen=True)
class Unit:
    """A sentence, bullet or line of the answer, located by character offsets into the original."""

    text: str
    start: int
    end: int

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))


def _split_line(line: str, offset: int) -> list[Unit]:
    units: list[Unit] = []
    bullet = _BULLET.match(line)
    cursor = bullet.end() if bullet else 0
    pieces = _SENTENCE_END.split(line[cursor:])
    for piece in pieces:
        start = line.find(piece, cursor)
        cursor = start + len(piece)
        stripped = piece.strip()
        if not stripped:
            continue
        lead = piece.find(stripped)
        begin = offset + start + lead
        while len(stripped) > MAX_UNIT_CHARS:
            cut = stripped.rfind(" ", 0, MAX_UNIT_CHARS)
            cut = cut if cut > 0 else MAX_UNIT_CHARS
            units.append(Unit(stripped[:cut].strip(), begin, begin + cut))
            rest = stripped[cut:]
            lead = len(rest) - len(rest.lstrip())
            begin, stripped = begin + cut + lead, rest.strip()
        units.append(Unit(stripped, begin, begin + len(stripped)))
    return units


def split_units(text: str) -> tuple[list[Unit], bool]:
    """Units of the answer, short fragments merged into their neighbour; True when truncated."""
    raw: list[Unit] = []
    for match in _LINE.finditer(text):
        raw.extend(_split_line(match.group(0), match.start()))
    merged: list[Unit] = []
    for unit in raw:
        previous = merged[-1] if merged else None
        same_paragraph = previous is not None and "\n\n" not in text[previous.end : unit.start]
        short = previous is not None and (previous.words < 4 or unit.words < 3)
        if previous is not None and same_paragraph and short and previous.words + unit.words <= 60:
            merged[-1] = Unit(text[previous.start : unit.end], previous.start, unit.end)
            continue
        merged.append(unit)
    merged = [u for u in merged if u.words > 0]
    return merged[:MAX_UNITS], len(merged) > MAX_UNITS


def addressed_to_grader(unit_text: str) -> bool:
    return any(pattern.search(unit_text) for pattern in _GRADER_TALK)


def explanation_factor(unit_text: str) -> float:
    """1.0 for a sentence that explains; lower for a bare list of terms with no connecting words.

    Terse notes still carry verbs and function words ("write-through: cache and db updated together"),
    so they keep most of their weight; "sharding, replication, CAP, Raft" does not.
    """
    words = [w.lower() for w in _WORD.findall(unit_text)]
    if not words:
        return 0.0
    function = sum(w in _FUNCTION_WORDS for w in words)
    separators = unit_text.count(",") + unit_text.count("/") + unit_text.count("|")
    if len(words) >= 4 and function == 0 and separators >= 2:
        return 0.35
    if len(words) >= 5 and function / len(words) < 0.08:
        return 0.6
    return 1.0


def non_english(text: str) -> bool:
    """True when most letters are outside the Latin alphabet, or the Latin text has no English in it."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 20:
        return False
    latin = sum(c.isascii() for c in letters)
    if latin / len(letters) < 0.6:
        return True
    words = [w.lower() for w in _WORD.findall(text)]
    return len(words) >= 25 and sum(w in _FUNCTION_WORDS for w in words) / len(words) < 0.05
