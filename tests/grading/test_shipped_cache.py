"""The shipped rubric statement cache: the base layer under the user's cache, read only when it was
built by the same model, never written back, and kept up to date with rubrics/ (CI fails with the
command that rebuilds it)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from eval.build_statement_cache import REBUILD, build, needed_statements, stale
from interviewer.core.grading.embedding import HashingEmbedder, StatementCache
from interviewer.paths import shipped_statements_file
from tests.grading.conftest import BURSTS, KEYS, REJECTS, TOKENS, CountingEmbedder


def shipped_file(path: Path, texts: list[str], model: str = "hashing-256") -> Path:
    vectors = HashingEmbedder().encode(texts)
    np.savez(path, model=np.array(model), texts=np.array(texts, dtype=str), vectors=vectors)
    return path


def test_a_fresh_user_cache_embeds_nothing_the_shipped_layer_holds(tmp_path: Path) -> None:
    shipped = shipped_file(tmp_path / "shipped.npz", [TOKENS, BURSTS])
    counting = CountingEmbedder()
    cache = StatementCache(counting, tmp_path / "user", shipped=shipped)
    vectors = cache.encode([BURSTS, TOKENS, REJECTS])
    assert counting.calls == [[REJECTS]]
    assert np.allclose(vectors, HashingEmbedder().encode([BURSTS, TOKENS, REJECTS]))
    assert cache.shipped == 2


def test_the_user_file_holds_only_what_the_shipped_layer_lacks(tmp_path: Path) -> None:
    shipped = shipped_file(tmp_path / "shipped.npz", [TOKENS, BURSTS])
    cache = StatementCache(CountingEmbedder(), tmp_path / "user", shipped=shipped)
    cache.save()  # nothing new: nothing written
    assert cache.path is not None and not cache.path.exists()
    cache.encode([TOKENS, REJECTS])
    cache.save()
    with np.load(cache.path) as data:
        assert [str(t) for t in data["texts"]] == [REJECTS]
    again = CountingEmbedder()
    StatementCache(again, tmp_path / "user", shipped=shipped).encode([TOKENS, BURSTS, REJECTS])
    assert again.calls == []


def test_a_shipped_layer_built_by_another_model_is_not_read(tmp_path: Path) -> None:
    shipped = shipped_file(tmp_path / "shipped.npz", [TOKENS], model="some-other-model")
    counting = CountingEmbedder()
    cache = StatementCache(counting, None, shipped=shipped)
    cache.encode([TOKENS])
    assert cache.shipped == 0 and counting.calls == [[TOKENS]]
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(b"PK\x03\x04 not really")
    assert StatementCache(CountingEmbedder(), None, shipped=damaged).shipped == 0


def test_a_long_build_reports_its_progress_chunk_by_chunk(tmp_path: Path) -> None:
    heard: list[tuple[int, int]] = []
    cache = StatementCache(CountingEmbedder(), None, progress=lambda d, t: heard.append((d, t)))
    texts = [f"statement number {i}" for i in range(StatementCache.CHUNK * 2 + 5)]
    cache.encode(texts)
    total = len(texts)
    assert heard == [(0, total), (64, total), (128, total), (total, total)]
    cache.encode([KEYS])  # one missing statement: no progress to tell
    assert len(heard) == 4


def test_the_build_script_embeds_only_what_is_missing(tmp_path: Path) -> None:
    out = tmp_path / "rubrics.npz"
    first = CountingEmbedder()
    total, embedded = build(out, first)
    assert total == embedded == len(needed_statements()) > 100
    second = CountingEmbedder()
    assert build(out, second) == (total, 0) and second.calls == []


def test_the_shipped_cache_is_up_to_date_with_the_rubrics() -> None:
    reason = stale(shipped_statements_file())
    assert reason is None, f"{reason}: run {REBUILD}"
