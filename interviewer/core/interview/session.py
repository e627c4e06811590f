"""The interview as a state machine: which question comes next, what was typed, how long it took.

Pure on purpose: the TUI drives it, tests drive it without a terminal, and a crash in the UI never
loses what the session knows. Time comes in as plain `now` numbers so the clock is the caller's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

# What to ask lives in `settings` (the TUI's first frame imports only that); re-exported here.
from interviewer.core.interview.settings import DueOrder as DueOrder
from interviewer.core.interview.settings import InterviewSettings as InterviewSettings
from interviewer.core.interview.settings import Order as Order
from interviewer.core.interview.settings import matching as matching
from interviewer.core.interview.settings import resolve_categories as resolve_categories
from interviewer.core.interview.settings import select_questions as select_questions
from interviewer.core.terms import VERDICT_COVERAGE, Part, Verdict, weighted_score

if TYPE_CHECKING:  # pydantic models: not imported by the TUI before its first paint
    from interviewer.core.bank.schema import Question
    from interviewer.core.result import ScoreResult


StepKey = tuple[str, str]  # (question id, part): a Part, which is a str, as the store keys it


@dataclass(frozen=True)
class Step:
    """One thing to answer: a question's main part or its follow-up."""

    question: Question
    part: Part
    number: int  # 1-based position of the question in the interview
    total: int

    @property
    def key(self) -> StepKey:
        return (self.question.id, self.part)

    @property
    def prompt(self) -> str:
        if self.part is Part.FOLLOW_UP and self.question.follow_up:
            return self.question.follow_up
        return self.question.prompt

    @property
    def progress(self) -> str:
        suffix = " · follow-up" if self.part is Part.FOLLOW_UP else ""
        return f"{self.number}/{self.total}{suffix}"


@dataclass
class Attempt:
    """A submitted answer and, once the grader is done, its score."""

    text: str
    seconds: float
    answer_id: int | None = None  # the transcript store's id
    result: ScoreResult | None = None
    unscored: str | None = None  # why there is no score (no follow-up rubric, model failed)
    corrections: dict[int, Verdict] = field(default_factory=dict)  # key point index -> the user's

    @property
    def score(self) -> float | None:
        """The 0-100 with the user's corrections counted at their verdict's coverage (1, ½, 0),
        as `interviewer review` counts a corrected answer; None while unscored."""
        if self.result is None:
            return None
        if not self.corrections:
            return self.result.score
        return corrected_score(self.result, self.corrections)

    def verdicts(self) -> list[Verdict]:
        """Per key point: the user's correction where there is one, else the grader's verdict."""
        points = self.result.key_points if self.result is not None else []
        return [self.corrections.get(i, kp.verdict) for i, kp in enumerate(points)]

    def coverage(self, index: int) -> float:
        """Key point `index`'s coverage, or its corrected verdict's."""
        assert self.result is not None
        fixed = self.corrections.get(index)
        return VERDICT_COVERAGE[fixed] if fixed else self.result.key_points[index].coverage


def corrected_score(result: ScoreResult, corrections: Mapping[int, Verdict]) -> float:
    """`result`'s 0-100 with corrected key points counted at their verdict's coverage."""
    points = result.key_points
    coverage = [
        VERDICT_COVERAGE[corrections[i]] if i in corrections else p.coverage
        for i, p in enumerate(points)
    ]
    return round(weighted_score([p.weight for p in points], coverage), 1)


@dataclass
class InterviewSession:
    questions: list[Question]
    settings: InterviewSettings = field(default_factory=InterviewSettings)
    position: int = 0
    drafts: dict[StepKey, str] = field(default_factory=dict)
    attempts: dict[StepKey, list[Attempt]] = field(default_factory=dict)
    spent: dict[StepKey, float] = field(default_factory=dict)
    skipped: set[StepKey] = field(default_factory=set)
    _clock_started: float | None = None

    def __post_init__(self) -> None:
        total = len(self.questions)
        self.steps: list[Step] = []
        for number, question in enumerate(self.questions, 1):
            self.steps.append(Step(question, Part.MAIN, number, total))
            if question.follow_up:
                self.steps.append(Step(question, Part.FOLLOW_UP, number, total))

    # -- where we are ------------------------------------------------------------------------------
    @property
    def current(self) -> Step | None:
        return self.steps[self.position] if self.position < len(self.steps) else None

    @property
    def finished(self) -> bool:
        return self.position >= len(self.steps)

    def advance(self, now: float | None = None) -> Step | None:
        """On to the follow-up, or the next question; None when the interview is over."""
        if now is not None:
            self.stop_clock(now)
        self.position = min(self.position + 1, len(self.steps))
        return self.current

    def skip(self, now: float | None = None) -> Step | None:
        """Pass on the current step unanswered; passing on a main question passes its follow-up."""
        step = self.current
        if step is None:
            return None
        self.skipped.add(step.key)
        self.advance(now)
        while (
            step.part is Part.MAIN
            and self.current is not None
            and self.current.question.id == step.question.id
        ):
            self.skipped.add(self.current.key)
            self.position += 1
        return self.current

    def end(self, now: float | None = None) -> None:
        """End the interview now: the steps not reached stay unanswered."""
        if now is not None:
            self.stop_clock(now)
        self._clock_started = None
        self.position = len(self.steps)

    def skip_answered(self) -> Step | None:
        """After a resume: move past the steps that already have an answer."""
        while self.current is not None and self.attempts.get(self.current.key):
            self.position += 1
        return self.current

    def restore(self, key: StepKey, attempts: Sequence[Attempt]) -> None:
        """After a resume: the answers submitted before the quit, with their time and scores."""
        if not attempts:
            return
        self.attempts[key] = list(attempts)
        self.drafts[key] = attempts[-1].text
        self.spent[key] = max(self.spent.get(key, 0.0), attempts[-1].seconds)

    # -- time --------------------------------------------------------------------------------------
    def start_clock(self, now: float) -> None:
        if self._clock_started is None and not self.finished:
            self._clock_started = now

    def stop_clock(self, now: float) -> None:
        step = self.current
        if self._clock_started is not None and step is not None:
            self.spent[step.key] = self.spent.get(step.key, 0.0) + max(
                0.0, now - self._clock_started
            )
        self._clock_started = None

    def seconds_on(self, step: Step, now: float | None = None) -> float:
        running = 0.0
        if now is not None and self._clock_started is not None and step == self.current:
            running = max(0.0, now - self._clock_started)
        return self.spent.get(step.key, 0.0) + running

    def remaining(self, now: float) -> float | None:
        """Seconds left on the current step's time limit (negative once over); None without one."""
        step = self.current
        if self.settings.time_limit is None or step is None:
            return None
        return self.settings.time_limit - self.seconds_on(step, now)

    # -- answers -----------------------------------------------------------------------------------
    def draft(self, step: Step) -> str:
        return self.drafts.get(step.key, "")

    def set_draft(self, step: Step, text: str) -> None:
        self.drafts[step.key] = text

    def unsaved(self) -> bool:
        """The current step holds typed text that has not been submitted as it stands."""
        step = self.current
        if step is None:
            return False
        text = self.draft(step)
        last = self.latest(step)
        return bool(text.strip()) and (last is None or last.text != text)

    def submit(self, text: str, now: float) -> Attempt:
        step = self._require_current()
        self.stop_clock(now)
        self.drafts[step.key] = text
        attempt = Attempt(text=text, seconds=round(self.spent.get(step.key, 0.0), 1))
        self.attempts.setdefault(step.key, []).append(attempt)
        return attempt

    def latest(self, step: Step) -> Attempt | None:
        attempts = self.attempts.get(step.key)
        return attempts[-1] if attempts else None

    def result(self, step: Step) -> ScoreResult | None:
        attempt = self.latest(step)
        return attempt.result if attempt is not None else None

    def scored(self, step: Step) -> Attempt | None:
        """The latest attempt at `step` when it has a score."""
        attempt = self.latest(step)
        return attempt if attempt is not None and attempt.result is not None else None

    def _require_current(self) -> Step:
        step = self.current
        if step is None:
            raise RuntimeError("the interview is over; nothing to submit")
        return step


# -- the closing summary ---------------------------------------------------------------------------
PRACTISE_BELOW = 60.0  # a score under this is worth another go


@dataclass(frozen=True)
class QuestionSummary:
    question: Question
    main: float | None
    follow_up: float | None
    seconds: float
    skipped: frozenset[Part] = frozenset()  # the parts passed on without an answer


@dataclass(frozen=True)
class WeakPoint:
    question: Question
    part: Part
    key_point: str
    coverage: float


@dataclass(frozen=True)
class InterviewSummary:
    questions: list[QuestionSummary]
    categories: dict[str, float]  # mean score (main and follow-up parts) per category
    overall: float | None  # as `interviewer review` counts it: first answers to the main questions
    seconds: float
    weakest: list[WeakPoint]
    practise: list[str]


def summarise(session: InterviewSession, weakest: int = 5) -> InterviewSummary:
    """Per question and per category scores, the weakest key points, and what to practise next."""
    rows: list[QuestionSummary] = []
    by_category: dict[str, list[float]] = {}
    points: list[WeakPoint] = []
    for question in session.questions:
        scores: dict[Part, float | None] = {}
        seconds = 0.0
        for step in (s for s in session.steps if s.question.id == question.id):
            seconds += session.seconds_on(step)
            attempt = session.scored(step)
            score = attempt.score if attempt is not None else None
            scores[step.part] = score
            if attempt is None or attempt.result is None or score is None:
                continue
            by_category.setdefault(question.category, []).append(score)
            points += [
                WeakPoint(question, step.part, kp.key_point, attempt.coverage(index))
                for index, (kp, verdict) in enumerate(
                    zip(attempt.result.key_points, attempt.verdicts(), strict=True)
                )
                if verdict is not Verdict.COVERED
            ]
        skipped = frozenset(part for qid, part in session.skipped if qid == question.id)
        rows.append(
            QuestionSummary(
                question,
                scores.get(Part.MAIN),
                scores.get(Part.FOLLOW_UP),
                seconds,
                frozenset(Part(p) for p in skipped),
            )
        )
    categories = {c: round(sum(v) / len(v), 1) for c, v in by_category.items()}
    # As `interviewer review` counts a session: the first answer to each main question (a retry
    # after seeing the model answer is not recall).
    every = [
        score
        for step in session.steps
        if step.part is Part.MAIN
        and (first := next(iter(session.attempts.get(step.key, [])), None)) is not None
        and (score := first.score) is not None
    ]
    points.sort(key=lambda p: p.coverage)
    return InterviewSummary(
        questions=rows,
        categories=categories,
        overall=round(sum(every) / len(every), 1) if every else None,
        seconds=round(sum(r.seconds for r in rows), 1),
        weakest=points[:weakest],
        practise=_practise(rows, categories, points),
    )


def _practise(
    rows: list[QuestionSummary], categories: dict[str, float], points: list[WeakPoint]
) -> list[str]:
    """A few concrete next steps, weakest first; encouragement when nothing stands out."""
    advice: list[str] = []
    for category, score in sorted(categories.items(), key=lambda item: item[1]):
        if score < PRACTISE_BELOW:
            advice.append(f"Practise {category}: it averaged {score:.0f}/100.")
    for row in rows:
        if row.main is not None and row.main < PRACTISE_BELOW:
            advice.append(f"Retry “{row.question.title}” ({row.main:.0f}/100).")
        elif row.main is None and Part.MAIN in row.skipped:
            advice.append(f"Read the model answer to “{row.question.title}” (skipped).")
    if points:
        first = points[0]
        advice.append(f"Revisit “{first.key_point}” in {first.question.title}.")
    if not advice:
        scored = [r for r in rows if r.main is not None]
        advice.append(
            "Strong across the board: try harder questions or another category."
            if scored
            else "Nothing was scored yet: answer a question to see what to practise."
        )
    return advice[:5]
