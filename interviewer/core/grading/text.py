"""Answer text: units with character offsets, and the cheap rules that neutralise gaming.

The rules are deliberately few. Control characters read as the spaces they stand in for; text
addressed to the grader is removed from what is scored and flagged; a bare list of terms or a lone
name earns less than an explanation; the rubric's own statements or key-point labels said back are
found here (`copied`, `restates_labels`) and count at most as partial; other languages are flagged,
not guessed at.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_UNITS = 240  # about 4,000 words: beyond that only the beginning is scored (and flagged)
MAX_UNIT_CHARS = 600

_LINE = re.compile(r"[^\n]+")
# Control characters (NUL, escapes, C1) are no words: each reads as one space, so offsets still match
# the original. Line and paragraph separators become line breaks, CR LF one break.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
_LINE_BREAK = re.compile(r"\r(?!\n)|[\x85\u2028\u2029]")
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
TERM_LIST_FACTOR = 0.35  # what a bare term list, a lone name or pasted rubric text is worth
_GRADER = r"(?:grader|grading|evaluator|examiner|scorer|rubric|assessor)"
_FULL = (
    r"(?:10\s*/\s*10|100\s*/\s*100|10 out of 10|full (?:marks|score|points|credit)|"
    r"(?:highest|maximum|max|perfect|top) (?:score|grade|marks?|points|rating)|an? a\+)"
)
_GRADER_TALK = [
    re.compile(p, re.IGNORECASE)
    for p in (
        # instructions to disregard the grading itself (not "ignore writes from the previous term")
        r"\b(?:ignore|disregard|forget|override|bypass)\b.{0,40}\b(?:(?:your|all|any|the|my) "
        r"(?:instructions|prompt|rules|criteria|guidelines)|(?:the |this )?" + _GRADER + r"|"
        r"(?:previous|above|prior|earlier) (?:instructions|prompt|messages?))",
        # asking for a grade: a verb of awarding near a maximal grade
        r"\b(?:score|grade|rate|mark|give|award|assign|deserve|receive|get)s?\b.{0,40}" + _FULL,
        r"\b(?:final|overall|total) (?:score|grade|mark)\b.{0,12}\b(?:100|10|full|max)",
        r"\b(?:dear|attention|note to (?:the )?|hey|hello|to the)\s*(?:automated |ai )?"
        + _GRADER
        + r"|\b(?:dear|hey|hello)\s+(?:ai|model|assistant)\b",
        r"\bas an? (?:ai|language model|" + _GRADER + r")\b",
        r"^\s*(?:system|assistant|developer)\s*[:>]",
        r"\b(?:system|developer)\s+(?:prompt|message|override|instruction)",
        r"\b(?:covers?|addresse[sd]|hits?) (?:all|every|each) (?:of )?(?:the )?key ?points?\b",
        r"\b(?:treat|mark|consider|count)\b.{0,30}\b(?:all|every|each)\b.{0,20}\b"
        r"(?:key ?points?|points?|criteria)\b.{0,20}\b(?:as )?(?:covered|correct|met|satisfied)",
        r"\bgrading note\b|\bnote for the " + _GRADER,
        r"\b"
        + _GRADER
        + r"\b.{0,40}\b(?:must|should|will|shall)\b.{0,30}\b(?:score|mark|give|award|grade)",
        r"\b" + _GRADER + r"\b.{0,40}\b(?:must|should|will|shall)\b.{0,40}\b(?:treat|accept|pass)",
        # "ignore the above and ..." (but not "ignore writes from the previous term")
        r"\b(?:ignore|disregard|forget)\s+(?:all\s+)?(?:of\s+)?(?:the\s+)?(?:above|previous|prior|"
        r"preceding)\b(?:\s+(?:instructions|text|messages?|prompt|rules))?(?=\s*(?:and\b|,|\.|;|!|$))",
        r"\bgrade (?:this |me |it )?(?:generously|leniently|kindly|favou?rably)",
        r"\bmark (?:this|my|the) (?:answer|response|submission)\b.{0,20}\b(?:correct|complete|full)",
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
            head = stripped[:cut].rstrip()
            units.append(Unit(head, begin, begin + len(head)))
            rest = stripped[cut:]
            lead = len(rest) - len(rest.lstrip())
            begin, stripped = begin + cut + lead, rest.strip()
        units.append(Unit(stripped, begin, begin + len(stripped)))
    return units


def clean_text(text: str) -> str:
    """The answer as the grader reads it, the same length as the original: each control character a
    space, each lone CR or Unicode line separator a line break."""
    return _CONTROL.sub(" ", _LINE_BREAK.sub("\n", text.replace("\r\n", " \n")))


def split_units(text: str) -> tuple[list[Unit], bool]:
    """Units of the cleaned answer (offsets hold for the original), short fragments merged into
    their neighbour; True when truncated."""
    text = clean_text(text)
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


_SEGMENT = re.compile(r"[,/|;\n]+|\s+(?:and|or)\s+", re.IGNORECASE)


def _terms_only(unit_text: str) -> bool:
    """Three or more pieces split by commas, slashes, line breaks, "and" or "or", each of at most
    three words, with hardly a function word among them: "token bucket, leaky bucket and Redis"."""
    segments = [[w.lower() for w in _WORD.findall(seg)] for seg in _SEGMENT.split(unit_text)]
    segments = [seg for seg in segments if seg]
    if len(segments) < 3 or any(len(seg) > 3 for seg in segments):
        return False
    words = [w for seg in segments for w in seg]
    return sum(w in _FUNCTION_WORDS for w in words) / len(words) <= 0.1


def explanation_factor(unit_text: str) -> float:
    """1.0 for a sentence that explains; lower for a bare list of terms or a lone name.

    Terse notes still carry verbs and function words ("write-through: cache and db updated together"),
    so they keep most of their weight; "sharding, replication, CAP, Raft" does not, whether the terms
    are split by commas or one to a line, and neither does "Round robin." on its own (a unit that short
    stands alone only when it is the whole answer or a paragraph of its own).
    """
    words = [w.lower() for w in _WORD.findall(unit_text)]
    if not words:
        return 0.0
    function = sum(w in _FUNCTION_WORDS for w in words)
    separators = unit_text.count(",") + unit_text.count("/") + unit_text.count("|")
    if len(words) >= 4 and function == 0 and separators >= 2:
        return TERM_LIST_FACTOR
    if _terms_only(unit_text) or (len(words) <= 3 and function <= 1):
        return TERM_LIST_FACTOR
    if len(words) >= 5 and function / len(words) < 0.08:
        return 0.6
    return 1.0


def copied(unit_text: str, statement: str) -> bool:
    """True when the unit and the statement share nearly all their words in order: at least 80% of
    the word pairs of the shorter one, which has five words or more (a statement pasted whole, a
    piece of one, or one with a word or two changed)."""
    pairs = [_word_pairs(unit_text), _word_pairs(statement)]
    shorter = min(len(p) for p in pairs)
    return shorter >= 4 and len(pairs[0] & pairs[1]) >= 0.8 * shorter


_PIECE = re.compile(r"[\n.;:!?]+")


def restates_labels(unit_text: str, labels: Sequence[str]) -> bool:
    """True when most of the unit's words are the rubric's key-point labels said back ("Knows all
    three states. Mentions fallback handling."): lines or sentences each within one label."""
    pairs = [_word_pairs(label) for label in labels]
    said = restated = 0
    for piece in _PIECE.split(unit_text):
        words = len(_WORD.findall(piece))
        own = _word_pairs(piece)
        said += words
        if own and any(len(own & p) >= 0.8 * len(own) for p in pairs):
            restated += words
    return said > 0 and restated >= 0.5 * said


def from_text(statement: str, source_pairs: set[tuple[str, str]], share: float = 0.6) -> bool:
    """True when most of the statement's word pairs (`share` of them) are in the source's
    (`word_pairs(source)`): a drafted statement made of the model answer's own words, joined under
    a heading of it."""
    own = _word_pairs(statement)
    return bool(own) and len(own & source_pairs) >= share * len(own)


def word_pairs(text: str) -> set[tuple[str, str]]:
    return _word_pairs(text)


def _word_pairs(text: str) -> set[tuple[str, str]]:
    words = [w.lower() for w in _WORD.findall(text)]
    return set(itertools.pairwise(words))


_FOREIGN_WORDS = frozenset(
    # function words of Spanish, French, German, Portuguese and Italian that are not English words
    [
        "el",
        "los",
        "las",
        "del",
        "que",
        "y",
        "en",
        "una",
        "por",
        "con",
        "para",
        "como",
        "pero",
        "más",
        "sus",
        "les",
        "des",
        "et",
        "est",
        "une",
        "pour",
        "avec",
        "sur",
        "pas",
        "dans",
        "qui",
        "der",
        "das",
        "und",
        "ist",
        "nicht",
        "ein",
        "eine",
        "mit",
        "auf",
        "für",
        "von",
        "zu",
        "dem",
        "sie",
        "os",
        "dos",
        "em",
        "uma",
        "não",
        "são",
        "di",
        "che",
        "della",
        "sono",
        "gli",
    ]
)


def non_english(text: str) -> bool:
    """True when most letters are outside the Latin alphabet, or the Latin text reads as another
    language (more of its function words than English ones). Terse English notes stay English."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 20:
        return False
    latin = sum(c.isascii() for c in letters)
    if latin / len(letters) < 0.6:
        return True
    words = [w.lower() for w in _WORD.findall(text)]
    foreign = sum(w in _FOREIGN_WORDS for w in words)
    english = sum(w in _FUNCTION_WORDS for w in words)
    return len(words) >= 15 and foreign >= 5 and foreign > 2 * english
