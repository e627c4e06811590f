"""Embedding helpers: normalising, a deterministic fake embedder for unit tests, and a disk cache
for rubric text. The `Embedder` port itself is in `interviewer.core.ports`."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
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


Progress = Callable[[int, int], None]  # (texts embedded so far, texts to embed)


class StatementCache:
    """Embeddings of rubric statements, kept on disk per model: a warm start embeds no rubric.

    The file holds every statement embedded so far; a statement is looked up by its exact text, so an
    edited rubric re-embeds only what changed. Under it lies the shipped layer (`shipped`: built by
    `python -m eval.build_statement_cache` for the project's rubrics), read when it was built by
    this embedder: a fresh user directory then embeds nothing for the shipped rubrics, and the user's
    file only holds what the shipped layer lacks. `progress` hears how a build of many missing
    statements goes, one chunk at a time.
    """

    CHUNK = 64

    def __init__(
        self,
        embedder: Embedder,
        directory: Path | None,
        *,
        shipped: Path | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.embedder = embedder
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", embedder.name)[-80:]
        self.path = directory / f"statements-{safe}.npz" if directory is not None else None
        self.progress = progress
        self._index: dict[str, int] = {}
        self._vectors: Matrix = np.zeros((0, 0), dtype=np.float32)
        self._shipped = 0  # the first rows came from the shipped layer: never written back
        self._dirty = False
        if shipped is not None:
            self._add(*self._read(shipped, model=embedder.name))
            self._shipped = len(self._index)
        if self.path is not None:
            self._add(*self._read(self.path))

    @staticmethod
    def _read(path: Path, model: str | None = None) -> tuple[list[str], Matrix]:
        """A cache file's texts and vectors; nothing when it is absent, damaged or (with `model`)
        built by another model."""
        nothing: tuple[list[str], Matrix] = ([], np.zeros((0, 0), dtype=np.float32))
        if not path.exists():
            return nothing
        try:
            with np.load(path, allow_pickle=False) as data:
                if model is not None and str(data["model"]) != model:
                    return nothing
                texts = [str(t) for t in data["texts"]]
                vectors = data["vectors"].astype(np.float32)
        except Exception:
            return nothing
        if vectors.ndim != 2 or len(texts) != len(vectors) or len(set(texts)) != len(texts):
            return nothing
        return texts, vectors

    def _add(self, texts: list[str], vectors: Matrix) -> None:
        if not texts or (self._index and vectors.shape[1] != self._vectors.shape[1]):
            return
        fresh = [i for i, text in enumerate(texts) if text not in self._index]
        if not fresh:
            return
        base = len(self._index)
        rows = vectors[fresh]
        self._vectors = rows if base == 0 else np.vstack([self._vectors, rows])
        for offset, i in enumerate(fresh):
            self._index[texts[i]] = base + offset

    @property
    def shipped(self) -> int:
        """How many statements the shipped layer gave (0: none, or built by another model)."""
        return self._shipped

    def missing(self, texts: Sequence[str]) -> list[str]:
        """The texts (once each, in order) that `encode` would have to embed."""
        return list(dict.fromkeys(t for t in texts if t not in self._index))

    def _embed(self, texts: list[str]) -> Matrix:
        if self.progress is None or len(texts) <= self.CHUNK:
            return self.embedder.encode(texts)
        parts = []
        self.progress(0, len(texts))
        for start in range(0, len(texts), self.CHUNK):
            parts.append(self.embedder.encode(texts[start : start + self.CHUNK]))
            self.progress(min(start + self.CHUNK, len(texts)), len(texts))
        return np.vstack(parts)

    def encode(self, texts: Sequence[str]) -> Matrix:
        missing = self.missing(texts)
        if missing:
            fresh = self._embed(missing)
            if self._index and fresh.shape[1] != self._vectors.shape[1]:
                # a cache written by another model: start again with every text asked for
                self._index, self._vectors = {}, np.zeros((0, 0), dtype=np.float32)
                self._shipped = 0
                missing = list(dict.fromkeys(texts))
                fresh = self._embed(missing)
            self._add(missing, fresh)
            self._dirty = True
        if not texts:
            return np.zeros((0, self._vectors.shape[1] if self._vectors.size else 0), np.float32)
        return self._vectors[[self._index[t] for t in texts]]

    def texts(self) -> list[str]:
        """Every statement held, shipped ones first, in the order they were added."""
        return sorted(self._index, key=self._index.__getitem__)

    def save(self) -> None:
        """Writes what the shipped layer lacks to the user's file (only when something was added)."""
        if self.path is None or not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        texts = self.texts()[self._shipped :]
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, texts=np.array(texts, dtype=str), vectors=self._vectors[self._shipped :])
        tmp.replace(self.path)
        self._dirty = False
