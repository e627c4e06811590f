"""The score at a glance: the 0-100 with a bar, one row per key point, flags and missed points."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from interviewer.core.result import Verdict
from interviewer.views.highlight import marker_style

if TYPE_CHECKING:
    from interviewer.core.result import KeyPointResult, ScoreResult

BAR_WIDTH = 24
_VERDICT = {
    Verdict.COVERED: ("✔ covered", "$success"),
    Verdict.PARTIAL: ("◐ partial", "$warning"),
    Verdict.MISSING: ("✘ missing", "$error"),
}


def score_colour(score: float) -> str:
    return "$success" if score >= 70 else "$warning" if score >= 40 else "$error"


def score_bar(score: float, width: int = BAR_WIDTH) -> Content:
    filled = round(width * max(0.0, min(100.0, score)) / 100)
    return Content.assemble(
        ("█" * filled, score_colour(score)), ("░" * (width - filled), "$text-disabled")
    )


def overall_line(result: ScoreResult) -> Content:
    counts = dict.fromkeys(_VERDICT, 0)
    for point in result.key_points:
        counts[point.verdict] += 1
    tally = " · ".join(f"{counts[verdict]} {verdict.value}" for verdict in _VERDICT)
    return Content.assemble(
        ("Score ", "bold"),
        (f"{result.score:.0f}", f"bold {score_colour(result.score)}"),
        ("/100  ", "bold"),
        score_bar(result.score),
        (f"  {tally}", "$text-muted"),
    )


def key_point_row(index: int, point: KeyPointResult) -> Content:
    label, style = _VERDICT[point.verdict]
    return Content.assemble(
        (f"[{index + 1}]", marker_style(index)),
        " ",
        (f"{label:<9}", style),
        (f" {point.coverage:4.2f}  ", "$text-muted"),
        point.key_point,
    )


class ScoreCard(Vertical):
    DEFAULT_CSS = """
    ScoreCard { height: auto; }
    ScoreCard > Static { height: auto; }
    ScoreCard #score-flags { color: $warning; }
    ScoreCard #score-missed { color: $text; margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Scoring your answer…", id="score-overall")
        yield Static(id="score-points")
        yield Static(id="score-flags")
        yield Static(id="score-missed")

    def show(self, result: ScoreResult) -> None:
        self.query_one("#score-overall", Static).update(overall_line(result))
        rows = [key_point_row(i, p) for i, p in enumerate(result.key_points)]
        self.query_one("#score-points", Static).update(Content("\n").join(rows))
        flags = "\n".join(f"! {message}" for message in result.messages)
        self.query_one("#score-flags", Static).update(Content(flags))
        missed = [p.key_point for p in result.key_points if p.verdict is Verdict.MISSING]
        lines = "\n".join(f"  • {point}" for point in missed)
        self.query_one("#score-missed", Static).update(Content(f"Missed:\n{lines}"))
        self.query_one("#score-missed").display = bool(missed)
        self.query_one("#score-flags").display = bool(result.messages)

    def show_unscored(self, reason: str) -> None:
        self.query_one("#score-overall", Static).update(
            Content.assemble(("Not scored: ", "bold $warning"), reason)
        )
        for selector in ("#score-points", "#score-flags", "#score-missed"):
            self.query_one(selector).display = False
