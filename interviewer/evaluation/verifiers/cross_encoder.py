"""The claim verifier's model: a MiniLM cross-encoder fine-tuned on our claim pairs, on the CPU.

The artifact is small (fp16 weights and a config) and lives in the package; the tokenizer is the
packaged embedding model's, so nothing is downloaded. Loading costs about a second after torch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from interviewer.adapters.embedder import offline_environment, packaged_model_path
from interviewer.paths import shipped_verifier_dir

ARTIFACT = shipped_verifier_dir() / "model"
MAX_LENGTH = 128


def _torch() -> Any:
    import torch

    return torch


class CrossEncoderVerifier:
    """`judge(question, pairs)` -> (n, 4) probabilities: supports, contradicts, mentions, unrelated."""

    def __init__(self, directory: Path = ARTIFACT, *, batch_size: int = 64) -> None:
        self.directory = directory
        self.batch_size = batch_size
        self._model: Any = None
        self._tokenizer: Any = None

    @property
    def name(self) -> str:
        meta = self.directory / "training.json"
        if meta.exists():
            return f"verifier-{json.loads(meta.read_text()).get('data_hash', '?')[:8]}"
        return "verifier"

    @property
    def available(self) -> bool:
        return (self.directory / "model.safetensors").exists()

    def load(self) -> None:
        if self._model is not None:
            return
        offline_environment()
        from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

        torch = _torch()
        config = AutoConfig.from_pretrained(str(self.directory), local_files_only=True)
        model = AutoModelForSequenceClassification.from_config(config)  # type: ignore[no-untyped-call]
        from safetensors.torch import load_file

        state = load_file(str(self.directory / "model.safetensors"))
        model.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
        model.eval()
        self._model = model
        self._tokenizer = AutoTokenizer.from_pretrained(
            str(packaged_model_path()), local_files_only=True
        )
        torch.set_grad_enabled(False)

    def judge(self, question: str, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        del question  # one model for every question; the cross-validated variant routes by it
        if not pairs:
            return np.zeros((0, 4), dtype=np.float32)
        self.load()
        return predict(self._model, self._tokenizer, pairs, self.batch_size)


def predict(
    model: Any, tokenizer: Any, pairs: Sequence[tuple[str, str]], batch_size: int = 64
) -> npt.NDArray[np.float32]:
    torch = _torch()
    order = np.argsort([len(a) + len(b) for a, b in pairs])
    out = np.zeros((len(pairs), 4), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(pairs), batch_size):
            index = order[start : start + batch_size]
            batch = tokenizer(
                [pairs[i][0] for i in index],
                [pairs[i][1] for i in index],
                padding=True,
                truncation=True,
                max_length=MAX_LENGTH,
                return_tensors="pt",
            )
            logits = model(**batch).logits
            out[index] = torch.softmax(logits, dim=-1).numpy()
    return out


def save_artifact(model: Any, directory: Path, metadata: Mapping[str, Any]) -> None:
    """fp16 weights + config + training metadata: about 45 MB for six MiniLM layers."""
    from safetensors.torch import save_file

    directory.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(str(directory))
    state = {k: v.detach().half().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(directory / "model.safetensors"))
    (directory / "training.json").write_text(json.dumps(dict(metadata), indent=2) + "\n")
