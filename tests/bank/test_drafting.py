"""Rubric drafting from a question's key points and model answer: the splitting and mistake rules,
on the bag-of-words embedder (no claim about grading quality here; see tests/grading)."""

from __future__ import annotations

from pathlib import Path

from interviewer.core.bank.schema import Difficulty, Question
from interviewer.core.grading.embedding import HashingEmbedder
from interviewer.core.rubric.contrasts import inverted, swapped, table_groups, title_groups
from interviewer.core.rubric.drafting import (
    DRAFT_HEADER,
    draft_rubric,
    label_terms,
    mentions_for,
    rubric_yaml,
)
from interviewer.core.rubric.loading import check_against_question, load_rubric
from interviewer.core.rubric.schema import MAX_RUBRIC_STATEMENTS
from interviewer.core.rubric.statements import MAX_WORDS, MIN_WORDS, split_statements, words

ANSWER = """**Token Bucket:**

Bucket fills with tokens at a fixed rate\\
Each request consumes a token\\
No token → Request rejected

```text
┌─────────────┐
│ ●●●●○○○○○○ │
└─────────────┘
```

```python
# refill the bucket before every check so idle time earns tokens
def allow(self):
    self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
```

**Comparison:**

| Aspect | Token Bucket | Leaky Bucket |
|---|---|---|
| Bursts | Allows | Smooths |
| Output rate | Variable | Constant |

The leaky bucket drains requests at a constant rate, so its output never bursts. A token bucket
lets a burst through up to its capacity before it starts to reject requests.
"""


def _question(answer: str = ANSWER, key_points: list[str] | None = None) -> Question:
    return Question(
        id="rate-limiting",
        number=1,
        category="Design",
        title="Rate limiting algorithms: token bucket, leaky bucket",
        prompt="How do token bucket and leaky bucket rate limiting differ?",
        difficulty=Difficulty.MID,
        answer=answer,
        key_points=key_points or ["Knows both algorithms", "Understands burst handling"],
        follow_up="How would you share limits across servers?",
    )


def test_statements_are_sentences_items_rows_and_comments_without_noise() -> None:
    texts = [s.text for s in split_statements(ANSWER)]
    assert "Bursts: Token Bucket allows, Leaky Bucket smooths." in texts
    assert "refill the bucket before every check so idle time earns tokens" in texts
    assert any(t.startswith("Token Bucket: Each request consumes a token; No token") for t in texts)
    assert any(t.startswith("The leaky bucket drains requests at a constant rate") for t in texts)
    joined = " ".join(texts)
    assert "┌" not in joined and "```" not in joined and "**" not in joined
    assert "Comparison" not in texts  # a heading is context, never a statement of its own
    rows = [s for s in split_statements(ANSWER) if s.kind != "table"]
    assert all(MIN_WORDS <= words(s.text) <= MAX_WORDS for s in rows)


def test_a_long_paragraph_is_cut_and_a_fence_does_not_swallow_the_prose_after_it() -> None:
    long = " ".join(f"word{i}" for i in range(100)) + "."
    answer = f"```python\nx = 1\n```\nThe prose after the fence is a statement of its own here.\n\n{long}"
    texts = [s.text for s in split_statements(answer)]
    assert "The prose after the fence is a statement of its own here." in texts
    assert all(words(t) <= MAX_WORDS for t in texts)
    assert sum(words(t) for t in texts if t.startswith("word")) == 100


def test_swaps_the_terms_the_answer_contrasts() -> None:
    groups = title_groups("Caching strategies: write-through, write-back, write-around")
    assert groups == [["write-through", "write-back", "write-around"]]
    assert swapped("Write-through writes to the cache and the database together.", groups) == (
        "Write-back writes to the cache and the database together."
    )
    both = "Write-through waits for the database; write-back flushes it later."
    assert swapped(both, groups) == (
        "Write-back waits for the database; write-through flushes it later."
    )
    assert title_groups("Horizontal vs Vertical scaling") == [["Horizontal", "Vertical"]]
    assert swapped("Nothing to swap in this sentence at all.", groups) is None


def test_table_columns_are_contrasts_only_when_the_answer_names_them_elsewhere() -> None:
    header, rows = ["Aspect", "Token Bucket", "Leaky Bucket"], ["Bursts", "Output rate"]
    groups = table_groups(header, rows, "a token bucket and a leaky bucket")
    assert groups == [["Token Bucket", "Leaky Bucket"]]
    assert table_groups(header, rows, "nothing relevant") == []


def test_inverts_stated_directions() -> None:
    assert inverted("Write to the cache and DB synchronously.") == (
        "Write to the cache and DB asynchronously."
    )
    assert inverted("Latency increases with every hop.") == "Latency decreases with every hop."
    assert inverted("Delete the key after the commit.") == "Delete the key before the commit."
    assert inverted("Nothing here turns round.") is None


def test_mentions_come_from_the_key_points_own_terms() -> None:
    assert label_terms("Can identify layer violations") == "layer violations"
    assert label_terms("Knows trade-offs, not just hype") == "trade-offs"
    assert mentions_for("Considers team size")[0] == "It uses team size."


def test_draft_is_a_valid_deterministic_rubric_with_the_banks_labels() -> None:
    question = _question()
    first = draft_rubric(question, HashingEmbedder())
    assert first == draft_rubric(question, HashingEmbedder())
    assert [kp.label for kp in first.key_points] == question.key_points
    assert first.follow_up is None  # a follow-up has no key points to draft from
    for kp in first.key_points:
        assert kp.label in kp.evidence  # the point's own text is evidence too
        assert len(kp.evidence) >= 2
    every = [s for kp in first.key_points for s in kp.evidence]
    assert any("Token Bucket allows" in s for s in every)
    assert check_against_question(Path("x.yaml"), first, question) == []


def test_a_question_without_a_model_answer_still_gets_a_rubric() -> None:
    rubric = draft_rubric(_question(answer=""), HashingEmbedder())
    assert [kp.evidence for kp in rubric.key_points] == [
        ["Knows both algorithms"],
        ["Understands burst handling"],
    ]


def test_draft_respects_the_schema_limits_on_a_huge_answer() -> None:
    points = [f"Point number {i} about caching" for i in range(20)]
    answer = "\n".join(
        f"- Item {i} says the cache keeps hot keys near the readers" for i in range(900)
    )
    rubric = draft_rubric(_question(answer=answer, key_points=points), HashingEmbedder())
    assert sum(kp.statement_count for kp in rubric.key_points) <= MAX_RUBRIC_STATEMENTS


def test_yaml_has_the_header_and_loads_back_as_the_same_rubric(tmp_path: Path) -> None:
    rubric = draft_rubric(_question(), HashingEmbedder())
    text = rubric_yaml(rubric)
    assert text.startswith(DRAFT_HEADER)
    path = tmp_path / "rate-limiting.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_rubric(path) == rubric
