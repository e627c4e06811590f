"""The score view a candidate can trust (issue 16): the number beside the points it stands for and
what it is, what a strong answer says for each point missed, the model answer beside the answer
with the score still in view, corrections stored like Review's, and the change on a retry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Markdown, Static

from interviewer.adapters.store.sqlite import SqliteTranscriptStore, open_store
from interviewer.core.grading.grader import Grader
from interviewer.core.result import Judgement, KeyPointResult, ScoreResult, Verdict
from interviewer.paths import Paths
from interviewer.tui.app import InterviewApp
from interviewer.tui.screens.score import ScoreScreen
from interviewer.tui.widgets.score_card import (
    ScoreCard,
    StrongAnswer,
    corrected_score,
    format_points,
    overall_line,
    points_earned,
    strong_answer_lines,
)
from interviewer.wiring import GradingContext

from .conftest import FIRST, FixedGrader, build_app
from .helpers import answer_and_submit, settle, type_answer, until

ANSWER = (
    "A circuit breaker has three states. Closed lets calls through while it counts failures.\n"
    "When failures cross a threshold it opens and fails fast without calling the service.\n"
    "After a timeout it goes half-open and lets a few trial requests through."
)
SnapCompare = Callable[..., bool]


def _text(screen: ScoreScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


async def _scored(pilot: Pilot[None]) -> ScoreScreen:
    """The score view once its score is shown (the scoring worker may report a moment late)."""
    screen = pilot.app.screen
    assert isinstance(screen, ScoreScreen)
    await until(pilot, lambda: screen.result_shown, "the score is shown")
    return screen


@pytest.fixture
def transcripts(tmp_path: Path, context: GradingContext) -> Iterator[SqliteTranscriptStore]:
    """A real SQLite file: the interview's store and the reader corrections go to."""
    store = open_store(Paths(tmp_path / "home"), bank_lookup=context.question)
    yield store
    store.close()


@pytest.fixture
def fixed_app(context: GradingContext, transcripts: SqliteTranscriptStore) -> InterviewApp:
    grader = FixedGrader(context)
    return build_app(context, lambda: grader, store=transcripts, reader=transcripts)


# -- (1) the number and the ticks agree -----------------------------------------------------------
def test_points_count_covered_as_one_and_partial_as_a_half() -> None:
    assert format_points(2.0, 3) == "2 of 3 points"
    assert format_points(2.5, 3) == "2½ of 3 points"
    assert format_points(0.5, 1) == "½ of 1 point"
    assert format_points(0.0, 4) == "0 of 4 points"
    shown = [Verdict.COVERED, Verdict.PARTIAL, Verdict.MISSING, Verdict.COVERED]
    assert points_earned(shown) == 2.5


async def test_the_score_shows_the_points_it_stands_for_and_what_it_is(
    fixed_app: InterviewApp,
) -> None:
    async with fixed_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await answer_and_submit(pilot, ANSWER)
        screen = await _scored(pilot)
        result = screen.attempt.result
        assert result is not None
        earned = points_earned([p.verdict for p in result.key_points])
        overall = _text(screen, "#score-overall")
        assert f"Score {result.score:.0f}/100" in overall
        assert format_points(earned, len(result.key_points)) in overall
        what = screen.query_one("#score-what", Static)
        assert what.display
        assert "weighted mean coverage of the key points" in str(what.content)
        assert "points: ✔ 1, ◐ ½" in str(what.content)


# -- (2) what a strong answer says ---------------------------------------------------------------
async def test_missed_points_show_the_rubrics_evidence_statements(
    context: GradingContext, hashing_grader: Grader, transcripts: SqliteTranscriptStore
) -> None:
    app = build_app(context, lambda: hashing_grader, store=transcripts, start_directly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await answer_and_submit(pilot, "I would add retries and a load balancer.")
        screen = await _scored(pilot)
        result = screen.attempt.result
        assert result is not None, screen.attempt.unscored
        rubric = context.rubrics.rubrics[FIRST]
        strong = screen.query_one(StrongAnswer)
        assert strong.display
        shown = strong.plain
        not_covered = [
            (i, p) for i, p in enumerate(result.key_points) if p.verdict is not Verdict.COVERED
        ]
        assert not_covered, "a weak answer misses points"
        for index, point in not_covered:
            assert point.key_point in shown
            statements = rubric.key_points[index].evidence
            assert point.expected == tuple(statements[:2])
            assert f"a strong answer says: “{statements[0]}”" in shown


def test_a_contradicted_point_shows_the_statement_it_contradicts() -> None:
    wrong = KeyPointResult(
        key_point="Knows all three states",
        coverage=0.1,
        verdict=Verdict.MISSING,
        evidence=None,
        similarity=0.7,
        judgement=Judgement.CONTRADICTS,
        contradicted="Open means every call is rejected at once.",
        expected=("Closed is the normal state.",),
    )
    covered = wrong.model_copy(
        update={"key_point": "Fails fast", "verdict": Verdict.COVERED, "judgement": None}
    )
    result = ScoreResult(question="q", score=55, key_points=[covered, wrong])
    lines = strong_answer_lines(result).plain.splitlines()
    assert lines == [
        "[2] ✘ missing Knows all three states",
        "stated incorrectly; the rubric says: “Open means every call is rejected at once.”",
        "a strong answer says: “Closed is the normal state.”",
    ]
    # A point the user marks covered is no longer listed; one marked missing is.
    assert strong_answer_lines(result, {1: Verdict.COVERED}).plain == ""
    assert "Fails fast" in strong_answer_lines(result, {0: Verdict.MISSING}).plain
    # as the grader now gives it: the verdict "incorrect", counted in the tally only when it occurs
    assert "0✗" not in overall_line(result).plain
    incorrect = wrong.model_copy(update={"verdict": Verdict.INCORRECT})
    stated = result.model_copy(update={"key_points": [covered, incorrect]})
    assert strong_answer_lines(stated).plain.splitlines()[0] == (
        "[2] ✗ stated incorrectly Knows all three states"
    )
    assert "1✔ 0◐ 0✘ 1✗" in overall_line(stated).plain
    assert points_earned([Verdict.COVERED, Verdict.INCORRECT]) == 1.0


def test_untrusted_rubric_text_is_not_markup() -> None:
    point = KeyPointResult(
        key_point="[bold]x[/bold]",
        coverage=0.0,
        verdict=Verdict.MISSING,
        evidence=None,
        similarity=0.0,
        expected=("[red]y[/red] \x1b[2J",),
    )
    plain = strong_answer_lines(ScoreResult(question="q", score=0, key_points=[point])).plain
    assert "[bold]x[/bold]" in plain
    assert "[red]y[/red]" in plain
    assert "\x1b" not in plain, "no raw terminal control characters"


# -- (3) the model answer beside the answer -------------------------------------------------------
async def test_the_model_answer_opens_beside_the_answer_and_the_score_stays_in_view(
    fixed_app: InterviewApp,
) -> None:
    async with fixed_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await answer_and_submit(pilot, ANSWER)
        screen = await _scored(pilot)
        pane = screen.query_one("#model-pane")
        assert not pane.display
        await pilot.press("m")
        await pilot.pause()
        assert pane.display
        assert "CircuitBreaker" in screen.query_one("#model-answer", Markdown).source
        body, model = screen.query_one("#score-body").region, pane.region
        assert body.width > 20 and model.width > 20
        assert body.right <= model.x, "side by side"
        assert abs(body.y - model.y) <= 1
        card = screen.query_one(ScoreCard).region
        assert card.height > 0 and card.bottom <= body.y, "the score stays above, in view"
        assert screen.query_one("#score-overall").region.y >= 0
        await pilot.press("m")
        await pilot.pause()
        assert not pane.display


# -- (4) correcting a verdict ---------------------------------------------------------------------
async def test_a_verdict_corrected_on_the_score_view_is_stored_like_reviews(
    fixed_app: InterviewApp, transcripts: SqliteTranscriptStore
) -> None:
    async with fixed_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await answer_and_submit(pilot, ANSWER)
        screen = await _scored(pilot)
        result = screen.attempt.result
        assert result is not None and screen.attempt.answer_id is not None
        assert result.key_points[1].verdict is Verdict.PARTIAL  # FixedGrader: 0.45
        assert "c/p/x marks it" in _text(screen, "#score-hint")
        await pilot.press("2", "c")
        await pilot.pause()
        card = screen.query_one(ScoreCard)
        assert card.corrections == {1: Verdict.COVERED}
        rows = _text(screen, "#score-points").splitlines()
        assert rows[1].startswith("›[2] ✔ covered ✎")
        fixed = corrected_score(result, card.corrections)
        assert f"✎ {fixed:.0f} corrected" in _text(screen, "#score-overall")
        await pilot.press("3", "x")  # already missing: stored all the same
        await pilot.press("1", "p")
        await pilot.pause()
        answer_id = screen.attempt.answer_id
    session = transcripts.sessions()[0]
    stored = next(a for a in session.answers if a.id == answer_id)
    assert stored.verdicts()[:3] == [Verdict.PARTIAL, Verdict.COVERED, Verdict.MISSING]
    assert stored.effective_score() == corrected_score(result, card.corrections)
    labelled = [row for row in transcripts.labelled_rows() if row["question"] == FIRST]
    assert labelled and labelled[0]["coverage"][:3] == [0.5, 1.0, 0.0]  # type: ignore[index]


async def test_without_transcripts_there_is_nothing_to_correct(
    context: GradingContext,
) -> None:
    grader = FixedGrader(context)
    app = build_app(context, lambda: grader)  # the in-memory store, no reader
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await answer_and_submit(pilot, ANSWER)
        screen = await _scored(pilot)
        assert not screen.query_one("#score-hint").display
        await pilot.press("2", "c")
        await pilot.pause()
        assert screen.query_one(ScoreCard).corrections == {}
        assert "✎" not in _text(screen, "#score-points")


# -- (5) the change on a retry --------------------------------------------------------------------
async def test_a_retry_shows_the_previous_score_and_the_change(
    context: GradingContext, hashing_grader: Grader, transcripts: SqliteTranscriptStore
) -> None:
    app = build_app(context, lambda: hashing_grader, store=transcripts, start_directly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await answer_and_submit(pilot, "Closed.")
        first = await _scored(pilot)
        assert not first.query_one("#score-previous").display
        before = first.attempt.result
        assert before is not None
        await pilot.press("r")
        await pilot.pause()
        await type_answer(pilot, " " + ANSWER)
        await pilot.press("ctrl+s")
        await settle(pilot)
        second = await _scored(pilot)
        after = second.attempt.result
        assert after is not None and second is not first
        previous = second.query_one("#score-previous", Static)
        assert previous.display
        change = round(after.score) - round(before.score)
        assert change > 0, "the longer answer scores higher"
        assert f"Previous attempt: {before.score:.0f} → {after.score:.0f} ({change:+d})" in str(
            previous.content
        )


# -- snapshots ------------------------------------------------------------------------------------
async def _corrected_with_model_answer(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await answer_and_submit(pilot, ANSWER)
    await pilot.press("r")
    await pilot.pause()
    await type_answer(pilot, " I would also return a cached fallback while it is open.")
    await pilot.press("ctrl+s")
    await settle(pilot)
    await pilot.press("2", "c", "m")
    await pilot.pause()


@pytest.mark.parametrize("size", [(100, 40), (80, 24)], ids=["100x40", "80x24"])
def test_score_view_retried_corrected_and_beside_the_model_answer(
    snap_compare: SnapCompare, fixed_app: InterviewApp, size: tuple[int, int]
) -> None:
    """A retry (previous attempt and the change), point 2 corrected to covered (✎ and the corrected
    score), the model answer open beside the answer, the score above both."""
    assert snap_compare(fixed_app, run_before=_corrected_with_model_answer, terminal_size=size)
