"""Draft a rubric from what a question already has: its key points and its model answer.

The model answer is split into statements (statements.py); each goes to the key point it supports,
by embedding similarity to the key point's text, helped by the heading it stood under and refined
once against the points' centroids. Every point also keeps its own text as evidence, and gets
mistakes made by rules from the answer's contrasts (contrasts.py) and mentions from its own terms.
The result is the same `Rubric` a YAML file gives, inside the schema's limits, and deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import yaml

from interviewer.core.bank.schema import Question
from interviewer.core.grading.embedding import Matrix, normalise
from interviewer.core.rubric.contrasts import mistake_for, table_groups, title_groups
from interviewer.core.rubric.schema import (
    MAX_KEY_POINTS,
    MAX_RUBRIC_STATEMENTS,
    MAX_STATEMENT,
    MAX_STATEMENTS,
    KeyPointRubric,
    Rubric,
)
from interviewer.core.rubric.statements import Statement, split_statements, tables

DRAFT_HEADER = "# drafted by interviewer rubric draft; edit freely\n"


class Encoder(Protocol):
    """What drafting needs of an embedder (the `Embedder` port and the statement cache have it)."""

    def encode(self, texts: Sequence[str]) -> Matrix: ...


@dataclass(frozen=True)
class DraftSettings:
    heading_weight: float = 0.5  # how much the heading a statement stood under counts
    label_weight: float = 1.0  # the key point's own text in its centroid, against its statements
    refine: int = 1  # reassignments against the centroids
    min_evidence: int = 3  # model-answer statements per point, borrowed from others when short
    max_evidence: int = 30
    max_mistakes: int = 6
    mistakes: bool = True
    # a rule-made mistake this close in meaning to its source is dropped: the model could not tell
    # the right answer from it, so it would demote right answers as well as wrong ones
    mistake_distinct: float = 0.8
    mentions: bool = True
    code: bool = True  # lines of code as statements (comments always count)
    each_item: bool = False  # short items under a heading alone as well as joined
    # a statement this similar to the question itself restates the topic, which any on-topic
    # answer does: evidence of no point (unless a point is short of min_evidence). Chosen on the
    # dev half of eval.drafted (0.5/0.6/off)
    generic_at: float = 0.6


_LEAD_VERB_TEXT = """knows know understands understand considers mentions can uses explains describes identifies
    includes handles applies discusses is has aware of advise advises on explain identify match
    implement choose apply recommend size the"""
_LEAD_VERBS = frozenset(_LEAD_VERB_TEXT.split())


def label_terms(label: str) -> str:
    """A key point's subject without its lead verbs: "Can identify layer violations" -> "layer
    violations", "Knows trade-offs, not just hype" -> "trade-offs"."""
    head = label.split(",")[0].strip().rstrip(".")
    tokens = head.split()
    while len(tokens) > 1 and tokens[0].casefold() in _LEAD_VERBS:
        tokens = tokens[1:]
    return " ".join(tokens)


def mentions_for(label: str) -> list[str]:
    term = label_terms(label)
    if not term:
        return []
    lowered = term if term[1:2].isupper() else term[:1].lower() + term[1:]
    return [f"It uses {lowered}.", f"There is {lowered} to think about."]


def _clip(text: str) -> str:
    if len(text) <= MAX_STATEMENT:
        return text
    cut = text.rfind(" ", 0, MAX_STATEMENT)
    return text[: cut if cut > 0 else MAX_STATEMENT]


def _scores(
    labels: Matrix, statements: Matrix, headings: Matrix, settings: DraftSettings
) -> np.ndarray:
    """Statement-by-point affinity: the statement's similarity to each point's text, plus its
    heading's (a heading row of zeros when the statement had none)."""
    base = statements @ labels.T
    boost = settings.heading_weight * (headings @ labels.T)
    affinity: np.ndarray = base + boost
    for _ in range(settings.refine):
        owner = affinity.argmax(axis=1)
        rows = []
        for k in range(len(labels)):
            mine = statements[owner == k]
            total = settings.label_weight * labels[k] + (mine.sum(axis=0) if len(mine) else 0.0)
            rows.append(total)
        centroids = normalise(np.vstack(rows))
        affinity = statements @ centroids.T + boost
    return affinity


def _assign(affinity: np.ndarray, settings: DraftSettings, generic: np.ndarray) -> list[list[int]]:
    """Statement indices per point, best first: each statement that is not `generic` to its best
    point, and a point with fewer than `min_evidence` takes its own generic ones, then borrows
    the statements closest to it."""
    points = affinity.shape[1]
    owner = affinity.argmax(axis=1) if affinity.size else np.zeros(0, dtype=int)
    assigned: list[list[int]] = []
    for k in range(points):
        order = [int(i) for i in np.argsort(-affinity[:, k], kind="stable")]
        mine = [i for i in order if owner[i] == k and not generic[i]]
        spare = [i for i in order if owner[i] == k and generic[i]]
        spare += [i for i in order if owner[i] != k]
        for i in spare:
            if len(mine) >= settings.min_evidence:
                break
            mine.append(i)
        assigned.append(mine)
    return assigned


def _groups(question: Question) -> list[list[str]]:
    found, outside = tables(question.answer)
    groups = title_groups(question.title)
    elsewhere = f"{question.title}\n{question.prompt}\n{outside}"
    for header, rows in found:
        groups.extend(table_groups(header, rows, elsewhere))
    return groups


def _mistakes(
    texts: list[str], groups: list[list[str]], encoder: Encoder, settings: DraftSettings
) -> list[str]:
    """Rule-made mistakes of a point's statements, best statements first, that the embedding can
    tell from the statement they were made from."""
    pairs: list[tuple[str, str]] = []
    for text in texts:
        wrong = mistake_for(text, groups)
        if wrong is not None and wrong not in texts and wrong not in (w for _, w in pairs):
            pairs.append((text, _clip(wrong)))
    if not pairs or not settings.mistakes:
        return []
    vectors = encoder.encode([t for pair in pairs for t in pair])
    close = (vectors[0::2] * vectors[1::2]).sum(axis=1)
    kept = [w for (_, w), c in zip(pairs, close, strict=True) if c < settings.mistake_distinct]
    return kept[: settings.max_mistakes]


def _key_point(
    label: str, texts: list[str], mistakes: list[str], budget: int, settings: DraftSettings
) -> KeyPointRubric:
    mentions = mentions_for(label) if settings.mentions else []
    room = max(
        1, min(settings.max_evidence, MAX_STATEMENTS, budget - len(mistakes) - len(mentions))
    )
    evidence = list(dict.fromkeys([*(_clip(t) for t in texts[: room - 1]), label]))
    return KeyPointRubric(label=label, evidence=evidence, mistakes=mistakes, mentions=mentions)


def draft_rubric(
    question: Question, encoder: Encoder, settings: DraftSettings | None = None
) -> Rubric:
    """A rubric for the question's main part (a follow-up has no key points to draft from)."""
    settings = settings or DraftSettings()
    labels = question.key_points[:MAX_KEY_POINTS]
    statements: list[Statement] = [
        s
        for s in split_statements(question.answer, each=settings.each_item)
        if settings.code or s.kind != "code"
    ]
    heads = sorted({s.heading for s in statements if s.heading})
    topic_text = f"{question.title}. {question.prompt}"
    vectors = encoder.encode([*labels, *(s.text for s in statements), *heads, topic_text])
    topic, vectors = vectors[-1], vectors[:-1]
    label_vectors = vectors[: len(labels)]
    statement_vectors = vectors[len(labels) : len(labels) + len(statements)]
    head_rows = dict(zip(heads, vectors[len(labels) + len(statements) :], strict=True))
    zero = np.zeros(vectors.shape[1], dtype=np.float32)
    head_vectors = np.vstack([head_rows.get(s.heading, zero) for s in statements] or [zero[:0]])
    assigned: list[list[int]] = [[] for _ in labels]
    if statements:
        affinity = _scores(label_vectors, statement_vectors, head_vectors, settings)
        assigned = _assign(affinity, settings, statement_vectors @ topic >= settings.generic_at)
    groups = _groups(question)
    budget = MAX_RUBRIC_STATEMENTS // len(labels)
    points = []
    for label, mine in zip(labels, assigned, strict=True):
        texts = [statements[i].text for i in mine]
        mistakes = _mistakes(texts, groups, encoder, settings)
        points.append(_key_point(label, texts, mistakes, budget, settings))
    return Rubric(question=question.id, version=1, key_points=points)


def rubric_yaml(rubric: Rubric) -> str:
    """The rubric as the YAML a user edits, under the drafted-by header; it loads back as itself."""
    data = rubric.model_dump(mode="json", exclude_none=True)
    for point in data["key_points"]:
        for name in ("weight", "mistakes", "mentions"):
            if point.get(name) in (1.0, []):
                del point[name]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100, indent=2)
    return DRAFT_HEADER + text
