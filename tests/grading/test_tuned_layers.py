"""Our tuned transformer layers over the packaged model: they load offline, name their own cache,
refuse a file that does not fit, and pull a swapped statement away from the right one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from interviewer.adapters.embedder import TUNED_LAYERS, SentenceTransformerEmbedder, load_layers

pytestmark = pytest.mark.model

# (rubric-like statement, the same said right in other words, the same with its roles swapped);
# written for this test, not taken from the training claims or the labelled answers
PROBES = [
    (
        "Write-through confirms a write only after both the cache and the database hold it.",
        "With write-through the caller waits until the cache and the DB have both been updated.",
        "With write-back the caller waits until the cache and the DB have both been updated.",
    ),
    (
        "An open circuit breaker fails calls fast without contacting the dependency.",
        "While the breaker is open, requests are refused at once and never reach the remote service.",
        "While the breaker is closed, requests are refused at once and never reach the remote service.",
    ),
    (
        "Vertical scaling means giving one machine more CPU and memory.",
        "Scaling up is buying a bigger box: more cores and RAM on the same server.",
        "Scaling out is buying a bigger box: more cores and RAM on the same server.",
    ),
    (
        "A canary release sends a small share of real traffic to the new version first.",
        "With a canary only a few percent of users hit the new build before it is widened.",
        "With blue-green only a few percent of users hit the new build before it is widened.",
    ),
    (
        "The token bucket allows short bursts up to the bucket size.",
        "A token bucket lets a burst through as long as tokens are left in it.",
        "A leaky bucket lets a burst through as long as tokens are left in it.",
    ),
    (
        "In CQRS, commands change state and queries only read it.",
        "Commands are the writes that mutate data; queries return data and never modify it.",
        "Queries are the writes that mutate data; commands return data and never modify it.",
    ),
]


@pytest.fixture(scope="module")
def plain() -> SentenceTransformerEmbedder:
    embedder = SentenceTransformerEmbedder(plain=True)
    embedder.load()
    return embedder


@pytest.fixture(scope="module")
def tuned() -> Iterator[SentenceTransformerEmbedder]:
    if not TUNED_LAYERS.exists():
        pytest.fail(f"the shipped tuned layers are missing: {TUNED_LAYERS}")
    embedder = SentenceTransformerEmbedder()
    embedder.load()
    yield embedder


def _margins(embedder: SentenceTransformerEmbedder) -> list[float]:
    out = []
    for statement, right, swapped in PROBES:
        s, r, w = embedder.encode([statement, right, swapped])
        out.append(float(s @ r - s @ w))
    return out


def test_the_shipped_layers_load_offline_and_name_their_cache(
    plain: SentenceTransformerEmbedder, tuned: SentenceTransformerEmbedder
) -> None:
    assert tuned.layers == TUNED_LAYERS and plain.layers is None
    assert "+contrast-" in tuned.name and plain.name != tuned.name  # separate statement caches
    text = ["Write-back acknowledges after the cache write and flushes later."]
    assert not np.allclose(tuned.encode(text), plain.encode(text))
    assert SentenceTransformerEmbedder(str(Path("/nonexistent"))).layers is None


def test_a_layers_file_that_does_not_fit_is_refused_by_name(
    plain: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    import torch
    from safetensors.torch import save_file

    wrong = tmp_path / "layers.safetensors"
    save_file({"encoder.layer.0.output.dense.weight": torch.zeros(3, 3)}, str(wrong))
    with pytest.raises(ValueError, match="layers do not fit") as raised:
        load_layers(plain.load(), wrong)
    assert str(wrong) in str(raised.value)
    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(b"not a tensor file")
    with pytest.raises(ValueError, match="not a readable layers file"):
        load_layers(plain.load(), garbage)


def test_tuned_layers_pull_a_swapped_statement_away_from_the_right_one(
    plain: SentenceTransformerEmbedder, tuned: SentenceTransformerEmbedder
) -> None:
    """Margin = similarity to the right paraphrase minus to the swapped one, on probes no model saw."""
    before, after = _margins(plain), _margins(tuned)
    message = f"plain {np.round(before, 3).tolist()} tuned {np.round(after, 3).tolist()}"
    assert np.mean(after) > np.mean(before), message
    assert sum(a > b for a, b in zip(after, before, strict=True)) >= 4, message
