"""Our grader's matching, applied zero-shot to public benchmarks (reference answer vs student answer).

The same units and spans as the interview grader: the reference is split into statements (its
"evidence"), the student answer into units and neighbouring pairs; a pair's similarity blends how
well each reference statement is matched somewhere in the answer with the whole-text cosine.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from interviewer.core.grading.embedding import Matrix, normalise
from interviewer.core.grading.text import split_units
from interviewer.core.ports import Embedder, Verifier


def _units(text: str) -> list[str]:
    units, _ = split_units(text)
    return [u.text for u in units] or [text.strip() or "."]


class _Encoder:
    """Encodes each distinct text once per call (benchmarks repeat references a lot)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def __call__(self, texts: list[str]) -> dict[str, Matrix]:
        distinct = list(dict.fromkeys(texts))
        vectors = self.embedder.encode(distinct)
        return {t: vectors[i] for i, t in enumerate(distinct)}


def _spans(vectors: Matrix) -> Matrix:
    if len(vectors) < 2:
        return vectors
    return np.vstack([vectors, normalise(vectors[:-1] + vectors[1:])])


def pair_similarity(
    embedder: Embedder,
) -> Callable[[list[str], list[str]], npt.NDArray[np.float64]]:
    encode = _Encoder(embedder)

    def similarity(references: list[str], answers: list[str]) -> npt.NDArray[np.float64]:
        ref_units = [_units(r) for r in references]
        ans_units = [_units(a) for a in answers]
        table = encode([*references, *answers, *(u for us in ref_units + ans_units for u in us)])
        out = np.zeros(len(references))
        for i, (ref, ans) in enumerate(zip(references, answers, strict=True)):
            whole = float(table[ref] @ table[ans])
            spans = _spans(np.vstack([table[u] for u in ans_units[i]]))
            statements = np.vstack([table[u] for u in ref_units[i]])
            aligned = float(np.mean(np.max(statements @ spans.T, axis=1)))
            out[i] = 0.5 * whole + 0.5 * aligned
        return out

    return similarity


def element_coverage(
    embedder: Embedder,
) -> Callable[[list[str], list[str]], npt.NDArray[np.float64]]:
    encode = _Encoder(embedder)

    def coverage(elements: list[str], answers: list[str]) -> npt.NDArray[np.float64]:
        ans_units = [_units(a) for a in answers]
        table = encode([*elements, *(u for us in ans_units for u in us)])
        element_vectors = np.vstack([table[e] for e in elements])
        out = np.zeros((len(answers), len(elements)))
        for i, units in enumerate(ans_units):
            spans = _spans(np.vstack([table[u] for u in units]))
            out[i] = np.clip(np.max(element_vectors @ spans.T, axis=1), 0.0, 1.0)
        return out

    return coverage


def entailment(verifier: Verifier) -> Callable[[list[str], list[str]], npt.NDArray[np.float64]]:
    """The entailment verifier on a benchmark: the probability that the student answer (premise)
    entails the reference answer (hypothesis), in place of the similarity."""

    def entails(references: list[str], answers: list[str]) -> npt.NDArray[np.float64]:
        pairs = [(answer, reference) for reference, answer in zip(references, answers, strict=True)]
        judged = verifier.judge("benchmark", pairs)  # supports, contradicts, mentions, unrelated
        return np.asarray(judged[:, 0], dtype=np.float64)

    return entails
