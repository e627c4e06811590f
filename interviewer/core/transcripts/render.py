"""A stored session as JSON (the full record, importable), Markdown, or one self-contained HTML page,
and the one highlight rule every view of an answer follows.

Pure functions of a `SessionRecord`: the CLI, the TUI and the tests all render the same way.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from pydantic import ValidationError

from interviewer.core.result import KeyPointResult, Part, Verdict
from interviewer.core.transcripts.records import SessionRecord, StoredAnswer

MARKS = {Verdict.COVERED: "✔", Verdict.PARTIAL: "◐", Verdict.MISSING: "✘"}
PART_TITLES = {Part.MAIN: "Answer", Part.FOLLOW_UP: "Follow-up answer"}

# -- The highlight rule ---------------------------------------------------------------------------

# One colour per key point, cycled when a question has more: hex colours that Rich, Textual and CSS
# all read, light enough to carry black text.
PALETTE = ("#ffe08a", "#b8e6c1", "#bcd7ff", "#f5c2e7", "#ffd1a8", "#d6c8ff", "#c9f0ef", "#f0d0c0")


def point_colour(index: int) -> str:
    """The colour of key point `index` (0-based) in every view: terminal, TUI and HTML."""
    return PALETTE[index % len(PALETTE)]


def evidence_spans(answer: str, points: Sequence[KeyPointResult]) -> list[tuple[int, int, int]]:
    """(start, end, key point index) for each point with evidence that really is in the answer."""
    spans: list[tuple[int, int, int]] = []
    for index, point in enumerate(points):
        evidence = point.evidence
        if evidence is None:
            continue
        start, end = evidence.start, evidence.end
        if answer[start:end] != evidence.text:  # offsets disagree: trust the text
            start = answer.find(evidence.text)
            end = start + len(evidence.text)
        if 0 <= start < end <= len(answer):
            spans.append((start, end, index))
    return spans


@dataclass(frozen=True)
class Segment:
    """A run of answer text. `key_point` is the point whose colour it takes (None: plain text);
    `markers` are the points whose evidence opens here, each shown as `[n]` before the text."""

    text: str
    key_point: int | None
    markers: tuple[int, ...] = ()


def segments(text: str, key_points: Sequence[KeyPointResult]) -> list[Segment]:
    """Cut an answer at evidence boundaries.

    Evidence may overlap (the grader also matches pairs of neighbouring sentences): the shortest
    span covering a stretch colours it (the lower point on a tie), and every span opens with its
    marker, so a sentence that is evidence for two points shows both numbers.
    """
    spans = evidence_spans(text, key_points)
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    result: list[Segment] = []
    for start, end in pairwise(cuts):
        markers = tuple(sorted(index for s, _, index in spans if s == start))
        covering = [(e - s, index) for s, e, index in spans if s <= start and end <= e]
        owner = min(covering)[1] if covering else None
        if result and not markers and result[-1].key_point == owner:
            last = result[-1]
            result[-1] = Segment(last.text + text[start:end], owner, last.markers)
        else:
            result.append(Segment(text[start:end], owner, markers))
    return result


# -- JSON -----------------------------------------------------------------------------------------


def to_json(record: SessionRecord) -> str:
    return record.model_dump_json(indent=2) + "\n"


def from_json(text: str) -> SessionRecord:
    """A record from an export; a ValueError with one readable line when it is not one."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON: {error.msg} (line {error.lineno})") from None
    if not isinstance(data, dict) or data.get("format") != "interviewer.session/1":
        raise ValueError("not an interviewer session export (no 'format': 'interviewer.session/1')")
    try:
        return SessionRecord.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{where}: {first['msg']}") from None


# -- Markdown -------------------------------------------------------------------------------------


def to_markdown(record: SessionRecord) -> str:
    lines = [f"# Interview session {record.id or record.uid[:8]}", "", *_header(record), ""]
    for answer in record.answers:
        lines += _answer_markdown(record, answer)
    return "\n".join(lines).rstrip() + "\n"


def _header(record: SessionRecord) -> list[str]:
    mean = record.mean_score()
    return [
        f"- Bank: {record.bank_id}",
        f"- Started: {record.started_at:%Y-%m-%d %H:%M} UTC",
        f"- Questions: {len(record.questions) or len({a.question_id for a in record.answers})}",
        f"- Mean score: {'-' if mean is None else f'{mean:.0f}/100'}",
    ]


def _answer_markdown(record: SessionRecord, answer: StoredAnswer) -> list[str]:
    question = record.question(answer.question_id)
    prompt = question.follow_up if answer.part == Part.FOLLOW_UP else question.prompt
    lines = [f"## {question.title} ({PART_TITLES.get(answer.part, answer.part)})", ""]
    lines += [f"> {line}" for line in (prompt or "").splitlines()] + [""]
    score = answer.effective_score()
    lines += [f"**Score: {'-' if score is None else f'{score:.0f}/100'}**", ""]
    result = answer.score.result if answer.score else None
    marked = "".join(
        f"=={s.text}==" if s.key_point is not None else s.text
        for s in segments(answer.text, result.key_points if result else [])
    )
    lines += [marked, ""]
    for index, (kp, verdict) in enumerate(
        zip(result.key_points if result else [], answer.verdicts(), strict=True)
    ):
        note = " (corrected)" if answer.correction(index) else ""
        lines.append(
            f"- {MARKS[verdict]} {verdict.value}{note}: {kp.key_point} ({kp.coverage:.2f})"
        )
        if kp.evidence is not None:
            lines.append(f"  - evidence: “{kp.evidence.text.strip()}”")
    if answer.feedback is not None:
        lines += ["", "### Feedback", "", answer.feedback.text]
    if answer.part == Part.MAIN and question.model_answer:
        lines += ["", "### Model answer", "", question.model_answer]
    return [*lines, ""]


# -- HTML -----------------------------------------------------------------------------------------

_CSS = """
body{font:16px/1.55 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:52rem;margin:2rem auto;
padding:0 1rem;color:#1d1f23;background:#fbfbfa}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.5rem;border-top:1px solid #ddd;padding-top:1rem}
.meta{color:#555}.score{font-size:1.1rem;font-weight:600}
.prompt{border-left:4px solid #999;padding:.2rem .8rem;color:#333;background:#f2f2f0}
.answer{white-space:pre-wrap;background:#fff;border:1px solid #ddd;border-radius:6px;padding:.8rem}
mark{border-radius:3px;padding:0 .1rem}
ul.kps{list-style:none;padding-left:0}ul.kps li{margin:.35rem 0}
.kp{font-weight:600;font-size:.8em;color:#1d1f23;border-radius:3px;padding:0 .15rem;margin-right:.1rem}
.covered{color:#1a7f37}.partial{color:#9a6700}.missing{color:#cf222e}
.evidence{color:#555;font-style:italic;margin-left:1.6rem;display:block}
details{margin-top:1rem}pre{background:#f4f4f4;padding:.6rem;overflow-x:auto;line-height:1.2}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem}
"""


def to_html(record: SessionRecord) -> str:
    """One page with inline CSS and no scripts or external assets: it opens anywhere, offline."""
    title = html.escape(f"Interview session {record.id or record.uid[:8]} · {record.bank_id}")
    body = [f"<h1>{title}</h1>", '<ul class="meta">']
    body += [f"<li>{html.escape(line[2:])}</li>" for line in _header(record)] + ["</ul>"]
    for answer in record.answers:
        body += _answer_html(record, answer)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _answer_html(record: SessionRecord, answer: StoredAnswer) -> list[str]:
    question = record.question(answer.question_id)
    prompt = question.follow_up if answer.part == Part.FOLLOW_UP else question.prompt
    score = answer.effective_score()
    part = PART_TITLES.get(answer.part, answer.part)
    parts = [
        f'<section class="qa" id="answer-{answer.id}">',
        f"<h2>{html.escape(question.title)} <small>({part})</small></h2>",
        f'<div class="prompt">{_markdown(prompt or "")}</div>',
        f'<p class="score">Score: {"-" if score is None else f"{score:.0f}/100"}</p>',
        f'<div class="answer">{_highlighted(answer)}</div>',
        *_key_points_html(answer),
    ]
    if answer.feedback is not None:
        parts.append(f"<h3>Feedback</h3><div>{_markdown(answer.feedback.text)}</div>")
    if answer.part == Part.MAIN and question.model_answer:
        parts.append(
            f"<details><summary>Model answer</summary>{_markdown(question.model_answer)}</details>"
        )
    return [*parts, "</section>"]


def _highlighted(answer: StoredAnswer) -> str:
    points = answer.score.result.key_points if answer.score else []
    out = []
    for segment in segments(answer.text, points):
        out += [_marker(index) for index in segment.markers]
        text = html.escape(segment.text)
        if segment.key_point is None:
            out.append(text)
        else:
            colour = point_colour(segment.key_point)
            label = html.escape(points[segment.key_point].key_point, quote=True)
            out.append(f'<mark style="background:{colour}" title="{label}">{text}</mark>')
    return "".join(out)


def _marker(index: int) -> str:
    return f'<span class="kp" style="background:{point_colour(index)}">[{index + 1}]</span>'


def _key_points_html(answer: StoredAnswer) -> list[str]:
    if answer.score is None:
        return ["<p><em>Not scored.</em></p>"]
    items = ['<ul class="kps">']
    for index, (kp, verdict) in enumerate(
        zip(answer.score.result.key_points, answer.verdicts(), strict=True)
    ):
        note = " (corrected)" if answer.correction(index) else ""
        items.append(
            f"<li>{_marker(index)} "
            f'<span class="{verdict.value}">{MARKS[verdict]} {verdict.value}{note}</span> '
            f"{html.escape(kp.key_point)} <small>({kp.coverage:.2f})</small>"
        )
        if kp.evidence is not None:
            items.append(f'<span class="evidence">“{html.escape(kp.evidence.text.strip())}”</span>')
        items.append("</li>")
    return [*items, "</ul>"]


def _markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    rendered: str = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    return rendered
