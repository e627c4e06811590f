"""Transcripts as Rich renderables: the session list's cells, one answer with its evidence
highlighted and its key points' verdicts, a whole session. Shared by `interviewer review` and the
TUI's Review screen, so both read the same."""

from __future__ import annotations

from typing import TYPE_CHECKING

from interviewer.core.result import Part, Verdict
from interviewer.core.transcripts.export_text import second_opinion_label, strong_answer_notes
from interviewer.core.transcripts.render import PART_TITLES, point_colour
from interviewer.views.highlight import highlight_answer
from interviewer.views.safe import cell, clean, markdown, one_line, safe_text

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from interviewer.core.transcripts.records import SessionRecord, SessionSummary, StoredAnswer

VERDICT_STYLE = {
    Verdict.COVERED: "green",
    Verdict.PARTIAL: "yellow",
    Verdict.MISSING: "red",
    Verdict.INCORRECT: "magenta",
}
MARKS = {Verdict.COVERED: "✔", Verdict.PARTIAL: "◐", Verdict.MISSING: "✘", Verdict.INCORRECT: "✗"}


def summary_cells(summary: SessionSummary) -> list[Text]:
    """The session list's row; every cell is `Text` (a table reads plain strings as markup)."""
    mean = "-" if summary.mean_score is None else f"{summary.mean_score:.0f}"
    status = "" if summary.finished_at else " …"  # unfinished: resumable from the start screen
    return [
        cell(summary.id),
        cell(f"{summary.started_at.astimezone():%Y-%m-%d %H:%M}{status}"),
        cell(summary.bank_id),
        cell(f"{summary.answered}/{summary.questions}"),
        cell(mean),
        cell(", ".join(summary.categories)),
    ]


def highlighted_answer(answer: StoredAnswer) -> Text:
    """The answer with each key point's evidence on that point's colour (the one highlight rule)."""
    return highlight_answer(answer.text, answer.score.result.key_points if answer.score else [])


def key_point_lines(answer: StoredAnswer) -> Text:
    """One line per key point: its number (for --correct), verdict, label, coverage, correction."""
    from rich.text import Text

    text = Text()
    if answer.score is None:
        return Text("not scored", style="dim")
    for index, (kp, verdict) in enumerate(
        zip(answer.score.result.key_points, answer.verdicts(), strict=True)
    ):
        swatch = f"on {point_colour(index)}"
        text.append("  ", style=swatch).append(f" [{index + 1}] ")
        text.append(f"{MARKS[verdict]} {verdict.value:<8}", style=VERDICT_STYLE[verdict])
        text.append(f" {clean(kp.key_point)} ").append(f"({kp.coverage:.2f})", style="dim")
        if answer.correction(index) is not None:
            text.append(f"  corrected: grader said {kp.verdict.value}", style="italic cyan")
        text.append("\n")
        if kp.second is not None:  # the other judge's verdict: the LLM's, or the local grader's
            other = one_line(second_opinion_label(kp.second))
            text.append(f"        {other}\n", style=VERDICT_STYLE.get(kp.second.verdict, "dim"))
        for label, statement in strong_answer_notes(kp, verdict):
            text.append(f"        {label}: ", style="dim").append(f"“{one_line(statement)}”\n")
    return text


def strong_answer_text(answer: StoredAnswer) -> Text:
    """Per missed or partial point (after corrections): what a strong answer says, and the
    statement the answer contradicted; empty when there is nothing to show."""
    from rich.text import Text

    text = Text()
    if answer.score is None:
        return text
    for index, (kp, verdict) in enumerate(
        zip(answer.score.result.key_points, answer.verdicts(), strict=True)
    ):
        notes = strong_answer_notes(kp, verdict)
        if not notes:
            continue
        if text:
            text.append("\n")
        text.append("  ", style=f"on {point_colour(index)}").append(f" [{index + 1}] ")
        text.append(f"{MARKS[verdict]} {verdict.value} ", style=VERDICT_STYLE[verdict])
        text.append(one_line(kp.key_point))
        for label, statement in notes:
            text.append(f"\n      {label}: ", style="dim").append(f"“{one_line(statement)}”")
    return text


def flag_lines(answer: StoredAnswer) -> Text | None:
    """The grader's flags on the current score, as the score view showed them; None without."""
    from rich.text import Text

    messages = answer.score.result.messages if answer.score else []
    if not messages:
        return None
    return Text("\n".join(f"⚠ {message}" for message in messages), style="yellow")


def answer_renderables(record: SessionRecord, answer: StoredAnswer) -> list[RenderableType]:
    from rich.rule import Rule
    from rich.text import Text

    question = record.question(answer.question_id)
    prompt = question.follow_up if answer.part == Part.FOLLOW_UP else question.prompt
    score = answer.effective_score()
    shown = "not scored" if score is None else f"{score:.0f}/100"
    items: list[RenderableType] = [
        Rule(cell(f"{question.title} · {PART_TITLES.get(answer.part, answer.part)}"), align="left"),
        safe_text(prompt or "", style="italic"),
        Text(f"answer {answer.id} · score {shown} · {answer.seconds:.0f} s", style="bold"),
    ]
    if (flags := flag_lines(answer)) is not None:
        items.append(flags)
    items += [highlighted_answer(answer), key_point_lines(answer)]
    if answer.feedback is not None:
        items += [Text("Feedback", style="bold"), markdown(answer.feedback.text)]
    if answer.part == Part.MAIN and question.model_answer:
        items += [Text("Model answer", style="bold"), markdown(question.model_answer)]
    return items


def session_renderables(record: SessionRecord) -> list[RenderableType]:
    from rich.text import Text

    mean = record.mean_score()
    head = Text.assemble(
        (f"Session {record.id}", "bold"),
        f" · {one_line(record.bank_id)} · {record.started_at.astimezone():%Y-%m-%d %H:%M}",
        f" · mean score {'-' if mean is None else f'{mean:.0f}'}",
    )
    items: list[RenderableType] = [head]
    for answer in record.answers:
        items += answer_renderables(record, answer)
    if not record.answers:
        items.append(Text("No answers were submitted in this session.", style="dim"))
    return items
