"""A stored session as standard Markdown (CommonMark and a GFM table): a summary table, then each
answer with its flags, its evidence in bold behind `[n]` markers, and its key points. Every answer,
bank and imported field is escaped, so a viewer shows it as text and never as HTML or a heading."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from interviewer.core.result import Part
from interviewer.core.transcripts.export_text import (
    MARKS,
    SUMMARY_COLUMNS,
    AnswerRow,
    answer_rows,
    clean,
    header,
    md_document,
    md_inline,
    md_line,
    md_paragraphs,
    second_opinion_label,
    strong_answer_notes,
)
from interviewer.core.transcripts.highlight import Segment, clean_segments
from interviewer.core.transcripts.records import SessionRecord, StoredAnswer


def to_markdown(record: SessionRecord) -> str:
    """Standard Markdown (CommonMark with a GFM table): every answer, bank and imported field is
    escaped, evidence is bold behind its `[n]` marker, retries are numbered attempts."""
    rows = answer_rows(record)
    title = f"Interview session {record.id or clean(record.uid[:8])}"
    lines = [f"# {md_inline(title)}", ""]
    lines += [f"- {label}: {md_inline(value)}" for label, value in header(record)] + [""]
    lines += _summary_markdown(rows)
    for row in rows:
        lines += _answer_markdown(record, row)
    return "\n".join(lines).rstrip() + "\n"


def _summary_markdown(rows: Sequence[AnswerRow]) -> list[str]:
    if not rows:
        return ["No answers in this session.", ""]
    lines = ["## Summary", "", "| " + " | ".join(SUMMARY_COLUMNS) + " |"]
    lines.append("|" + "|".join("---" for _ in SUMMARY_COLUMNS) + "|")
    for number, row in enumerate(rows, 1):
        cells = (
            str(number),
            md_inline(row.title),
            md_inline(row.heading),
            row.score_text,
            row.points or "-",
            md_inline("; ".join(row.flags)) or "-",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def _answer_markdown(record: SessionRecord, row: AnswerRow) -> list[str]:
    answer = row.answer
    question = record.question(answer.question_id)
    prompt = question.follow_up if answer.part == Part.FOLLOW_UP else question.prompt
    lines = [f"## {md_inline(row.title)} ({md_inline(row.heading)})", ""]
    quoted = [f"> {md_line(line)}" for line in clean(prompt or "").splitlines() if line.strip()]
    lines += [*quoted, ""] if quoted else []
    points = f" · {row.points}" if row.points else ""
    lines += [f"**Score: {row.score_text}**{points}", ""]
    lines += [f"- ⚠ {md_inline(flag)}" for flag in row.flags] + ([""] if row.flags else [])
    lines += [*md_paragraphs(_highlighted_markdown(answer)), ""]
    result = answer.score.result if answer.score else None
    for index, (kp, verdict) in enumerate(
        zip(result.key_points if result else [], answer.verdicts(), strict=True)
    ):
        note = " (corrected)" if answer.correction(index) else ""
        lines.append(
            f"- {MARKS[verdict]} {verdict.value}{note}: {md_inline(kp.key_point)} "
            f"({kp.coverage:.2f})"
        )
        if kp.second is not None:  # the other judge's verdict (LLM or local)
            lines.append(f"  - {md_inline(second_opinion_label(kp.second))}")
        if kp.evidence is not None:
            lines.append(f"  - evidence: “{md_inline(' '.join(kp.evidence.text.split()))}”")
        for label, statement in strong_answer_notes(kp, verdict):
            lines.append(f"  - {label}: “{md_inline(' '.join(statement.split()))}”")
    if answer.feedback is not None:
        lines += ["", "### Feedback", "", md_document(answer.feedback.text)]
    if answer.part == Part.MAIN and question.model_answer and row.attempt == 1:
        lines += ["", "### Model answer", "", md_document(question.model_answer)]
    return [*lines, ""]


def _highlighted_markdown(answer: StoredAnswer) -> list[str]:
    """The answer's lines, escaped, with each run of evidence in bold behind its markers."""
    points = answer.score.result.key_points if answer.score else []
    lines: list[list[Segment]] = [[]]
    for segment in clean_segments(answer.text, points):
        for n, piece in enumerate(_LINE_BREAK.split(segment.text)):
            if n:
                lines.append([])
            if piece or (n == 0 and segment.markers):
                markers = segment.markers if n == 0 else ()
                lines[-1].append(Segment(piece, segment.key_point, markers))
    return [_markdown_line(line) for line in lines]


_LINE_BREAK = re.compile(r"\r\n?|\n")


def _markdown_line(pieces: Sequence[Segment]) -> str:
    """One answer line: plain text escaped; a run of highlighted pieces `\\[n\\] **text**`."""
    runs: list[tuple[bool, list[Segment]]] = []
    for piece in pieces:
        highlighted = piece.key_point is not None
        if runs and runs[-1][0] == highlighted:
            runs[-1][1].append(piece)
        else:
            runs.append((highlighted, [piece]))
    out = ""
    for index, (highlighted, run) in enumerate(runs):
        if not highlighted:  # plain text never opens a span, so it carries no markers
            text = "".join(piece.text for piece in run)
            out += md_inline(text) if out else md_line(text)
            continue
        following = runs[index + 1][1][0].text if index + 1 < len(runs) else ""
        out += _bold_run(run, out, following)
    return out


def _bold_run(run: Sequence[Segment], before: str, following: str) -> str:
    head = _markers(run[0].markers)
    body = "".join(
        (_markers(piece.markers) if n else "") + md_inline(piece.text)
        for n, piece in enumerate(run)
    )
    core = body.strip()
    lead, trail = body[: len(body) - len(body.lstrip())], body[len(body.rstrip()) :]
    if not core:
        return head + body
    if not before and not head:
        lead = "\u00a0" * len(lead)  # blanks at the start of a line are not indentation
    previous = (before + head + lead)[-1:] or None
    after = (trail + md_inline(following))[:1] or None
    if _can_emphasise(previous, core, after):
        return f"{head}{lead}**{core}**{trail}"
    return head + lead + core + trail


def _markers(indices: Sequence[int]) -> str:
    return "".join(f"\\[{index + 1}\\]" for index in indices)


def _can_emphasise(previous: str | None, core: str, after: str | None) -> bool:
    """Whether `**core**` is bold by CommonMark's flanking rules between these neighbours."""
    opens = not _punct(core[0]) or previous is None or previous.isspace() or _punct(previous)
    closes = not _punct(core[-1]) or after is None or after.isspace() or _punct(after)
    return opens and closes


def _punct(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"
