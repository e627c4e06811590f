"""Assemble a grader from the project's and the user's files: banks, rubrics, params, model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer.core.bank.loading import LoadedBanks, load_banks
from interviewer.core.bank.schema import Question
from interviewer.core.feedback.prompt import feedback_request
from interviewer.core.grading.embedding import StatementCache
from interviewer.core.grading.grader import Grader
from interviewer.core.grading.params import ScoringParams, load_params, params_file
from interviewer.core.ports import Embedder, FeedbackRequest, Verifier
from interviewer.core.result import ScoreResult
from interviewer.core.rubric.loading import RubricSet, load_rubric_set
from interviewer.paths import Paths

if TYPE_CHECKING:
    from interviewer.adapters.store.sqlite import SqliteTranscriptStore


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
        """What an LLM is shown about a scored answer to a question of the loaded banks."""
        question = self.question(question_id)
        if question is None:
            raise KeyError(f"no question {question_id!r} in the loaded banks")
        return feedback_request(question, answer, result)


def load_context(paths: Paths | None = None, rubrics_dir: Path | None = None) -> GradingContext:
    paths = paths or Paths.from_env()
    banks = load_banks(paths.bank_dirs())
    dirs = [rubrics_dir] if rubrics_dir is not None else [paths.project_rubrics, paths.user_rubrics]
    rubrics = load_rubric_set(dirs, banks.banks)  # what `bank check` rejects is never used
    params = layered_params(dirs)
    verifier_params = layered_params(dirs, verifier=True)
    tuned = verifier_params.uses_verifier
    return GradingContext(banks, rubrics, params, dirs, verifier_params if tuned else None)


def layered_params(dirs: Sequence[Path], *, verifier: bool = False) -> ScoringParams:
    """The fitted map of the last folder that has one, as rubrics layer: the user's own map
    (written by `interviewer tune`) over the shipped one; defaults when none has a map."""
    for directory in reversed(dirs):
        if (directory / params_file(verifier)).exists():
            return load_params(directory, verifier=verifier)
    return load_params(dirs[0], verifier=verifier)


# the --model value for the packaged model exactly as published, without our tuned layers
PUBLISHED = "published"


def default_embedder(model: str | None = None) -> Embedder:
    from interviewer.adapters.embedder import SentenceTransformerEmbedder

    if model == PUBLISHED:
        return SentenceTransformerEmbedder(plain=True)
    return SentenceTransformerEmbedder(model)


def build_grader(
    context: GradingContext,
    embedder: Embedder | None = None,
    *,
    paths: Paths | None = None,
    params: ScoringParams | None = None,
    verifier: Verifier | None = None,
) -> Grader:
    """A grader: similarity only, or with the caller's verifier (only `interviewer eval` and `tune`
    pass one: no verifier ships while none beats similarity). With a verifier and a fitted
    verifier map, that map scores unless `params` says otherwise."""
    paths = paths or Paths.from_env()
    embedder = embedder or default_embedder()
    cache = StatementCache(embedder, paths.cache)
    if params is None:
        tuned = context.verifier_params
        params = tuned if verifier is not None and tuned is not None else context.params
    rubrics, prompts = context.rubrics.rubrics, context.prompts()
    return Grader(embedder, rubrics, prompts, params, cache, verifier)


def open_user_store() -> SqliteTranscriptStore:
    """The user's transcript store; it reads the banks when a session lacks its questions' text."""
    from interviewer.adapters.store.sqlite import open_store

    return open_store()
