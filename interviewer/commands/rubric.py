"""`interviewer rubric draft`: rubrics for the questions that have none, drafted offline.

The `rubric` group's parser is made in cli.py (GROUPS); this module adds the `draft` verb.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer.commands import CommandError, model_folder

if TYPE_CHECKING:
    from interviewer.adapters.llm import LLMFeedback
    from interviewer.core.bank.schema import Question
    from interviewer.core.rubric.schema import Rubric
    from interviewer.paths import Paths


def add_verb(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    draft = verbs.add_parser(
        "draft",
        help="draft a rubric from the key points and model answer, for each question without one",
    )
    draft.add_argument("--bank", help="bank id (default: every bank)")
    draft.add_argument(
        "--question", "-q", action="append", help="question id or number (repeatable)"
    )
    draft.add_argument(
        "--out", type=Path, help="rubrics folder to write into (default: your rubric folder)"
    )
    draft.add_argument("--force", action="store_true", help="overwrite a rubric file that exists")
    draft.add_argument(
        "--llm",
        action="store_true",
        help="have the configured LLM add evidence, mistakes and mentions (and a follow-up's key "
        "points); a failed call keeps the offline draft",
    )
    draft.add_argument(
        "--model",
        type=model_folder,
        help="a local sentence-transformers folder (default: the packaged model)",
    )
    draft.set_defaults(handler=_draft)


def _draft(args: argparse.Namespace) -> int:
    from interviewer.core.bank.schema import slugify
    from interviewer.core.grading.embedding import StatementCache
    from interviewer.core.rubric.drafting import draft_rubric, rubric_yaml
    from interviewer.core.safe_text import one_line
    from interviewer.paths import Paths
    from interviewer.wiring import default_embedder, load_context

    paths = Paths.from_env()
    context = load_context(paths)
    banks = context.banks.banks
    if args.bank is not None:
        banks = [b for b in banks if b.id == args.bank]
        if not banks:
            raise CommandError(f"no bank {args.bank[:100]!r} (see `interviewer bank list`)", 2)
    chosen: list[tuple[str, Question]] = []
    for ref in args.question or []:
        found = next(((b.id, q) for b in banks if (q := b.get(ref)) is not None), None)
        if found is None:
            raise CommandError(f"no question {ref[:100]!r} (see `interviewer bank list`)", 2)
        chosen.append(found)
    if not args.question:
        chosen = [
            (b.id, q) for b in banks for q in b.questions if context.rubrics.get(q.id) is None
        ]
    if not chosen:
        print("every question has a rubric; name one with --question to draft it anyway")
        return 0
    out = args.out if args.out is not None else paths.user_rubrics
    embedder = default_embedder(args.model)
    cache = StatementCache(embedder, paths.cache)
    llm = _llm(paths) if args.llm else None
    status = 0
    for bank_id, question in chosen:
        target = out / slugify(bank_id) / f"{question.id}.yaml"
        if target.exists() and not args.force:
            print(one_line(f"kept {target}: it exists (--force overwrites it)"))
            continue
        rubric = draft_rubric(question, cache)
        if llm is not None:
            rubric = _enriched(llm, question, rubric)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(rubric_yaml(rubric), encoding="utf-8")
        except OSError as error:
            print(one_line(f"not written {target}: {error.strerror}"))
            status = 1
            continue
        count = sum(kp.statement_count for kp in rubric.key_points)
        points = len(rubric.key_points)
        print(one_line(f"wrote {target} ({points} key points, {count} statements)"))
    cache.save()
    return status


def _llm(paths: Paths) -> LLMFeedback | None:
    """The configured LLM, or None with one line saying the drafts stay offline."""
    from interviewer.adapters.llm import feedback_from_environment

    writer = feedback_from_environment(paths)
    if writer is None:
        print("--llm: no LLM endpoint is configured (see `interviewer doctor`); drafting offline")
    return writer


def _enriched(llm: LLMFeedback, question: Question, rubric: Rubric) -> Rubric:
    import asyncio

    from interviewer.core.rubric.schema import Rubric
    from interviewer.core.safe_text import one_line

    result = asyncio.run(llm.enrich_rubric(question, rubric))
    if isinstance(result, Rubric):
        return result
    print(one_line(f"{question.id}: kept the offline draft: {result.message}"))
    return rubric
