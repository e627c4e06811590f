"""What the Markdown and HTML exports share: the per-answer summary rows (attempts, points, flags)
and the rule that keeps untrusted text (answers, bank text, imported records, LLM output) inert.

Untrusted text never becomes markup: HTML escapes it; Markdown backslash-escapes every character that
could start markup (raw HTML, headings, lists, emphasis, links), and both drop control characters so a
`cat` of the file cannot drive the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from interviewer.core.result import (
    FLAG_MESSAGES,
    Judgement,
    KeyPointResult,
    Part,
    SecondOpinion,
    Verdict,
)
from interviewer.core.safe_text import clean as terminal_clean
from interviewer.core.safe_text import clean_pieces as terminal_clean_pieces
from interviewer.core.transcripts.records import SessionRecord, StoredAnswer

PART_TITLES = {Part.MAIN: "Answer", Part.FOLLOW_UP: "Follow-up answer"}
MARKS = {Verdict.COVERED: "✔", Verdict.PARTIAL: "◐", Verdict.MISSING: "✘", Verdict.INCORRECT: "✗"}

# The bidi overrides and isolates, which would reorder the text around them in a viewer.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")

# Characters that start inline Markdown anywhere in a line (CommonMark, GFM, and `==mark==`).
_INLINE = re.compile(r"([\\`*_\[\]<>&|~=!])")
# What starts a block at the beginning of a line: a heading, a quote, a list, a rule, a setext line.
_BLOCK_START = re.compile(r"^([#>+\-])|^(\d+)([.)])")
# Raw HTML in Markdown documents (tags, comments, processing instructions), fences and code spans.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def clean(text: str) -> str:
    """`text` by the one untrusted-text rule (`core.safe_text`: no escape sequences or control
    characters but newline and tab, no lone surrogates), and without bidi overrides."""
    return _BIDI.sub("", terminal_clean(text))


def clean_pieces(pieces: Sequence[str]) -> list[str]:
    """`clean` over the pieces' concatenation, cut back at the same places."""
    return [_BIDI.sub("", piece) for piece in terminal_clean_pieces(pieces)]


def md_escape(text: str) -> str:
    """One line of untrusted text as Markdown that shows exactly that text and nothing else."""
    line = " ".join(clean(text).split("\n"))
    return md_line(line)


def md_inline(text: str) -> str:
    """Untrusted text inside a line (not at its start): every inline markup character escaped."""
    return _INLINE.sub(r"\\\1", clean(text).replace("\n", " "))


def md_line(line: str) -> str:
    """Untrusted text at the start of a line: inline escapes, and nothing that starts a block."""
    line = clean(line).replace("\n", " ")
    stripped = line.lstrip(" \t")
    # Leading blanks would make an indented code block: keep them as non-breaking spaces.
    indent = "\u00a0" * (len(line) - len(stripped))
    escaped = md_inline(stripped)
    escaped = _BLOCK_START.sub(
        lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", escaped
    )
    return indent + escaped


def md_document(markdown: str) -> str:
    """Markdown from a bank or the LLM, kept as Markdown but with its raw HTML shown as text
    (code blocks and code spans, where `<` is literal anyway, are left as written)."""
    out: list[str] = []
    fence: str | None = None
    for line in clean(markdown).split("\n"):
        opening = _FENCE_LINE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            out.append(line)
        elif opening:
            fence = opening.group(1)
            out.append(line)
        else:
            out.append(_without_tags(line))
    return "\n".join(out)


def _without_tags(line: str) -> str:
    parts, last = [], 0
    for span in _CODE_SPAN.finditer(line):
        parts += [_TAG_START.sub("&lt;", line[last : span.start()]), span.group(0)]
        last = span.end()
    return "".join([*parts, _TAG_START.sub("&lt;", line[last:])])


def md_paragraphs(lines: Sequence[str]) -> list[str]:
    """Escaped lines as Markdown paragraphs that keep their line breaks (a trailing backslash is a
    hard break), blank lines separating paragraphs."""
    out: list[str] = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not line.strip():
            if out and out[-1]:
                out.append("")
            continue
        out.append(line + ("\\" if following.strip() else ""))
    return out


@dataclass(frozen=True)
class AnswerRow:
    """One answer as the exports list it: which attempt it is and how it did."""

    answer: StoredAnswer
    title: str
    part: str
    attempt: int  # 1 for the first answer to this question and part
    score: float | None
    points: str  # "2 of 3 covered, 1 partial"; "" when not scored
    flags: tuple[str, ...]

    @property
    def heading(self) -> str:
        """The part's title, with the attempt for a retry: "Answer, attempt 2"."""
        return self.part if self.attempt == 1 else f"{self.part}, attempt {self.attempt}"

    @property
    def score_text(self) -> str:
        return "-" if self.score is None else f"{self.score:.0f}/100"


def answer_rows(record: SessionRecord) -> list[AnswerRow]:
    """Every answer of the session in order, retries numbered as attempts."""
    seen: dict[tuple[str, str], int] = {}
    rows = []
    for answer in record.answers:
        key = (answer.question_id, str(answer.part))
        seen[key] = seen.get(key, 0) + 1
        result = answer.score.result if answer.score else None
        rows.append(
            AnswerRow(
                answer=answer,
                title=clean(record.question(answer.question_id).title or answer.question_id),
                part=PART_TITLES.get(answer.part, clean(str(answer.part))),
                attempt=seen[key],
                score=answer.effective_score(),
                points=points_summary(answer.verdicts()) if result else "",
                flags=tuple(FLAG_MESSAGES.get(flag, str(flag)) for flag in result.flags)
                if result
                else (),
            )
        )
    return rows


STATED_INCORRECTLY = "stated incorrectly; the rubric says"
STRONG_ANSWER_SAYS = "a strong answer says"
LIKE_A_KNOWN_MISTAKE = "this reads like a known mistake"


def strong_answer_notes(point: KeyPointResult, verdict: Verdict) -> list[tuple[str, str]]:
    """What the score view showed under a missed or partial point, as (label, statement): the
    statement the answer contradicts, the known mistake it reads like, then what a strong answer says (stored with the score; a
    score saved before the statements were stored has none). Nothing for a covered point."""
    if verdict is Verdict.COVERED:
        return []
    notes = []
    if point.judgement is Judgement.CONTRADICTS and point.contradicted:
        notes.append((STATED_INCORRECTLY, point.contradicted))
    if point.like_mistake:
        notes.append((LIKE_A_KNOWN_MISTAKE, point.like_mistake))
    notes += [(STRONG_ANSWER_SAYS, statement) for statement in point.expected]
    return notes


JUDGE_NAMES = {"llm": "LLM", "local": "local"}  # SecondOpinion.judge, as shown


def second_opinion_label(second: SecondOpinion, quote_chars: int | None = None) -> str:
    """The other judge's verdict on a key point as one line: "LLM: partial “quote”" (the LLM's
    beside the local grader's) or "local: covered" (the local one beside the LLM's, when the LLM
    judged). The quote is clipped to `quote_chars` (None: whole). Raw text: each caller escapes
    it for its medium."""
    name = JUDGE_NAMES.get(second.judge, "other judge")  # stored or imported: never echoed
    quote = " ".join(clean(second.quote).split())
    if quote_chars is not None and len(quote) > quote_chars:
        quote = quote[: max(1, quote_chars - 1)].rstrip() + "…"
    return f"{name}: {second.verdict.value}" + (f" “{quote}”" if quote else "")


def points_summary(verdicts: Sequence[Verdict]) -> str:
    """What the score's ticks say, in words: "2 of 3 covered, 1 partial"."""
    if not verdicts:
        return "no key points"
    covered = sum(v is Verdict.COVERED for v in verdicts)
    partial = sum(v is Verdict.PARTIAL for v in verdicts)
    incorrect = sum(v is Verdict.INCORRECT for v in verdicts)
    text = f"{covered} of {len(verdicts)} covered"
    text = f"{text}, {partial} partial" if partial else text
    return f"{text}, {incorrect} stated incorrectly" if incorrect else text


def header(record: SessionRecord) -> list[tuple[str, str]]:
    """The lines under an export's title: bank, start, questions, mean score."""
    mean = record.mean_score()
    return [
        ("Bank", clean(record.bank_id)),
        ("Started", f"{record.started_at:%Y-%m-%d %H:%M} UTC"),
        ("Questions", str(len(record.questions) or len({a.question_id for a in record.answers}))),
        ("Mean score", "-" if mean is None else f"{mean:.0f}/100"),
    ]


SUMMARY_COLUMNS = ("#", "Question", "Part", "Score", "Key points", "Flags")
