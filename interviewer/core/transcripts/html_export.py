"""A stored session as one self-contained HTML page: inline CSS, no script, no external asset, and
a Content-Security-Policy that forbids both in case escaping ever failed. Every field is escaped;
bank and LLM Markdown is rendered with raw HTML and images off."""

from __future__ import annotations

import html
from collections.abc import Sequence

from interviewer.core.result import Part
from interviewer.core.transcripts.export_text import (
    MARKS,
    SUMMARY_COLUMNS,
    AnswerRow,
    answer_rows,
    clean,
    header,
    second_opinion_label,
    strong_answer_notes,
)
from interviewer.core.transcripts.highlight import clean_segments, point_colour
from interviewer.core.transcripts.records import SessionRecord, StoredAnswer

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
.covered{color:#1a7f37}.partial{color:#9a6700}.missing{color:#cf222e}.incorrect{color:#8250df}
.evidence{color:#555;font-style:italic;margin-left:1.6rem;display:block}
.says{color:#444;margin-left:1.6rem;display:block}
.second{margin-left:1.6rem;display:block;font-size:.9em}
details{margin-top:1rem}pre{background:#f4f4f4;padding:.6rem;overflow-x:auto;line-height:1.2}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem}
.flag{color:#9a6700;margin:.2rem 0}
"""


# No script may run and nothing may load, even if escaping ever failed: the page's own policy.
_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def to_html(record: SessionRecord) -> str:
    """One page with inline CSS and no scripts or external assets: it opens anywhere, offline.
    Every field is escaped; bank and LLM Markdown is rendered with raw HTML and images off."""
    rows = answer_rows(record)
    title = html.escape(
        clean(f"Interview session {record.id or record.uid[:8]} · {record.bank_id}")
    )
    body = [f"<h1>{title}</h1>", '<ul class="meta">']
    body += [f"<li>{html.escape(f'{label}: {value}')}</li>" for label, value in header(record)]
    body += ["</ul>", *_summary_html(rows)]
    for number, row in enumerate(rows, 1):
        body += _answer_html(record, row, number)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _summary_html(rows: Sequence[AnswerRow]) -> list[str]:
    if not rows:
        return ["<p>No answers in this session.</p>"]
    head = "".join(f"<th>{html.escape(name)}</th>" for name in SUMMARY_COLUMNS)
    lines = ['<h2>Summary</h2><table class="summary">', f"<tr>{head}</tr>"]
    for number, row in enumerate(rows, 1):
        cells = (
            f'<a href="#answer-{number}">{number}</a>',
            html.escape(row.title),
            html.escape(row.heading),
            row.score_text,
            html.escape(row.points or "-"),
            html.escape("; ".join(row.flags) or "-"),
        )
        lines.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return [*lines, "</table>"]


def _answer_html(record: SessionRecord, row: AnswerRow, number: int) -> list[str]:
    answer = row.answer
    question = record.question(answer.question_id)
    prompt = question.follow_up if answer.part == Part.FOLLOW_UP else question.prompt
    points = f" <small>· {html.escape(row.points)}</small>" if row.points else ""
    parts = [
        f'<section class="qa" id="answer-{number}">',
        f"<h2>{html.escape(row.title)} <small>({html.escape(row.heading)})</small></h2>",
        f'<div class="prompt">{_markdown(prompt or "")}</div>',
        f'<p class="score">Score: {row.score_text}{points}</p>',
        *(f'<p class="flag">⚠ {html.escape(flag)}</p>' for flag in row.flags),
        f'<div class="answer">{_highlighted(answer)}</div>',
        *_key_points_html(answer),
    ]
    if answer.feedback is not None:
        parts.append(f"<h3>Feedback</h3><div>{_markdown(answer.feedback.text)}</div>")
    if answer.part == Part.MAIN and question.model_answer and row.attempt == 1:
        parts.append(
            f"<details><summary>Model answer</summary>{_markdown(question.model_answer)}</details>"
        )
    return [*parts, "</section>"]


def _highlighted(answer: StoredAnswer) -> str:
    points = answer.score.result.key_points if answer.score else []
    out = []
    for segment in clean_segments(answer.text, points):
        out += [_marker(index) for index in segment.markers]
        text = html.escape(segment.text)
        if segment.key_point is None:
            out.append(text)
        else:
            colour = point_colour(segment.key_point)
            label = html.escape(clean(points[segment.key_point].key_point), quote=True)
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
            f"{html.escape(clean(kp.key_point))} <small>({kp.coverage:.2f})</small>"
        )
        if kp.second is not None:  # the other judge's verdict (LLM or local)
            other = html.escape(clean(second_opinion_label(kp.second)))
            items.append(f'<span class="second {kp.second.verdict.value}">{other}</span>')
        if kp.evidence is not None:
            evidence = html.escape(clean(kp.evidence.text.strip()))
            items.append(f'<span class="evidence">“{evidence}”</span>')
        for label, statement in strong_answer_notes(kp, verdict):
            said = html.escape(clean(" ".join(statement.split())))
            items.append(f'<span class="says">{html.escape(label)}: “{said}”</span>')
        items.append("</li>")
    return [*items, "</ul>"]


def _markdown(text: str) -> str:
    """Bank or LLM Markdown as HTML: raw HTML is shown as text, images (a request to somewhere)
    are off, and markdown-it refuses `javascript:` and other unsafe link targets."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")
    rendered: str = parser.render(clean(text))
    return rendered
