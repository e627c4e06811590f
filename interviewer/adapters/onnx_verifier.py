"""The entailment verifier at run time: our NLI cross-encoder over the packaged MiniLM, on onnxruntime.

Imports neither torch nor transformers. The committed graph (`weights/onnx/nli-minilm-l6.onnx`,
written by `python -m eval.export_onnx --verifier`) holds no weights: they come at load time from
the verifier's fp16 `model.safetensors` (trained by `eval/verifier/train_nli.py`) and, for the
word-embedding matrix it does not store, from the package's `model.safetensors`. A pair is
tokenised as the training tokenised it (premise, hypothesis; truncated longest-first to 128 tokens),
and the three NLI probabilities (entailment, neutral, contradiction) are handed to the grader in
the Verifier port's order: supports, contradicts, mentions, unrelated (never, for NLI).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from interviewer.adapters.onnx_embedder import (
    WORD_EMBEDDINGS,  # the package's key; the verifier's graph has "bert." before it
    bert_feeds,
    default_threads,
    new_session,
    package_word_embeddings,
    packaged_tokenizer,
)
from interviewer.paths import shipped_verifier_dir, weights_dir

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

VERIFIER_GRAPH = weights_dir() / "onnx" / "nli-minilm-l6.onnx"
VERIFIER_DIR = shipped_verifier_dir() / "nli"
MAX_LENGTH = 128
LABELS = ("entailment", "neutral", "contradiction")


class OnnxNliVerifier:
    """`judge(question, pairs)` -> (n, 4): supports, contradicts, mentions, unrelated. Loads lazily."""

    def __init__(
        self,
        directory: Path = VERIFIER_DIR,
        *,
        graph: Path = VERIFIER_GRAPH,
        batch_size: int = 32,
        threads: int | None = None,
    ) -> None:
        self.directory = directory
        self.graph = graph
        self.batch_size = batch_size
        self.threads = threads or default_threads()
        self._session: onnxruntime.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._weights: list[Any] = []

    @property
    def available(self) -> bool:
        return (self.directory / "model.safetensors").is_file() and self.graph.is_file()

    @property
    def name(self) -> str:
        meta = self.directory / "training.json"
        try:
            seed = json.loads(meta.read_text(encoding="utf-8")).get("seed", "?")
        except (OSError, ValueError, AttributeError):
            seed = "?"
        where = "" if self.directory == VERIFIER_DIR else f"-{self.directory.name}"
        return f"nli-minilm-l6{where}-s{seed}"

    def load(self) -> onnxruntime.InferenceSession:
        if self._session is None:
            self._tokenizer = packaged_tokenizer(MAX_LENGTH)  # as in training
            self._session = new_session(self.graph, self._tensors, self.threads, self._weights)
        return self._session

    def _tensors(self) -> dict[str, Any]:
        from safetensors.numpy import load_file

        path = self.directory / "model.safetensors"
        try:
            tensors: dict[str, Any] = dict(load_file(str(path)))
        except Exception as error:
            raise ValueError(f"{path}: not a readable weights file ({error})") from error
        tensors[f"bert.{WORD_EMBEDDINGS}"] = package_word_embeddings()  # the embedder's copy
        return tensors

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        """(premise, hypothesis) -> (n, 3) in LABELS order; a pair asked twice in one call is run once."""
        out = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
        distinct = sorted(set(pairs), key=lambda p: len(p[0]) + len(p[1]))
        if not distinct:
            return out
        session = self.load()
        assert self._tokenizer is not None
        found: dict[tuple[str, str], npt.NDArray[np.float32]] = {}
        for start in range(0, len(distinct), self.batch_size):
            chunk = distinct[start : start + self.batch_size]
            feeds = bert_feeds(self._tokenizer.encode_batch(chunk))
            logits = np.asarray(session.run(["logits"], feeds)[0], dtype=np.float32)
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            probs /= probs.sum(axis=1, keepdims=True)
            found.update(zip(chunk, probs, strict=True))
        for i, pair in enumerate(pairs):
            out[i] = found[pair]
        return out

    def judge(self, question: str, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        del question  # one model for every question
        probs = self.probabilities(pairs)
        out = np.zeros((len(pairs), 4), dtype=np.float32)
        out[:, 0], out[:, 1], out[:, 2] = probs[:, 0], probs[:, 2], probs[:, 1]
        return out
