"""The score at a glance: the 0-100 with a bar and how many key points it stands for, what the number
is, one row per key point (with the user's corrections), flags, and the previous attempt's score.

`StrongAnswer` lists, per missed or partial point, what a strong answer says (the rubric's evidence
statements) and, for a point stated incorrectly, the statement the answer contradicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from interviewer.core.interview.session import corrected_score as corrected_score
from interviewer.core.result import Verdict
from interviewer.core.rubric.schema import PRACTICE_NOTE
from interviewer.core.safe_text import clean, one_line
from interviewer.core.transcripts.export_text import (
    STRONG_ANSWER_SAYS,
    second_opinion_label,
    strong_answer_notes,
)
from interviewer.core.transcripts.records import VERDICT_COVERAGE
from interviewer.views.highlight import marker_style

if TYPE_CHECKING:
    from interviewer.core.result import KeyPointResult, ScoreResult

BAR_WIDTH = 24
CARD_BAR_WIDTH = 16  # the score view's bar leaves room for the points beside it at 80 columns
_VERDICT = {
    Verdict.COVERED: ("✔ covered", "$success"),
    Verdict.PARTIAL: ("◐ partial", "$warning"),
    Verdict.MISSING: ("✘ missing", "$error"),
    Verdict.INCORRECT: ("✗ stated incorrectly", "$error"),
}
SECOND_QUOTE_CHARS = 48  # the other judge's quote on a key point row, clipped
WHAT_THE_SCORE_IS = "Score: weighted mean coverage of the key points (0-1) ×100; points: ✔ 1, ◐ ½."
Corrections = Mapping[int, Verdict]


def score_colour(score: float) -> str:
    return "$success" if score >= 70 else "$warning" if score >= 40 else "$error"


def score_bar(score: float, width: int = BAR_WIDTH) -> Content:
    filled = round(width * max(0.0, min(100.0, score)) / 100)
    return Content.assemble(
        ("█" * filled, score_colour(score)), ("░" * (width - filled), "$text-disabled")
    )


def verdicts(result: ScoreResult, corrections: Corrections | None = None) -> list[Verdict]:
    """Per key point: the user's correction where there is one, else the grader's verdict."""
    fixed = corrections or {}
    return [fixed.get(i, p.verdict) for i, p in enumerate(result.key_points)]


def points_earned(shown: Sequence[Verdict]) -> float:
    """The key points the verdicts stand for: covered counts 1, partial ½."""
    return sum(VERDICT_COVERAGE[v] for v in shown)


def format_points(earned: float, total: int) -> str:
    """Says "2½ of 3 points"."""
    whole, half = int(earned), earned - int(earned) >= 0.5
    number = f"{whole or ''}½" if half else str(whole)
    return f"{number} of {total} point{'' if total == 1 else 's'}"


def overall_line(result: ScoreResult, corrections: Corrections | None = None) -> Content:
    shown = verdicts(result, corrections)
    tally = " ".join(
        f"{shown.count(verdict)}{_VERDICT[verdict][0][0]}"
        for verdict in _VERDICT
        if verdict is not Verdict.INCORRECT or verdict in shown  # ✗ only when it happened
    )
    parts: list[Content | str | tuple[str, str]] = [
        ("Score ", "bold"),
        (f"{result.score:.0f}", f"bold {score_colour(result.score)}"),
        ("/100  ", "bold"),
        score_bar(result.score, CARD_BAR_WIDTH),
        ("  ", ""),
        (format_points(points_earned(shown), len(shown)), "bold"),
        (f"  {tally}", "$text-muted"),
    ]
    if corrections:
        fixed = corrected_score(result, corrections)
        parts.append((f"  ✎ {fixed:.0f} corrected", "$accent"))
    return Content.assemble(*parts)


def key_point_row(
    index: int,
    point: KeyPointResult,
    corrected: Verdict | None = None,
    *,
    selected: bool = False,
) -> Content:
    verdict = point.verdict if corrected is None else corrected
    label, style = _VERDICT[verdict]
    mark = "✎" if corrected is not None else " "
    row = Content.assemble(
        ("›" if selected else " ", "bold $accent"),
        (f"[{index + 1}]", marker_style(index)),
        " ",
        (f"{label:<10}", style),
        (mark, "$accent"),
        (f" {point.coverage:4.2f}  ", "$text-muted"),
        one_line(point.key_point),
    )
    if point.second is None:
        return row
    other = one_line(second_opinion_label(point.second, SECOND_QUOTE_CHARS))
    return row + Content.assemble(
        ("  · ", "$text-muted"), (other, _VERDICT.get(point.second.verdict, ("", "$text-muted"))[1])
    )


def previous_line(previous: ScoreResult | None, current: ScoreResult) -> Content:
    """The previous attempt's score and the change, for a retried answer."""
    if previous is None:
        return Content.assemble(("Previous attempt: ", "bold"), ("not scored", "$text-muted"))
    change = round(current.score) - round(previous.score)
    style = "$success" if change > 0 else "$error" if change < 0 else "$text-muted"
    before = points_earned(verdicts(previous))
    now = points_earned(verdicts(current))
    return Content.assemble(
        ("Previous attempt: ", "bold"),
        f"{previous.score:.0f} → {current.score:.0f} ",
        (f"({change:+d})", f"bold {style}"),
        (f"  {format_points(before, len(previous.key_points))} → ", "$text-muted"),
        (format_points(now, len(current.key_points)), "$text-muted"),
    )


def strong_answer_lines(result: ScoreResult, corrections: Corrections | None = None) -> Content:
    """Per missed or partial point: what a strong answer says, and what the answer contradicts."""
    return Content("\n").join(line for _, line in strong_answer_rows(result, corrections))


def strong_answer_rows(
    result: ScoreResult, corrections: Corrections | None = None
) -> list[tuple[str, Content]]:
    """The lines of `strong_answer_lines`, each with its kind: "point" or "says" (indented)."""
    lines: list[tuple[str, Content]] = []
    for index, (point, verdict) in enumerate(
        zip(result.key_points, verdicts(result, corrections), strict=True)
    ):
        if verdict is Verdict.COVERED:
            continue
        label, style = _VERDICT[verdict]
        heading = Content.assemble(
            (f"[{index + 1}]", marker_style(index)),
            " ",
            (label, style),
            " ",
            one_line(point.key_point),
        )
        lines.append(("point", heading))
        for note, statement in strong_answer_notes(point, verdict):
            style = "$text-muted" if note == STRONG_ANSWER_SAYS else "$error"
            says = Content.assemble((f"{note}: ", style), f"“{one_line(statement)}”")
            lines.append(("says", says))
    return lines


class ScoreCard(Vertical):
    DEFAULT_CSS = """
    ScoreCard { height: auto; }
    ScoreCard > Static { height: auto; }
    ScoreCard #score-what { color: $text-muted; }
    ScoreCard #score-flags { color: $warning; }
    ScoreCard #score-hint { color: $text-muted; }
    ScoreCard #score-opinion { color: $text-muted; }
    ScoreCard #score-opinion.-failed { color: $warning; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.result: ScoreResult | None = None
        self.corrections: dict[int, Verdict] = {}
        self.selected = 0
        self.previous: ScoreResult | None = None
        self.retried = False
        self.hint = ""

    def compose(self) -> ComposeResult:
        yield Static("Scoring your answer…", id="score-overall")
        yield Static(WHAT_THE_SCORE_IS, id="score-what", markup=False)
        yield Static(id="score-points")
        yield Static(id="score-flags")
        yield Static(id="score-opinion", markup=False)
        yield Static(id="score-previous")
        yield Static(id="score-hint", markup=False)

    def on_mount(self) -> None:
        for selector in ("#score-what", "#score-points", "#score-flags", "#score-previous"):
            self.query_one(selector).display = False
        self.query_one("#score-hint").display = False
        self.query_one("#score-opinion").display = False

    def note_opinion(self, text: str, *, failed: bool = False) -> None:
        """One line about the LLM's verdicts (asking, failed, not configured); "" hides it."""
        note = self.query_one("#score-opinion", Static)
        note.update(Content(one_line(text)))
        note.set_class(failed, "-failed")
        note.display = bool(text)

    def show(
        self,
        result: ScoreResult,
        *,
        retried: bool = False,
        previous: ScoreResult | None = None,
        hint: str = "",
    ) -> None:
        self.result, self.retried, self.previous, self.hint = result, retried, previous, hint
        self.refresh_card()

    def refresh_card(self) -> None:
        result = self.result
        if result is None:
            return
        self.query_one("#score-overall", Static).update(overall_line(result, self.corrections))
        rows = [
            key_point_row(
                i, p, self.corrections.get(i), selected=bool(self.hint) and i == self.selected
            )
            for i, p in enumerate(result.key_points)
        ]
        self.query_one("#score-points", Static).update(Content("\n").join(rows))
        flags = "\n".join(f"! {message}" for message in result.messages)
        self.query_one("#score-flags", Static).update(Content(clean(flags)))
        if self.retried:
            self.query_one("#score-previous", Static).update(previous_line(self.previous, result))
        self.query_one("#score-hint", Static).update(Content(self.hint))
        self.query_one("#score-what").display = True
        self.query_one("#score-points").display = True
        self.query_one("#score-flags").display = bool(result.messages)
        self.query_one("#score-previous").display = self.retried
        self.query_one("#score-hint").display = bool(self.hint)

    def select(self, index: int) -> None:
        if self.result is not None and 0 <= index < len(self.result.key_points):
            self.selected = index
            self.refresh_card()

    def correct(self, index: int, verdict: Verdict) -> None:
        self.corrections[index] = verdict
        self.refresh_card()

    def show_unscored(self, reason: str) -> None:
        title = ("Practice: ", "bold $accent") if reason == PRACTICE_NOTE else None
        self.query_one("#score-overall", Static).update(
            Content.assemble(title or ("Not scored: ", "bold $warning"), one_line(reason))
        )
        for selector in ("#score-what", "#score-points", "#score-flags", "#score-hint"):
            self.query_one(selector).display = False


class StrongAnswer(Vertical):
    """What a strong answer says for each missed or partial point (shown under the answer): one
    line per point, its statements indented beneath it (wrapped lines keep the indent)."""

    DEFAULT_CSS = """
    StrongAnswer { height: auto; }
    StrongAnswer > Static { height: auto; }
    StrongAnswer > .strong-says { padding-left: 4; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plain = ""

    def show(self, result: ScoreResult, corrections: Corrections | None = None) -> None:
        rows = strong_answer_rows(result, corrections)
        self.plain = "\n".join(line.plain for _, line in rows)
        self.remove_children()
        self.mount_all(Static(line, classes=f"strong-{kind}") for kind, line in rows)
        self.display = bool(rows)
