"""Load a verifier from a folder for `interviewer eval` and `tune`: an embedding head, a
cross-encoder (NLI or claims), or per-fold models for cross-validation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from interviewer.core.ports import Embedder, Verifier
from interviewer.evaluation.verifiers.head import HeadVerifier, HeadWeights


class FoldedVerifier:
    """Cross-validation: each question is judged by a verifier trained without its claims."""

    def __init__(self, folds: dict[str, Verifier]) -> None:
        self.folds = folds

    @property
    def name(self) -> str:
        return "verifier-cv"

    def judge(self, question: str, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        return self.folds[question].judge(question, pairs)


def load_verifier(directory: Path, embedder: Embedder) -> Verifier:
    """A verifier from a folder: an embedding head, a cross-encoder, or per-fold ones (folds.json)."""
    if (directory / "folds.json").exists():
        assignment: dict[str, int] = json.loads((directory / "folds.json").read_text())
        models: dict[int, Verifier] = {}
        for fold in set(assignment.values()):
            models[fold] = load_verifier(directory / f"fold{fold}", embedder)
        return FoldedVerifier({q: models[f] for q, f in assignment.items()})
    if _is_nli(directory):
        from interviewer.adapters.onnx_verifier import OnnxNliVerifier

        return OnnxNliVerifier(directory)
    if (directory / "head.npz").exists():
        meta = json.loads((directory / "training.json").read_text())
        name = f"head-{str(meta.get('data_hash', ''))[:8]}"
        return HeadVerifier(embedder, HeadWeights.load(directory), name)
    from interviewer.evaluation.verifiers.cross_encoder import CrossEncoderVerifier

    return CrossEncoderVerifier(directory)


def _is_nli(directory: Path) -> bool:
    """An entailment cross-encoder (eval/verifier/train_nli.py): three NLI labels in its config."""
    try:
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    labels = config.get("id2label") if isinstance(config, dict) else None
    return isinstance(labels, dict) and set(labels.values()) == {
        "entailment",
        "neutral",
        "contradiction",
    }


def default_verifier(embedder: Embedder) -> Verifier | None:
    """The shipped verifier, when its files are present (the run-time grader's own)."""
    del embedder  # the shipped verifier is a cross-encoder: it embeds nothing
    from interviewer.wiring import default_verifier as shipped

    return shipped()
