"""The run-time embedder on onnxruntime: the same vectors as the sentence-transformers model with
our tuned layers, a graph whose weights all come from the two safetensors files, and a `score`
command that never imports torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from interviewer.adapters.embedder import SentenceTransformerEmbedder
from interviewer.adapters.onnx_embedder import (
    GRAPH_FILE,
    TRANSPOSED,
    OnnxEmbedder,
    _external_initializers,
    weight_files,
)
from interviewer.paths import tuned_layers_file

REPO = Path(__file__).resolve().parents[2]
LONG = " ".join(
    f"Shard {i} replicates its log to two followers before it acknowledges a write."
    for i in range(40)
)  # about 600 word pieces: past the model's 256, so truncation must agree too
SENTENCES = [
    "A message queue decouples producers from consumers.",
    "Kafka keeps an ordered, replayable log per partition; RabbitMQ routes and deletes.",
    "CAP: during a network partition you pick consistency or availability.",
    "Write-through caching updates the cache and the database together.",
    "The circuit breaker opens after too many failures and fails fast.",
    "idempotency keys let a retried POST be applied once",
    "ok",
    "",
    "    leading and trailing spaces    ",
    "UPPER CASE SHOUTING ABOUT LOAD BALANCERS!!!",
    "Unicode: naïve café, 東京, emoji 🚀 and a tab\tinside.",
    "x" * 300,
    "The saga pattern replaces a distributed transaction with local steps and compensations.",
    "Consistent hashing moves only K/N keys when a node joins or leaves the ring.",
    "Blue-green swaps all traffic at once; canary shifts a small share first and watches metrics.",
    "Rate limiting with a token bucket allows short bursts up to the bucket size.",
    "I don't know.",
    "Event sourcing stores every change as an event and rebuilds state by replaying them.",
    LONG,
    LONG + " And a different ending that falls beyond the cut, so it must not matter.",
]


@pytest.fixture(scope="module")
def onnx() -> OnnxEmbedder:
    return OnnxEmbedder()


@pytest.fixture(scope="module")
def torch_model() -> Iterator[SentenceTransformerEmbedder]:
    yield SentenceTransformerEmbedder()


def test_the_stripped_graph_takes_every_weight_from_the_two_safetensors_files() -> None:
    wanted = _external_initializers(GRAPH_FILE.read_bytes())
    names = {name.removesuffix(TRANSPOSED) for name in wanted}
    package, layers = (set(load_file(str(p))) for p in weight_files(tuned_layers_file()))
    # each Linear layer's weight is handed over transposed, so onnxruntime needs no copy of it
    assert sum(name.endswith(TRANSPOSED) for name in wanted) == 6 * 6
    assert names <= package | layers
    assert layers <= names  # every tuned tensor is used: none is silently left at the packaged one
    assert "embeddings.word_embeddings.weight" in names
    assert GRAPH_FILE.stat().st_size < 1_000_000  # the graph alone: no weights were committed


@pytest.mark.model
def test_onnx_vectors_match_the_sentence_transformers_ones(
    onnx: OnnxEmbedder, torch_model: SentenceTransformerEmbedder
) -> None:
    ours, theirs = onnx.encode(SENTENCES), torch_model.encode(SENTENCES)
    assert ours.shape == theirs.shape == (len(SENTENCES), 384)
    assert float(np.abs(ours - theirs).max()) < 1e-4
    assert float((ours * theirs).sum(axis=1).min()) > 0.9999
    assert onnx.name == torch_model.name  # so they share the statement cache
    # the text past 256 word pieces is cut off, as sentence-transformers does
    assert float(ours[-1] @ ours[-2]) > 0.9999


@pytest.mark.model
def test_a_batch_gives_the_vectors_each_text_gets_alone(onnx: OnnxEmbedder) -> None:
    together = onnx.encode(SENTENCES)
    alone = np.vstack([onnx.encode([text]) for text in SENTENCES[:6]])
    assert float(np.abs(together[:6] - alone).max()) < 1e-5
    assert onnx.encode([]).shape == (0, 384)


@pytest.mark.model
def test_layers_that_do_not_fit_are_refused_with_the_file_name(tmp_path: Path) -> None:
    wrong = tmp_path / "layers.safetensors"
    save_file({"encoder.layer.0.output.dense.weight": np.zeros((3, 3), np.float16)}, str(wrong))
    with pytest.raises(ValueError, match="do not fit"):
        OnnxEmbedder(layers=wrong).encode(["a"])
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"not a safetensors file")
    with pytest.raises(ValueError, match=r"broken\.safetensors"):
        OnnxEmbedder(layers=broken).encode(["a"])


PROBE = """
import sys
from interviewer.cli import main
code = main(sys.argv[1:])
print("TORCH_LOADED" if any(m == "torch" or m.startswith("torch.") for m in sys.modules) else "NO_TORCH")
print("ST_LOADED" if "sentence_transformers" in sys.modules else "NO_ST")
sys.exit(code)
"""


def score_in_a_fresh_home(
    tmp_path: Path, answer: str, *args: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """`interviewer score ARGS --answer-file F --json` in a new process and a fresh user home,
    with the PROBE's lines (which heavy stacks were imported) at the end of the output lines."""
    answer_file = tmp_path / "answer.txt"
    answer_file.write_text(answer)
    env = dict(os.environ, INTERVIEWER_HOME=str(tmp_path / "fresh"))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "score", *args, "--answer-file", str(answer_file), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done, done.stdout.strip().splitlines()


@pytest.mark.model
def test_score_runs_without_torch_and_a_fresh_home_embeds_no_shipped_statement(
    tmp_path: Path,
) -> None:
    done, lines = score_in_a_fresh_home(
        tmp_path,
        "A circuit breaker opens after repeated failures and fails fast.",
        "-q",
        "circuit-breaker-pattern",
    )
    assert lines[-2:] == ["NO_TORCH", "NO_ST"]
    assert json.loads("\n".join(lines[:-2]))["score"] > 0  # it was scored, and says so
    assert "building the rubric cache" not in done.stderr  # the shipped cache covered it all
    assert not list((tmp_path / "fresh").glob("cache/statements-*.npz"))  # nothing to write
