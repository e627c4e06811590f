"""Training pairs for the claim verifier: which sentence meets which evidence statement."""

from __future__ import annotations

from collections.abc import Sequence

from eval.verifier.pairs import Relation, build_pairs, data_hash
from interviewer.core.grading.embedding import HashingEmbedder, Matrix
from interviewer.core.rubric.schema import KeyPointRubric, Rubric

EVIDENCE = [
    "write-through acknowledges the write after both the cache and the database are updated",
    "write-back acknowledges after the cache write and flushes to the database later",
    "write-around sends writes straight to the database and skips the cache",
]


def _rubrics() -> dict[str, Rubric]:
    point = KeyPointRubric(
        label="Knows the write policies",
        evidence=EVIDENCE,
        mistakes=["write-back writes the database first and the cache later"],
        mentions=["there are several write policies"],
    )
    other = KeyPointRubric(
        label="Other", evidence=["a load balancer spreads requests over servers"]
    )
    return {
        "caching": Rubric(question="caching", key_points=[point]),
        "balancing": Rubric(question="balancing", key_points=[other]),
    }


CLAIMS = {
    "caching": [
        {
            "supports": ["write-around: writes go to the database, the cache skips them"],
            "contradicts": [
                "write-through acknowledges once the cache is updated, the database later"
            ],
        }
    ]
}


def test_closest_pairing_meets_the_nearest_statements_and_never_itself() -> None:
    encode = HashingEmbedder().encode
    pairs = build_pairs(_rubrics(), CLAIMS, ["caching"], per_sentence=1, encode=encode)
    by_sentence = {p.sentence: p for p in pairs if p.question == "caching"}
    support = by_sentence["write-around: writes go to the database, the cache skips them"]
    assert support.statement == EVIDENCE[2]
    assert support.relation is Relation.SUPPORTS
    wrong = by_sentence["write-through acknowledges once the cache is updated, the database later"]
    assert wrong.relation is Relation.CONTRADICTS
    assert wrong.statement == EVIDENCE[0]
    assert all(p.sentence != p.statement for p in pairs)


def test_pairs_are_deterministic_and_named_by_content() -> None:
    encode = HashingEmbedder().encode
    first = build_pairs(_rubrics(), CLAIMS, ["caching", "balancing"], seed=3, encode=encode)
    again = build_pairs(_rubrics(), CLAIMS, ["balancing", "caching"], seed=3, encode=encode)
    assert first == again
    assert data_hash(first) == data_hash(list(reversed(first)))
    relations = {p.relation for p in first}
    assert relations == set(Relation)


def test_memoised_encode_embeds_each_text_once_and_keeps_the_order() -> None:
    from eval.verifier.pairs import memoised

    calls: list[list[str]] = []
    embedder = HashingEmbedder()

    def counting(texts: Sequence[str]) -> Matrix:
        calls.append(list(texts))
        return embedder.encode(texts)

    encode = memoised(counting)
    first = encode(["a b", "c d", "a b"])
    second = encode(["c d", "e f"])
    assert calls == [["a b", "c d"], ["e f"]]
    assert (first[0] == first[2]).all() and (second[0] == first[1]).all()
    assert (second == embedder.encode(["c d", "e f"])).all()
