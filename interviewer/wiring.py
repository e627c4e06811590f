"""Assemble a grader from the project's and the user's files: banks, rubrics, params, model."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from interviewer.core.bank.loading import LoadedBanks, load_banks
from interviewer.core.bank.schema import Question
from interviewer.core.grading.embedding import Embedder, StatementCache
from interviewer.core.grading.grader import Grader
from interviewer.core.grading.params import ScoringParams, load_params
from interviewer.core.grading.verification import Verifier
from interviewer.core.ports import FeedbackRequest
from interviewer.core.result import ScoreResult
from interviewer.core.rubric.loading import RubricSet, load_rubric_set
from interviewer.evaluation.verifiers.head import HeadVerifier, HeadWeights
from interviewer.paths import Paths, shipped_verifier_dir


@dataclass
class GradingContext:
    banks: LoadedBanks
    rubrics: RubricSet
    params: ScoringParams  # for similarity alone
    rubrics_dirs: list[Path]
    verifier_params: ScoringParams | None = None  # for similarity + verifier, once tuned

    def question(self, ref: str) -> Question | None:
        for bank in self.banks.banks:
            if (question := bank.get(ref)) is not None:
                return question
        return None

    def prompts(self) -> dict[str, str]:
        return {q.id: f"{q.title}. {q.prompt}" for b in self.banks.banks for q in b.questions}

    def feedback_request(
        self, question_id: str, answer: str, result: ScoreResult
    ) -> FeedbackRequest:
        """What an LLM is shown about a scored answer: the question (and its follow-up), the model
        answer, the candidate's answer and the rubric result."""
        question = self.question(question_id)
        if question is None:
            raise KeyError(f"no question {question_id!r} in the loaded banks")
        prompt = question.prompt
        if result.part == "follow_up" and question.follow_up:
            prompt = f"{question.prompt}\nFollow-up: {question.follow_up}"
        return FeedbackRequest(question.title, prompt, question.answer, answer, result)


def load_context(paths: Paths | None = None, rubrics_dir: Path | None = None) -> GradingContext:
    paths = paths or Paths.from_env()
    banks = load_banks(paths.bank_dirs())
    dirs = [rubrics_dir] if rubrics_dir is not None else [paths.project_rubrics, paths.user_rubrics]
    rubrics = load_rubric_set(dirs)
    params = load_params(dirs[0])
    verifier_params = load_params(dirs[0], verifier=True)
    tuned = verifier_params.uses_verifier
    return GradingContext(banks, rubrics, params, dirs, verifier_params if tuned else None)


# the --model value for the packaged model exactly as published, without our tuned layers
PUBLISHED = "published"


def default_embedder(model: str | None = None) -> Embedder:
    from interviewer.adapters.embedder import SentenceTransformerEmbedder

    if model == PUBLISHED:
        return SentenceTransformerEmbedder(plain=True)
    return SentenceTransformerEmbedder(model)


SHIPPED_VERIFIER = shipped_verifier_dir() / "head"


class FoldedVerifier:
    """Cross-validation: each question is judged by a verifier trained without its claims."""

    def __init__(self, folds: dict[str, Verifier]) -> None:
        self.folds = folds

    @property
    def name(self) -> str:
        return "verifier-cv"

    def judge(self, question: str, pairs: Sequence[tuple[str, str]]) -> Any:
        return self.folds[question].judge(question, pairs)


def load_verifier(directory: Path, embedder: Embedder) -> Verifier:
    """A verifier from a folder: an embedding head, a cross-encoder, or per-fold ones (folds.json)."""
    if (directory / "folds.json").exists():
        assignment: dict[str, int] = json.loads((directory / "folds.json").read_text())
        models: dict[int, Verifier] = {}
        for fold in set(assignment.values()):
            models[fold] = load_verifier(directory / f"fold{fold}", embedder)
        return FoldedVerifier({q: models[f] for q, f in assignment.items()})
    if (directory / "head.npz").exists():
        meta = json.loads((directory / "training.json").read_text())
        name = f"head-{str(meta.get('data_hash', ''))[:8]}"
        return HeadVerifier(embedder, HeadWeights.load(directory), name)
    from interviewer.evaluation.verifiers.cross_encoder import CrossEncoderVerifier

    return CrossEncoderVerifier(directory)


def default_verifier(embedder: Embedder) -> Verifier | None:
    """The shipped verifier, when its artifact is present (it is in a normal install)."""
    if not (SHIPPED_VERIFIER / "head.npz").exists():
        return None
    return load_verifier(SHIPPED_VERIFIER, embedder)


def build_grader(
    context: GradingContext,
    embedder: Embedder | None = None,
    *,
    paths: Paths | None = None,
    params: ScoringParams | None = None,
    verifier: Verifier | bool = True,
) -> Grader:
    """A grader. `verifier=True` uses the shipped verifier when it and its tuned map exist;
    False means similarity only; a Verifier object is used as given."""
    paths = paths or Paths.from_env()
    embedder = embedder or default_embedder()
    cache = StatementCache(embedder, paths.cache)
    chosen: Verifier | None = None
    if verifier is True:
        chosen = default_verifier(embedder) if context.verifier_params is not None else None
    elif verifier is not False:
        chosen = verifier
    if params is None:
        tuned = context.verifier_params
        params = tuned if chosen is not None and tuned is not None else context.params
    rubrics, prompts = context.rubrics.rubrics, context.prompts()
    return Grader(embedder, rubrics, prompts, params, cache, chosen)
