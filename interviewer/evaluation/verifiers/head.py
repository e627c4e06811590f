"""A small verifier over frozen sentence embeddings: an MLP on the classic pair features.

For a span embedding u and a statement embedding v the features are [u, v, |u - v|, u * v]; one hidden
layer maps them to four relations (supports, contradicts, mentions, unrelated). The weights are a few
hundred kilobytes of numpy arrays, trained in seconds by eval/verifier/train_head.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from interviewer.core.grading.embedding import Matrix
from interviewer.core.ports import Embedder

Floats = npt.NDArray[np.float32]


def pair_features(u: Matrix, v: Matrix) -> Floats:
    return np.hstack([u, v, np.abs(u - v), u * v]).astype(np.float32)


class HeadWeights:
    def __init__(self, layers: list[tuple[Floats, Floats]], mean: Floats, scale: Floats) -> None:
        self.layers = layers
        self.mean = mean
        self.scale = scale

    def probabilities(self, features: Floats) -> Floats:
        x = (features - self.mean) / self.scale
        for index, (weight, bias) in enumerate(self.layers):
            x = x @ weight + bias
            if index < len(self.layers) - 1:
                x = np.maximum(x, 0.0)
        x = x - x.max(axis=1, keepdims=True)
        e = np.exp(x)
        result: Floats = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
        return result

    def save(self, directory: Path, metadata: dict[str, object]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Floats] = {"mean": self.mean, "scale": self.scale}
        for i, (w, b) in enumerate(self.layers):
            arrays[f"w{i}"], arrays[f"b{i}"] = w.astype(np.float16), b.astype(np.float32)
        np.savez_compressed(directory / "head.npz", **arrays)  # type: ignore[arg-type]
        (directory / "training.json").write_text(json.dumps(metadata, indent=2) + "\n")

    @classmethod
    def load(cls, directory: Path) -> HeadWeights:
        with np.load(directory / "head.npz") as data:
            count = sum(1 for key in data.files if key.startswith("w"))
            layers = [
                (data[f"w{i}"].astype(np.float32), data[f"b{i}"].astype(np.float32))
                for i in range(count)
            ]
            return cls(layers, data["mean"].astype(np.float32), data["scale"].astype(np.float32))


class HeadVerifier:
    """The Verifier port over an embedder (statements come from the embedder's cache when warm)."""

    def __init__(self, embedder: Embedder, weights: HeadWeights, name: str = "head") -> None:
        self.embedder = embedder
        self.weights = weights
        self._name = name
        self._memo: dict[str, Floats] = {}

    @property
    def name(self) -> str:
        return self._name

    def _vectors(self, texts: Sequence[str]) -> Matrix:
        missing = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if missing:
            for text, vector in zip(missing, self.embedder.encode(missing), strict=True):
                self._memo[text] = vector
        if len(self._memo) > 50_000:
            self._memo.clear()
        return np.vstack([self._memo[t] for t in texts]) if texts else np.zeros((0, 1), np.float32)

    def judge(self, question: str, pairs: Sequence[tuple[str, str]]) -> Floats:
        del question
        if not pairs:
            return np.zeros((0, 4), dtype=np.float32)
        u = self._vectors([a for a, _ in pairs])
        v = self._vectors([b for _, b in pairs])
        return self.weights.probabilities(pair_features(u, v))
