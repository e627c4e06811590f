"""Build the shipped rubric statement cache: every statement of the project's rubrics, embedded.

    .venv/bin/python -m eval.build_statement_cache          # (re)writes interviewer/weights/statements/
    .venv/bin/python -m eval.build_statement_cache --check  # exits 1 when it is out of date

The file is the base layer of `StatementCache`, so a fresh user directory embeds nothing for the
shipped rubrics. It holds each statement's exact text (the key: an edited statement is simply
missing), the run-time embedder's name (the packaged model's version and a digest of our tuned
layers: another model never reads it) and the vectors in float32: in float16 (half the size)
`interviewer eval` moved in the third decimal (MAE 1.617 -> 1.618, kp AUC 0.8116 -> 0.8119), so
the shipped layer would not score exactly as a user's own cache does. Only what is missing is
embedded (the vectors kept are the file's own); statements no rubric uses any more are dropped.

`--check` needs no model: it lists the statements the grader would embed for the shipped rubrics
(a grader over a recording embedder) and compares them and the model name with the file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from interviewer.core.grading.embedding import HashingEmbedder, Matrix
from interviewer.core.ports import Embedder
from interviewer.paths import Paths, shipped_statements_file, tuned_layers_file

REBUILD = "python -m eval.build_statement_cache"


class _Recording:
    """Remembers what it was asked to embed; the vectors are the hashing fake's."""

    def __init__(self) -> None:
        self.inner = HashingEmbedder()
        self.texts: list[str] = []

    @property
    def name(self) -> str:
        return "recording"

    def encode(self, texts: Sequence[str]) -> Matrix:
        self.texts += texts
        return self.inner.encode(texts)


def needed_statements() -> list[str]:
    """Every text the grader embeds to prepare the project's rubrics (prompts included), sorted."""
    from interviewer.core.grading.grader import Grader
    from interviewer.wiring import load_context

    recording = _Recording()
    with tempfile.TemporaryDirectory() as tmp:  # an empty home: no user bank or rubric
        paths = Paths(Path(tmp))
        context = load_context(paths, rubrics_dir=paths.project_rubrics)
    rubrics = context.rubrics.rubrics
    Grader(recording, rubrics, context.prompts(), context.params).warm_up(sorted(rubrics))
    return sorted(set(recording.texts))


def model_name() -> str:
    from interviewer.adapters.embedder import packaged_name

    return packaged_name(tuned_layers_file())


def read(path: Path) -> tuple[str, list[str], Matrix]:
    if not path.exists():
        return "", [], np.zeros((0, 0), np.float32)
    with np.load(path, allow_pickle=False) as data:
        return str(data["model"]), [str(t) for t in data["texts"]], data["vectors"]


def stale(path: Path) -> str | None:
    """Why the shipped file does not fit the shipped rubrics and model; None when it does."""
    model, texts, _ = read(path)
    if not texts:
        return f"{path} is missing"
    if model != model_name():
        return f"{path} was built by {model}, the run-time model is {model_name()}"
    needed = needed_statements()
    lacking = sorted(set(needed) - set(texts))
    if lacking:
        return f"{path} lacks {len(lacking)} statement(s) of the rubrics, e.g. {lacking[0]!r}"
    if len(texts) != len(needed):
        return f"{path} holds {len(texts) - len(needed)} statement(s) no rubric uses"
    return None


def build(path: Path, embedder: Embedder | None = None) -> tuple[int, int]:
    """Writes the file; returns (statements, how many were embedded now)."""
    if embedder is None:
        from interviewer.adapters.onnx_embedder import OnnxEmbedder

        embedder = OnnxEmbedder()
    needed = needed_statements()
    model, texts, vectors = read(path)
    known = dict(zip(texts, vectors, strict=True)) if model == embedder.name else {}
    missing = [t for t in needed if t not in known]
    if missing:
        fresh = embedder.encode(missing).astype(np.float32)
        known.update(zip(missing, fresh, strict=True))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        model=np.array(embedder.name),
        texts=np.array(needed, dtype=str),
        vectors=np.vstack([known[t] for t in needed]).astype(np.float32),
    )
    return len(needed), len(missing)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=shipped_statements_file())
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    args = parser.parse_args()
    if args.check:
        reason = stale(args.out)
        print(f"{reason}: run {REBUILD}" if reason else f"{args.out}: up to date")
        return 1 if reason else 0
    total, embedded = build(args.out)
    size = args.out.stat().st_size / 1024
    print(f"wrote {args.out}: {total} statements, {embedded} embedded now, {size:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
