"""Batches by length (`length_groups`): every text once, in batches the cost model rates cheapest,
checked against every way of cutting the sorted texts."""

from __future__ import annotations

import itertools
import random

import pytest

from interviewer.adapters.onnx_embedder import RUN_OVERHEAD, length_groups


def cost(lengths: list[int], groups: list[list[int]], overhead: int) -> int:
    return sum(overhead + len(g) * max(lengths[i] for i in g) for g in groups)


def cheapest(lengths: list[int], limit: int, overhead: int) -> int:
    ordered = sorted(lengths)
    best = None
    for cuts in itertools.product([False, True], repeat=len(ordered) - 1):
        groups, start = [], 0
        for end, cut in enumerate([*cuts, True], start=1):
            if cut:
                groups.append(list(range(start, end)))
                start = end
        if all(len(g) <= limit for g in groups):
            total = cost(ordered, groups, overhead)
            best = total if best is None else min(best, total)
    assert best is not None
    return best


def test_an_answer_of_short_and_long_sentences_is_run_in_three_batches() -> None:
    lengths = [33, 11, 25, 11, 35, 16, 26, 11, 31]  # the benchmark's 150-word answer
    groups = length_groups(lengths, 64)
    assert [sorted(lengths[i] for i in g) for g in groups] == [
        [11, 11, 11],
        [16, 25, 26],
        [31, 33, 35],
    ]
    assert cost(lengths, groups, RUN_OVERHEAD) < cost(lengths, [list(range(9))], RUN_OVERHEAD)


def test_the_batches_are_the_cheapest_cut_of_the_sorted_texts() -> None:
    rng = random.Random(7)
    for _ in range(200):
        lengths = [rng.randint(1, 128) for _ in range(rng.randint(1, 9))]
        limit, overhead = rng.randint(1, 5), rng.choice([0, 4, 16, 40])
        groups = length_groups(lengths, limit, overhead)
        assert sorted(i for g in groups for i in g) == list(range(len(lengths)))
        assert all(1 <= len(g) <= limit for g in groups)
        flat = [lengths[i] for g in groups for i in g]
        assert flat == sorted(flat)  # each batch holds neighbours in length
        assert cost(lengths, groups, overhead) == cheapest(lengths, limit, overhead)


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        length_groups([5, 3, 9], 0)


def test_nothing_to_run_gives_no_batch_and_equal_lengths_share_one() -> None:
    assert length_groups([], 32) == []
    assert length_groups([20] * 10, 32) == [list(range(10))]
    assert len(length_groups([20] * 10, 4)) == 3  # as few runs as the limit allows
