"""Assemble a grader from the project's and the user's files: banks, rubrics, params, model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer.core.bank.loading import LoadedBanks, load_banks
from interviewer.core.bank.schema import Question
from interviewer.core.feedback.prompt import feedback_request
from interviewer.core.grading.embedding import Progress, StatementCache
from interviewer.core.grading.grader import Grader
from interviewer.core.grading.params import ScoringParams, load_params, params_file
from interviewer.core.ports import Embedder, FeedbackRequest, Verifier
from interviewer.core.problems import FileProblems, Problem
from interviewer.core.result import ScoreResult
from interviewer.core.rubric.drafting import Encoder, draft_rubric
from interviewer.core.rubric.loading import RubricSet, load_rubric_set
from interviewer.core.rubric.schema import Rubric
from interviewer.paths import Paths, shipped_statements_file

if TYPE_CHECKING:
    from interviewer.adapters.store.sqlite import SqliteTranscriptStore


@dataclass
class GradingContext:
    banks: LoadedBanks
    rubrics: RubricSet
    params: ScoringParams  # for similarity alone
    rubrics_dirs: list[Path]
    verifier_params: ScoringParams | None = None  # for similarity + verifier, once tuned

    def question(self, ref: str, bank_id: str | None = None) -> Question | None:
        """By id, number or unique start of an id, in `bank_id` or else the first bank that has it."""
        for bank in self.banks.banks:
            if bank_id in (None, bank.id) and (question := bank.get(ref)) is not None:
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


def load_context(
    paths: Paths | None = None, rubrics_dir: Path | None = None, banks: LoadedBanks | None = None
) -> GradingContext:
    """`banks`: the user's banks when the caller has parsed them already (the TUI's start screen)."""
    paths = paths or Paths.from_env()
    banks = banks if banks is not None else load_banks(paths.bank_dirs())
    dirs = [rubrics_dir] if rubrics_dir is not None else [paths.project_rubrics, paths.user_rubrics]
    rubrics = load_rubric_set(dirs, banks.banks)  # what `bank check` rejects is never used
    # a broken user map is one warning among the rubric problems, and the shipped map is used
    params, verifier_params = scoring_maps(dirs, rubrics.problems)
    return GradingContext(banks, rubrics, params, dirs, verifier_params)


def scoring_maps(
    dirs: Sequence[Path], problems: list[Problem] | None = None
) -> tuple[ScoringParams, ScoringParams | None]:
    """The similarity map, and the verifier map when it is the one to grade with: a map the user
    fitted (`interviewer tune`, their corrections) over the shipped verifier map wins, so the
    verifier map is used only from a folder at least as close to the user as the similarity map's."""
    params, similarity_from = _layered(dirs, verifier=False, problems=problems)
    verifier_params, verifier_from = _layered(dirs, verifier=True, problems=problems)
    tuned = verifier_params.uses_verifier and verifier_from >= similarity_from
    return params, verifier_params if tuned else None


def layered_params(
    dirs: Sequence[Path], *, verifier: bool = False, problems: list[Problem] | None = None
) -> ScoringParams:
    """The fitted map of the last folder that has a good one, as rubrics layer: the user's own map
    (written by `interviewer tune`) over the shipped one; defaults when none has a map. A map that
    does not load (too big, a value out of range) adds one line to `problems` and is passed over."""
    return _layered(dirs, verifier=verifier, problems=problems)[0]


def _layered(
    dirs: Sequence[Path], *, verifier: bool, problems: list[Problem] | None
) -> tuple[ScoringParams, int]:
    """`layered_params` and the index in `dirs` of the folder it came from (-1: the defaults)."""
    for index in reversed(range(len(dirs))):
        directory = dirs[index]
        if not (directory / params_file(verifier)).exists():
            continue
        try:
            return load_params(directory, verifier=verifier), index
        except FileProblems as error:
            if problems is not None:
                first = error.problems[0]
                message = f"{first.message}; this map is not used, the shipped one is"
                problems.append(Problem(first.file, first.where, first.field, message))
    return ScoringParams(), -1


# the --model value for the packaged model exactly as published, without our tuned layers
PUBLISHED = "published"


def default_embedder(model: str | None = None) -> Embedder:
    """The shipped model (our tuned layers) runs on onnxruntime, without torch; another model
    (`--model PATH`, or `published`: the packaged one without our layers) on sentence-transformers."""
    if model is None:
        from interviewer.adapters.onnx_embedder import OnnxEmbedder

        return OnnxEmbedder()
    from interviewer.adapters.embedder import SentenceTransformerEmbedder

    if model == PUBLISHED:
        return SentenceTransformerEmbedder(plain=True)
    return SentenceTransformerEmbedder(model)


def default_verifier() -> Verifier | None:
    """The shipped entailment verifier (onnxruntime, loaded on first use), when its files are here."""
    from interviewer.adapters.onnx_verifier import OnnxNliVerifier

    verifier = OnnxNliVerifier()
    return verifier if verifier.available else None


def build_grader(
    context: GradingContext,
    embedder: Embedder | None = None,
    *,
    paths: Paths | None = None,
    params: ScoringParams | None = None,
    verifier: Verifier | None = None,
    use_verifier: bool = True,
    progress: Progress | None = None,
) -> Grader:
    """A grader: similarity and the shipped entailment verifier with the verifier map where both
    ship (the default: held out it beats similarity alone, eval/README.md); similarity alone with
    its own map when `use_verifier` is False (`--no-verifier`), when the rubric folders have no
    verifier map, or when `params` is given without a verifier. A caller's `verifier` (eval's and
    tune's) is used as given. `progress` hears a build of the rubric statement cache (see
    `cache_progress_on_stderr`)."""
    paths = paths or Paths.from_env()
    embedder = embedder or default_embedder()
    cache = StatementCache(
        embedder, paths.cache, shipped=shipped_statements_file(), progress=progress
    )
    tuned = context.verifier_params
    if not use_verifier:
        verifier = None
    elif verifier is None and params is None and tuned is not None:
        verifier = default_verifier()
    if params is None:
        params = tuned if verifier is not None and tuned is not None else context.params
    rubrics, prompts = context.rubrics.rubrics, context.prompts()
    answers = {q.id: q.answer for bank in context.banks.banks for q in bank.questions}
    drafter = drafter_for(context, cache)  # a question with no rubric is graded with a draft
    return Grader(
        embedder, rubrics, prompts, params, cache, verifier, drafter=drafter, answers=answers
    )


def drafter_for(context: GradingContext, encoder: Encoder) -> Callable[[str], Rubric | None]:
    """Drafts a rubric, when asked, for a question of the loaded banks (None for another id)."""
    questions = {q.id: q for bank in context.banks.banks for q in bank.questions}

    def draft(question_id: str) -> Rubric | None:
        question = questions.get(question_id)
        return None if question is None else draft_rubric(question, encoder)

    return draft


def cache_progress_on_stderr(done: int, total: int) -> None:
    """The CLI's word on a rubric cache build (only statements the shipped cache lacks)."""
    import sys

    line = f"building the rubric cache, once: {done}/{total}"
    if sys.stderr.isatty():
        print(f"\r{line}", end="\n" if done >= total else "", file=sys.stderr, flush=True)
    elif done in (0, total):  # a log gets the start and the end, not every chunk
        print(line, file=sys.stderr, flush=True)


def open_user_store() -> SqliteTranscriptStore:
    """The user's transcript store; it reads the banks when a session lacks its questions' text."""
    from interviewer.adapters.store.sqlite import open_store

    return open_store()
