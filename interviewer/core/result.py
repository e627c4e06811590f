"""What a score is: per key point coverage, verdict and evidence, and the overall 0-100."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interviewer.core.terms import Part as Part  # defined without pydantic, for a cheap import
from interviewer.core.terms import Verdict as Verdict


class Judgement(StrEnum):
    """What the verifier made of the best-matching span (shown to the user beside the verdict)."""

    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    MENTIONS = "mentions"


class Flag(StrEnum):
    EMPTY = "empty"
    NO_WORDS = "no_words"  # not blank, but nothing to score: only emoji, symbols or punctuation
    ADDRESSED_TO_GRADER = "addressed_to_grader"
    TERM_LIST = "term_list"
    OFF_TOPIC = "off_topic"
    NON_ENGLISH = "non_english"
    TRUNCATED = "truncated"
    RUBRIC_PASTED = "rubric_pasted"
    DRAFT_RUBRIC = "draft_rubric"  # no rubric file: graded with one drafted from the model answer
    LLM_JUDGED = "llm_judged"  # --judge llm: the LLM's verdicts set the score


FLAG_MESSAGES = {
    Flag.EMPTY: "The answer is empty.",
    Flag.NO_WORDS: "The answer has no words to score (only symbols, emoji or punctuation).",
    Flag.ADDRESSED_TO_GRADER: "Text addressed to the grader was ignored and earns nothing.",
    Flag.TERM_LIST: "Bare lists of terms and one-line name-drops earn less than explanations.",
    Flag.OFF_TOPIC: "The answer does not seem to address this question.",
    Flag.NON_ENGLISH: "The answer does not look like English; the grader only understands English.",
    Flag.TRUNCATED: "The answer is very long; only its beginning was scored.",
    Flag.RUBRIC_PASTED: "Rubric text pasted: it counts at most as a mention, never as an explanation.",
    Flag.DRAFT_RUBRIC: "Graded with a drafted rubric (made from the model answer, not written by hand).",
    Flag.LLM_JUDGED: "The LLM judged this answer: its verdicts set the score; the local grader's are shown beside them.",
}


class EvidenceSpan(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    start: int
    end: int


class SecondOpinion(BaseModel):
    """The other judge's verdict on a key point: the LLM's beside the local grader's, or the local
    grader's beside the LLM's when the LLM is the judge (`--judge llm`)."""

    model_config = ConfigDict(frozen=True)

    judge: str  # "llm" or "local"
    verdict: Verdict
    quote: str = ""  # the LLM's quote, when it is in the answer


class KeyPointResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    key_point: str
    coverage: float = Field(ge=0, le=1)
    verdict: Verdict
    evidence: EvidenceSpan | None
    similarity: float
    weight: float = 1.0
    judgement: Judgement | None = None  # None when no verifier ran
    contradicted: str | None = None  # the rubric statement the answer stated wrongly
    # The rubric's known mistake that the best span is as close to as to the evidence: the point
    # lost part of its coverage for it (the grader's `mistake_factor`), and the user is shown why.
    like_mistake: str | None = None
    features: dict[str, float] = Field(default_factory=dict, exclude=True)
    # What a strong answer says for this point (the rubric's first evidence statements): shown on
    # the score view and stored with the transcript, so review and the exports show what was shown.
    expected: tuple[str, ...] = ()
    second: SecondOpinion | None = None  # the other judge's verdict, when one was asked

    @property
    def explanation(self) -> str:
        """One line for the user: why this verdict."""
        if self.judgement is Judgement.CONTRADICTS and self.contradicted:
            return f"stated incorrectly: the rubric expects “{self.contradicted}”"
        if self.judgement is Judgement.MENTIONS:
            return "only mentioned, not explained"
        return ""


class ScoreResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    question: str
    part: Part = Part.MAIN
    score: float = Field(ge=0, le=100)
    key_points: list[KeyPointResult]
    flags: list[Flag] = Field(default_factory=list)
    model: str = ""
    rubric_version: int = 1

    @field_validator("flags", mode="before")
    @classmethod
    def _known_flags(cls, value: object) -> object:
        """Flags a newer interviewer stored (or an export carries) that this one does not know are
        dropped: a transcript must stay readable."""
        if not isinstance(value, list | tuple):
            return value
        known = {flag.value for flag in Flag}
        return [flag for flag in value if isinstance(flag, str) and flag in known]

    @property
    def messages(self) -> list[str]:
        return [FLAG_MESSAGES[flag] for flag in self.flags if flag in FLAG_MESSAGES]

    def contract(self, request_id: object = None) -> dict[str, object]:
        """The JSON the CLI prints: the shape other tools rely on."""
        payload: dict[str, object] = {}
        if request_id is not None:
            payload["id"] = request_id
        payload.update(
            {
                "question": self.question,
                "part": self.part,
                "score": self.score,
                "key_points": [
                    {
                        "key_point": kp.key_point,
                        "coverage": kp.coverage,
                        "verdict": kp.verdict.value,
                        "evidence": kp.evidence.model_dump() if kp.evidence else None,
                        "similarity": kp.similarity,
                        "judgement": kp.judgement.value if kp.judgement else None,
                        "contradicted": kp.contradicted,
                        "like_mistake": kp.like_mistake,
                        "second_opinion": kp.second.model_dump() if kp.second else None,
                    }
                    for kp in self.key_points
                ],
                "flags": [flag.value for flag in self.flags],
            }
        )
        return payload


@dataclass(frozen=True)
class Versions:
    """What produced a score, stored beside it so old grades can be explained and re-scored.
    One format, built by `core.transcripts.records.versions_of`: bank `<id>@<content hash>`,
    rubric `<question>/v<n>`, the model's name, the params' content hash; "" when unknown."""

    bank: str = ""
    rubric: str = ""
    model: str = ""
    params: str = ""
