"""Training pairs for the claim verifier: (answer-like sentence, evidence statement) -> relation.

The sentences are our own writing in `eval/verifier/claims/` (never the evaluation answers) plus the
rubrics' own evidence, mistakes and mentions. Relations: the sentence SUPPORTS the evidence, states
it wrongly (CONTRADICTS), only MENTIONS its topic, or is UNRELATED to it.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from interviewer.core.rubric.schema import Rubric

CLAIMS = Path(__file__).resolve().parent / "claims"
CONTRASTS = CLAIMS.parent / "contrasts.yaml"
# word pairs whose exchange turns a right statement into a wrong one in most architecture sentences
GENERAL_FLIPS = (
    ("synchronously", "asynchronously"),
    ("synchronous", "asynchronous"),
    ("before", "after"),
    ("faster", "slower"),
    ("increases", "decreases"),
    ("higher", "lower"),
    ("always", "never"),
    ("stateless", "stateful"),
    ("immediately", "later"),
    ("more", "less"),
    ("cheaper", "more expensive"),
    ("reads", "writes"),
    ("read", "write"),
    ("first", "last"),
    ("inside", "outside"),
    ("can", "cannot"),
    ("strong", "weak"),
    ("safe", "unsafe"),
    ("easier", "harder"),
    ("smaller", "larger"),
    ("fewer", "more"),
    ("tightly", "loosely"),
    ("all", "none of the"),
    ("up", "down"),
    ("allows", "blocks"),
    ("rejects", "accepts"),
)
LABELS = ["supports", "contradicts", "mentions", "unrelated"]


class Relation(IntEnum):
    SUPPORTS = 0
    CONTRADICTS = 1
    MENTIONS = 2
    UNRELATED = 3


@dataclass(frozen=True)
class Pair:
    question: str
    key_point: int
    sentence: str
    statement: str
    relation: Relation


_CLAIM_FIELDS = {
    "supports": Relation.SUPPORTS,
    "contradicts": Relation.CONTRADICTS,
    "mentions": Relation.MENTIONS,
    "unrelated": Relation.UNRELATED,
}


def load_claims(directory: Path) -> dict[str, list[dict[str, Any]]]:
    claims: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        claims[str(data["question"])] = list(data["key_points"])
    return claims


Encode = Callable[[Sequence[str]], npt.NDArray[np.float32]]


def memoised(encode: Encode) -> Encode:
    """`encode` that embeds each distinct text once: training looks the same statements up again and
    again."""
    seen: dict[str, npt.NDArray[np.float32]] = {}

    def cached(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        missing = [t for t in dict.fromkeys(texts) if t not in seen]
        if missing:
            seen.update(zip(missing, encode(missing), strict=True))
        return np.vstack([seen[t] for t in texts]).astype(np.float32)

    return cached


def _with(
    rng: random.Random, sentences: Iterable[str], statements: list[str], per: int
) -> Iterable[tuple[str, str]]:
    for sentence in sentences:
        for statement in rng.sample(statements, min(per, len(statements))):
            if statement != sentence:
                yield sentence, statement


def _closest(
    encode: Encode, sentences: Iterable[str], statements: list[str], per: int
) -> Iterable[tuple[str, str]]:
    """Each sentence with the statements nearest to it, as the grader's shortlist pairs them."""
    chosen = list(sentences)
    if not chosen:
        return
    sims = encode(chosen) @ encode(statements).T
    for row, sentence in enumerate(chosen):
        picked = [
            statements[int(e)] for e in np.argsort(-sims[row]) if statements[int(e)] != sentence
        ]
        for statement in picked[:per]:
            yield sentence, statement


def build_pairs(
    rubrics: Mapping[str, Rubric],
    claims: Mapping[str, list[dict[str, Any]]],
    questions: Iterable[str],
    *,
    per_sentence: int = 3,
    seed: int = 13,
    encode: Encode | None = None,
) -> list[Pair]:
    """Every pair for the given questions, deterministic for a seed.

    With `encode`, a sentence meets the evidence statements closest to it (what the grader's shortlist
    asks the verifier about at run time: a swapped definition beside the right one); without, it meets
    statements drawn at random from its key point.
    """
    rng = random.Random(seed)
    pairs: list[Pair] = []
    chosen = sorted(set(questions))
    for question in chosen:
        rubric = rubrics[question]
        for index, kp in enumerate(rubric.key_points):
            evidence = list(kp.evidence)
            sources: list[tuple[Iterable[str], Relation]] = [
                (evidence, Relation.SUPPORTS),
                (kp.mistakes, Relation.CONTRADICTS),
                (kp.mentions, Relation.MENTIONS),
            ]
            entry = claims.get(question, [])
            if index < len(entry):
                for field, relation in _CLAIM_FIELDS.items():
                    sources.append((entry[index].get(field, []), relation))
            elsewhere = [
                e
                for q in rng.sample(chosen, min(3, len(chosen)))
                if q != question
                for e in rubrics[q].key_points[0].evidence[:2]
            ]
            sources.append((rng.sample(elsewhere, min(3, len(elsewhere))), Relation.UNRELATED))
            for sentences, relation in sources:
                paired = (
                    _with(rng, sentences, evidence, per_sentence)
                    if encode is None
                    else _closest(encode, sentences, evidence, per_sentence)
                )
                for sentence, statement in paired:
                    pairs.append(Pair(question, index, sentence, statement, relation))
    rng.shuffle(pairs)
    return pairs


def data_hash(pairs: list[Pair]) -> str:
    """Names a training set: the same pairs give the same hash, whatever their order."""
    digest = hashlib.sha256()
    for p in sorted(pairs, key=lambda p: (p.sentence, p.statement)):
        digest.update(f"{p.sentence}\t{p.statement}\t{int(p.relation)}\n".encode())
    return digest.hexdigest()


def load_contrasts(path: Path = CONTRASTS) -> dict[str, list[tuple[str, str]]]:
    """Per question, the pairs of terms a candidate can swap (write-through / write-back)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(q): [(str(a), str(b)) for a, b in pairs] for q, pairs in data.items()}


def _case_of(found: str, word: str) -> str:
    if found.isupper() and len(found) > 1:
        return word.upper()
    if found[0].isupper():
        return word[0].upper() + word[1:]
    if word.isupper() and len(word) > 1:
        return word  # acronyms stay acronyms
    return word[0].lower() + word[1:]


def flip(text: str, pair: tuple[str, str]) -> str | None:
    """The text with the pair's terms exchanged (both ways at once, case kept), or None when it
    names neither: a minimal edit that makes a right statement wrong."""
    first, second = pair
    pattern = re.compile(
        r"(?<![\w-])(" + re.escape(first) + "|" + re.escape(second) + r")(?![\w-])", re.I
    )

    def exchange(match: re.Match[str]) -> str:
        found = match.group(0)
        return _case_of(found, second if found.lower() == first.lower() else first)

    flipped = pattern.sub(exchange, text)
    return flipped if flipped != text else None
