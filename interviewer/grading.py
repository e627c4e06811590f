"""Assemble a grader from the project's and the user's files: banks, rubrics, params, model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from interviewer.core.bank_io import LoadedBanks, load_banks
from interviewer.core.embedding import Embedder, StatementCache
from interviewer.core.models import Question
from interviewer.core.params import ScoringParams, load_params
from interviewer.core.rubric_io import RubricSet, load_rubric_set
from interviewer.core.scoring import Grader
from interviewer.paths import Paths


@dataclass
class GradingContext:
    banks: LoadedBanks
    rubrics: RubricSet
    params: ScoringParams
    rubrics_dirs: list[Path]

    def question(self, ref: str) -> Question | None:
        for bank in self.banks.banks:
            if (question := bank.get(ref)) is not None:
                return question
        return None

    def prompts(self) -> dict[str, str]:
        return {q.id: f"{q.title}. {q.prompt}" for b in self.banks.banks for q in b.questions}


def load_context(paths: Paths | None = None, rubrics_dir: Path | None = None) -> GradingContext:
    paths = paths or Paths.from_env()
    banks = load_banks(paths.bank_dirs())
    dirs = [rubrics_dir] if rubrics_dir is not None else [paths.project_rubrics, paths.user_rubrics]
    rubrics = load_rubric_set(dirs)
    params = load_params(dirs[0])
    return GradingContext(banks, rubrics, params, dirs)


def default_embedder(model: str | None = None) -> Embedder:
    from interviewer.adapters.st_embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model)


def build_grader(
    context: GradingContext,
    embedder: Embedder | None = None,
    *,
    paths: Paths | None = None,
    params: ScoringParams | None = None,
) -> Grader:
    paths = paths or Paths.from_env()
    embedder = embedder or default_embedder()
    cache = StatementCache(embedder, paths.cache)
    return Grader(
        embedder, context.rubrics.rubrics, context.prompts(), params or context.params, cache
    )
