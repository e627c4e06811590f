"""The entailment verifier at run time: our NLI cross-encoder over the packaged MiniLM, on onnxruntime.

Imports neither torch nor transformers. Two graphs of the same model:

- `weights/onnx/nli-minilm-l6-int8.onnx`, the one the product runs (`python -m eval.export_onnx
  --verifier --int8`): fused and quantised to int8, about twice as fast, with our trained weights
  inside; only the word-embedding matrix comes at load time, the package's (shared with the
  embedder);
- `weights/onnx/nli-minilm-l6.onnx` (`--verifier`), fp32, which holds no weights: they come at load
  time from the verifier's fp16 `model.safetensors` (trained by `eval/verifier/train_nli.py`) and the
  package's word embeddings. It is the reference the int8 model is checked against, and what a
  verifier folder other than the shipped one (an experiment's artifact) runs on.

A pair is
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
    length_groups,
    new_session,
    package_word_embeddings,
    packaged_tokenizer,
)
from interviewer.paths import shipped_verifier_dir, weights_dir

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

VERIFIER_GRAPH = weights_dir() / "onnx" / "nli-minilm-l6.onnx"
VERIFIER_INT8 = weights_dir() / "onnx" / "nli-minilm-l6-int8.onnx"
VERIFIER_DIR = shipped_verifier_dir() / "nli"
MAX_LENGTH = 128
LABELS = ("entailment", "neutral", "contradiction")


class OnnxNliVerifier:
    """`judge(question, pairs)` -> (n, 4): supports, contradicts, mentions, unrelated. Loads lazily."""

    def __init__(
        self,
        directory: Path = VERIFIER_DIR,
        *,
        graph: Path | None = None,
        batch_size: int | None = None,
        threads: int | None = None,
    ) -> None:
        self.directory = directory
        if graph is None:  # the int8 model holds the shipped weights: for the shipped folder only
            graph = VERIFIER_INT8 if self.shipped and VERIFIER_INT8.is_file() else VERIFIER_GRAPH
        self.graph = graph
        if self.int8 and not self.shipped:
            raise ValueError(f"{graph} holds the shipped verifier's weights, not {directory}'s")
        # int8 quantises each run's activations with one scale for the whole batch, so a pair's
        # probabilities would depend on the pairs beside it (measured: up to 0.19, the label of 7%
        # of pairs): it runs one pair at a time, as deterministic as fp32 (+2 ms an answer)
        self.batch_size = batch_size or (1 if self.int8 else 32)
        self.threads = threads or default_threads()
        self._session: onnxruntime.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._weights: list[Any] = []

    @property
    def shipped(self) -> bool:
        """Whether this is the shipped verifier's folder (however the path is spelt)."""
        return self.directory.resolve() == VERIFIER_DIR.resolve()

    @property
    def int8(self) -> bool:
        """Whether it runs the shipped int8 model (the file `eval.export_onnx --verifier --int8`
        writes; a copy elsewhere is run as a plain graph would be)."""
        return self.graph.resolve() == VERIFIER_INT8.resolve()

    @property
    def size_mb(self) -> float:
        """The weights it loads from this repository (the package's vocabulary aside)."""
        path = self.graph if self.int8 else self.directory / "model.safetensors"
        return path.stat().st_size / 1e6

    @property
    def available(self) -> bool:
        weights = self.int8 or (self.directory / "model.safetensors").is_file()
        return weights and self.graph.is_file()

    @property
    def name(self) -> str:
        meta = self.directory / "training.json"
        try:
            seed = json.loads(meta.read_text(encoding="utf-8")).get("seed", "?")
        except (OSError, ValueError, AttributeError):
            seed = "?"
        where = "" if self.shipped else f"-{self.directory.name}"
        return f"nli-minilm-l6{where}-s{seed}{'-int8' if self.int8 else ''}"

    def load(self) -> onnxruntime.InferenceSession:
        if self._session is None:
            self._tokenizer = packaged_tokenizer(MAX_LENGTH)  # as in training
            self._session = new_session(self.graph, self._tensors, self.threads, self._weights)
        return self._session

    def _tensors(self, wanted: set[str] | None = None) -> dict[str, Any]:
        """The graph's stripped weights (all of them when `wanted` is None): the int8 model wants
        only the vocabulary, so the fp16 file is read only for the fp32 graph."""
        from safetensors.numpy import load_file

        vocabulary = f"bert.{WORD_EMBEDDINGS}"
        tensors: dict[str, Any] = {}
        if wanted is None or wanted - {vocabulary}:
            path = self.directory / "model.safetensors"
            try:
                tensors.update(load_file(str(path)))
            except Exception as error:
                raise ValueError(f"{path}: not a readable weights file ({error})") from error
        tensors[vocabulary] = package_word_embeddings()  # the embedder's copy
        return tensors

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        """(premise, hypothesis) -> (n, 3) in LABELS order; a pair asked twice in one call is run once."""
        out = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
        distinct = list(dict.fromkeys(pairs))
        if not distinct:
            return out
        session = self.load()
        assert self._tokenizer is not None
        encodings = self._tokenizer.encode_batch(distinct)
        found: dict[tuple[str, str], npt.NDArray[np.float32]] = {}
        for rows in length_groups([len(e.ids) for e in encodings], self.batch_size):
            feeds = bert_feeds([encodings[i] for i in rows])
            logits = np.asarray(session.run(["logits"], feeds)[0], dtype=np.float32)
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            probs /= probs.sum(axis=1, keepdims=True)
            found.update(zip((distinct[i] for i in rows), probs, strict=True))
        for i, pair in enumerate(pairs):
            out[i] = found[pair]
        return out

    def judge(self, question: str, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        del question  # one model for every question
        probs = self.probabilities(pairs)
        out = np.zeros((len(pairs), 4), dtype=np.float32)
        out[:, 0], out[:, 1], out[:, 2] = probs[:, 0], probs[:, 2], probs[:, 1]
        return out
