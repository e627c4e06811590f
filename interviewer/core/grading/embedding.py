"""Embedding helpers: normalising, a deterministic fake embedder for unit tests, and a disk cache
for rubric text. The `Embedder` port itself is in `interviewer.core.ports`."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from interviewer.core.ports import Embedder

Matrix = npt.NDArray[np.float32]


def normalise(matrix: npt.NDArray[np.floating]) -> Matrix:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: Matrix = (matrix / norms).astype(np.float32)
    return result


class HashingEmbedder:
    """A deterministic bag-of-words embedder: for fast unit tests of the maths, never for quality."""

    def __init__(self, dimensions: int = 256) -> None:
        self.dimensions = dimensions

    @property
    def name(self) -> str:
        return f"hashing-{self.dimensions}"

    def encode(self, texts: Sequence[str]) -> Matrix:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dimensions] += 1.0
        return normalise(out)


class StatementCache:
    """Embeddings of rubric statements, kept on disk per model: a warm start embeds no rubric.

    The file holds every statement embedded so far; a statement is looked up by its exact text, so an
    edited rubric re-embeds only what changed.
    """

    def __init__(self, embedder: Embedder, directory: Path | None) -> None:
        self.embedder = embedder
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", embedder.name)[-80:]
        self.path = directory / f"statements-{safe}.npz" if directory is not None else None
        self._index: dict[str, int] = {}
        self._vectors: Matrix = np.zeros((0, 0), dtype=np.float32)
        self._dirty = False
        self._load()

    def _load(self) -> None:
        if self.path is None or not self.path.exists():
            return
        try:
            with np.load(self.path, allow_pickle=False) as data:
                texts = [str(t) for t in data["texts"]]
                vectors = data["vectors"].astype(np.float32)
        except Exception:
            return
        if vectors.ndim != 2 or len(texts) != len(vectors) or len(set(texts)) != len(texts):
            return
        self._vectors = vectors
        self._index = {text: i for i, text in enumerate(texts)}

    def encode(self, texts: Sequence[str]) -> Matrix:
        missing = list(dict.fromkeys(t for t in texts if t not in self._index))
        if missing:
            fresh = self.embedder.encode(missing)
            if self._index and fresh.shape[1] != self._vectors.shape[1]:
                # a cache written by another model: start again with every text asked for
                self._index, self._vectors = {}, np.zeros((0, 0), dtype=np.float32)
                missing = list(dict.fromkeys(texts))
                fresh = self.embedder.encode(missing)
            base = len(self._index)
            self._vectors = fresh if base == 0 else np.vstack([self._vectors, fresh])
            for offset, text in enumerate(missing):
                self._index[text] = base + offset
            self._dirty = True
        if not texts:
            return np.zeros((0, self._vectors.shape[1] if self._vectors.size else 0), np.float32)
        return self._vectors[[self._index[t] for t in texts]]

    def save(self) -> None:
        if self.path is None or not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        texts = sorted(self._index, key=self._index.__getitem__)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, texts=np.array(texts, dtype=str), vectors=self._vectors)
        tmp.replace(self.path)
        self._dirty = False
