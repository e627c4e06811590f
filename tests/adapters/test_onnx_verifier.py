"""The run-time entailment verifier on onnxruntime: the fp32 graph gives the same probabilities as
the trained torch classifier from the verifier's and the package's safetensors; the shipped int8
model holds only our weights and stays close to the fp32 graph; the grader uses it by default (with
the verifier map) without importing torch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from interviewer.adapters.onnx_embedder import TRANSPOSED, WORD_EMBEDDINGS, _external_initializers
from interviewer.adapters.onnx_verifier import (
    VERIFIER_DIR,
    VERIFIER_GRAPH,
    VERIFIER_INT8,
    OnnxNliVerifier,
)
from interviewer.paths import Paths
from interviewer.wiring import build_grader, load_context
from tests.adapters.test_onnx_embedder import score_in_a_fresh_home

PAIRS = [
    (
        "Write-through writes to the cache and the database at the same time.",
        "Write-through updates the cache and the backing store synchronously.",
    ),
    (
        "Write-back writes to the database first and the cache later.",
        "Write-back writes to the cache and defers the database write.",
    ),
    ("A circuit breaker opens after repeated failures.", "The breaker opens past a threshold."),
    ("Kubernetes is a container orchestrator.", "A pod can hold several containers."),
    ("", "An empty premise still gets probabilities."),
    (" ".join(["shard"] * 400), "A premise far past 128 word pieces is cut, longest first."),
]


def test_the_stripped_graph_takes_every_weight_from_the_two_safetensors_files() -> None:
    names = {
        n.removesuffix(TRANSPOSED) for n in _external_initializers(VERIFIER_GRAPH.read_bytes())
    }
    ours = set(load_file(str(VERIFIER_DIR / "model.safetensors")))
    assert names == ours | {f"bert.{WORD_EMBEDDINGS}"}  # every trained tensor, and only those
    assert VERIFIER_GRAPH.stat().st_size < 1_000_000  # the graph alone: no weights committed
    assert (VERIFIER_DIR / "model.safetensors").stat().st_size < 25_000_000  # fp16, no vocabulary


def test_the_int8_model_holds_our_weights_and_takes_only_the_vocabulary_at_load_time() -> None:
    assert _external_initializers(VERIFIER_INT8.read_bytes()) == {f"bert.{WORD_EMBEDDINGS}"}
    assert VERIFIER_INT8.stat().st_size < 13_000_000  # int8: about half the fp16 file
    shipped = OnnxNliVerifier()
    assert shipped.int8 and shipped.graph == VERIFIER_INT8 and shipped.available
    assert shipped.name == "nli-minilm-l6-s13-int8"
    # another folder's weights are not in the int8 model: it runs on the fp32 graph
    assert OnnxNliVerifier(Path("elsewhere")).graph == VERIFIER_GRAPH


def test_the_int8_model_was_made_from_the_committed_weights() -> None:
    """Retraining the verifier without `python -m eval.export_onnx --verifier --int8` fails here."""
    import hashlib

    import onnx

    from eval.export_onnx import WEIGHTS_SHA256

    model = onnx.load(str(VERIFIER_INT8), load_external_data=False)
    recorded = {p.key: p.value for p in model.metadata_props}
    weights = (VERIFIER_DIR / "model.safetensors").read_bytes()
    assert recorded[WEIGHTS_SHA256] == hashlib.sha256(weights).hexdigest()


def test_the_int8_model_is_refused_with_another_verifiers_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="holds the shipped verifier's weights"):
        OnnxNliVerifier(tmp_path, graph=VERIFIER_INT8)
    spelt_otherwise = OnnxNliVerifier(VERIFIER_DIR / ".." / "nli")  # the same folder
    assert spelt_otherwise.shipped and spelt_otherwise.int8 and spelt_otherwise.batch_size == 1


@pytest.mark.model
def test_the_int8_model_agrees_with_the_fp32_graph_of_the_committed_weights() -> None:
    """A stale int8 model (the verifier retrained, `eval.export_onnx --verifier --int8` not run)
    would disagree far beyond quantisation noise. Pairs: the fixed ones, and each shipped rubric's
    first evidence statement against its own second (entailing) and another rubric's (neutral)."""
    from interviewer.core.rubric.loading import load_rubric, rubric_files
    from interviewer.paths import checkout_dir

    firsts = [
        kp.evidence[:2]
        for path in rubric_files([checkout_dir() / "rubrics"])
        for kp in load_rubric(path).key_points
        if len(kp.evidence) >= 2
    ][:40]
    pairs = (
        PAIRS
        + [(a, b) for a, b in firsts]
        + [(a[0], b[1]) for a, b in zip(firsts, firsts[1:] + firsts[:1], strict=True)]
    )
    int8 = OnnxNliVerifier().probabilities(pairs)
    fp32 = OnnxNliVerifier(graph=VERIFIER_GRAPH).probabilities(pairs)
    difference = np.abs(int8 - fp32)
    assert float(difference.mean()) < 0.03 and float(difference.max()) < 0.25
    sure = fp32.max(axis=1) > 0.6
    assert sure.sum() >= 20
    assert np.mean(int8[sure].argmax(axis=1) == fp32[sure].argmax(axis=1)) >= 0.95


@pytest.mark.model
def test_a_pairs_probabilities_do_not_depend_on_the_pairs_scored_with_it() -> None:
    """The int8 model quantises a run's activations with one scale, so it runs pairs one at a
    time: an answer scored alone, in `eval` or in a batch gets the same verifier reading."""
    verifier = OnnxNliVerifier()
    together = verifier.probabilities(PAIRS)
    alone = np.vstack([verifier.probabilities([pair]) for pair in PAIRS])
    assert float(np.abs(together - alone).max()) < 1e-6
    assert float(np.abs(verifier.probabilities(PAIRS[::-1])[::-1] - together).max()) < 1e-6


@pytest.mark.model
def test_onnx_probabilities_match_the_torch_classifier() -> None:
    from eval.verifier.nli_common import load_artifact, predict

    model, tokenizer = load_artifact(VERIFIER_DIR)
    theirs = predict(model, tokenizer, PAIRS)
    verifier = OnnxNliVerifier(graph=VERIFIER_GRAPH)
    ours = verifier.probabilities(PAIRS)
    assert ours.shape == (len(PAIRS), 3)
    assert float(np.abs(ours - theirs).max()) < 1e-4
    assert np.allclose(ours.sum(axis=1), 1.0, atol=1e-5)
    # the port's order: supports, contradicts, mentions, unrelated (never, for NLI)
    judged = verifier.judge("any", PAIRS)
    assert np.array_equal(judged[:, :3], ours[:, [0, 2, 1]])
    assert not judged[:, 3].any()
    assert verifier.judge("any", []).shape == (0, 4)
    # the swapped definition reads as a contradiction, the paraphrase as entailment
    assert ours[1, 2] > ours[1, 0] and ours[0, 0] > ours[0, 2]


@pytest.mark.model
def test_a_verifier_folder_with_broken_weights_is_refused_with_the_file_name(
    tmp_path: Path,
) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ValueError, match=r"model\.safetensors"):
        OnnxNliVerifier(tmp_path).judge("q", PAIRS[:1])


def test_the_grader_uses_the_shipped_verifier_where_its_map_ships_unless_told_not_to(
    tmp_path: Path,
) -> None:
    paths = Paths(tmp_path)
    context = load_context(paths)
    assert context.verifier_params is not None and context.verifier_params.uses_verifier
    grader = build_grader(context, paths=paths)  # the default
    assert isinstance(grader.verifier, OnnxNliVerifier)
    assert grader.params == context.verifier_params
    alone = build_grader(context, paths=paths, use_verifier=False)
    assert alone.verifier is None and alone.params == context.params
    (tmp_path / "rubrics").mkdir()
    no_map = load_context(paths, rubrics_dir=tmp_path / "rubrics")
    assert build_grader(no_map, paths=paths, use_verifier=True).verifier is None


@pytest.mark.model
def test_score_judges_with_the_verifier_without_torch_unless_told_not_to(tmp_path: Path) -> None:
    answer = (
        "Write-back writes to the database first and updates the cache later. "
        "Write-through only writes the cache."
    )
    args = ("-q", "caching-strategies")
    _, lines = score_in_a_fresh_home(tmp_path, answer, *args)
    assert lines[-2:] == ["NO_TORCH", "NO_ST"]
    verified = json.loads("\n".join(lines[:-2]))
    judged = [kp["judgement"] for kp in verified["key_points"] if kp["judgement"] is not None]
    assert judged and set(judged) <= {"supports", "contradicts", "mentions"}
    _, lines = score_in_a_fresh_home(tmp_path, answer, *args, "--no-verifier")
    plain = json.loads("\n".join(lines[:-2]))
    assert all(kp["judgement"] is None for kp in plain["key_points"])  # similarity alone
    assert verified["score"] != plain["score"]  # the verifier map scored the verified one
