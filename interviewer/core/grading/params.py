"""Scoring parameters: how a key point's match features become a coverage, fitted by `tune`."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from interviewer.core.problems import FileProblems, Problem, read_yaml

FEATURES = (
    "best",  # mean of the top-2 evidence similarities at the best-matching span (gated)
    "max",  # the single highest evidence similarity anywhere in the answer
    "centroid",  # whole answer vs the key point's evidence centroid
    "mistake_margin",  # best span's similarity to a mistake statement minus to the evidence
    "mention_margin",  # best span's similarity to a vague mention minus to the evidence
    "specificity",  # best minus the best span's similarity to other key points' evidence
    "relevance",  # the answer's best similarity to the question itself
    "focus",  # the answer's closeness to this question's evidence, less to the closest other question's
    "explain",  # how explanatory the best span is (1 sentence, lower for bare term lists)
    "v_support",  # verifier: probability the best spans support the key point's evidence
    "v_contra",  # verifier: probability the most on-point span contradicts it
    "v_mention",  # verifier: probability the best span only mentions the topic
    "v_mistake",  # verifier: the best span entails the closest known mistake more than its evidence
    "v_wrong",  # verifier: the largest v_mistake over the answer's key points
)
VERIFIER_FEATURES = ("v_support", "v_contra", "v_mention", "v_mistake", "v_wrong")


# Bounds a fitted map is far inside (the shipped one: coefficients within ±4): a user's map out of
# them would force every point covered, or the score to NaN, so it is refused as a whole.
MAX_COEF = 1_000.0


def _bounded(low: float, high: float, default: float) -> Any:
    return Field(default=default, ge=low, le=high, allow_inf_nan=False)


class ScoringParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    features: list[str] = Field(default_factory=lambda: ["best"], max_length=len(FEATURES))
    coef: list[float] = Field(default_factory=lambda: [14.0], max_length=len(FEATURES))
    intercept: float = _bounded(-MAX_COEF, MAX_COEF, -7.0)
    covered_at: float = Field(default=0.6, gt=0.0, le=1.0, allow_inf_nan=False)
    partial_at: float = _bounded(0.0, 1.0, 0.3)
    penalty_unexplained: float = _bounded(0.0, 1.0, 0.3)
    # below this best evidence similarity a key point gets no coverage at all
    floor: float = _bounded(-1.0, 1.0, 0.3)
    # verifier probability above which a point counts as stated wrongly (its coverage capped at 0.1,
    # "stated incorrectly"). With the shipped NLI verifier on the labelled answers, 0.5 caught 48
    # key points, only 11 of them in wrong answers and 24 in sound ones (mean label 0.59); 0.7
    # catches 3, 2 in wrong answers: a rare, surer call.
    contradiction_at: float = _bounded(0.0, 1.0, 0.7)
    # A point whose best span is closer to one of its known mistakes than `mistake_at` below its
    # closest evidence (feature mistake_margin > mistake_at) keeps (1 - mistake_factor) of its
    # coverage: it reads like the misconception. 0 turns it off.
    mistake_factor: float = Field(default=0.0, ge=0.0, le=1.0, allow_inf_nan=False)
    mistake_at: float = _bounded(-2.0, 2.0, -0.03)
    # An answer unit this similar to an evidence statement (or the same words with a few changed) is
    # the rubric pasted back: its key point counts at most as partial (partial_at). Above 1: off.
    pasted_at: float = Field(default=0.97, gt=0.0, le=2.0, allow_inf_nan=False)
    # A whole answer of one sentence with at most this many words is a name-drop: it pays the term-list
    # explain penalty ("Round robin and least connections."). 0: off.
    one_liner_words: int = Field(default=12, ge=0, le=1_000)
    # The verifier's pairs per key point: its best `verify_spans` spans, each with its
    # `verify_statements` closest evidence statements (fewer pairs, less time per answer).
    verify_spans: int = Field(default=1, ge=1, le=5)
    verify_statements: int = Field(default=2, ge=1, le=10)
    fitted: str = Field(default="default (not tuned)", max_length=1_000)

    @field_validator("coef")
    @classmethod
    def _finite(cls, value: list[float]) -> list[float]:
        if any(not math.isfinite(c) or abs(c) > MAX_COEF for c in value):
            raise ValueError(f"a coefficient is not a number within ±{MAX_COEF:g}")
        return value

    @model_validator(mode="after")
    def _bands(self) -> ScoringParams:
        if self.partial_at > self.covered_at:
            raise ValueError("partial_at is above covered_at")
        return self

    def check(self) -> ScoringParams:
        unknown = [f for f in self.features if f not in FEATURES]
        if unknown or len(self.features) != len(self.coef):
            raise ValueError(f"scoring params: unknown features {unknown} or coef length mismatch")
        return self

    @property
    def uses_verifier(self) -> bool:
        return any(name in VERIFIER_FEATURES for name in self.features)


PARAMS_FILE = "_scoring.yaml"
VERIFIER_PARAMS_FILE = "_scoring_verifier.yaml"


def params_file(verifier: bool) -> str:
    return VERIFIER_PARAMS_FILE if verifier else PARAMS_FILE


def load_params(rubrics_dir: Path, verifier: bool = False) -> ScoringParams:
    """The folder's fitted map (defaults when it has none). A map past the limits of a rubric file
    (size, depth), or with a value out of range, raises FileProblems: one line naming the field."""
    path = rubrics_dir / params_file(verifier)
    if not path.exists():
        return ScoringParams()
    data: Any = read_yaml(path) or {}
    if not isinstance(data, dict):
        raise FileProblems([Problem(str(path), "scoring map", "file", "expected a mapping")])
    try:
        return ScoringParams.model_validate(data).check()
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "file"
        message = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        message = str(message).removeprefix("Value error, ")
        raise FileProblems([Problem(str(path), "scoring map", field, message)]) from None
    except ValueError as error:
        raise FileProblems([Problem(str(path), "scoring map", "features", str(error))]) from None


def save_params(rubrics_dir: Path, params: ScoringParams, header: str = "") -> Path:
    path = rubrics_dir / params_file(params.uses_verifier)
    text = yaml.safe_dump(params.model_dump(), sort_keys=False)
    path.write_text((header + "\n" if header else "") + text, encoding="utf-8")
    return path
