"""The real seed imports into the committed bank, field by field."""

from __future__ import annotations

from pathlib import Path

from interviewer.core.bank.loading import dump_bank_yaml, load_bank
from interviewer.core.bank.schema import Difficulty
from interviewer.core.bank.seed_format import import_seed_file
from tests.conftest import BANK


def test_seed_has_34_questions_numbered_in_order(seed_path: Path) -> None:
    bank = import_seed_file(seed_path)
    assert [q.number for q in bank.questions] == list(range(1, 35))
    assert bank.title == "Architecture & System Design"
    assert bank.source is not None and bank.source.file == seed_path.name
    assert len({q.id for q in bank.questions}) == 34


def test_committed_bank_is_the_import_byte_for_byte(seed_path: Path) -> None:
    bank = import_seed_file(seed_path, bank_id="architecture-system-design")
    assert dump_bank_yaml(bank) == BANK.read_text(encoding="utf-8")
    assert load_bank(BANK) == bank


def test_spot_check_first_question(seed_path: Path) -> None:
    q = import_seed_file(seed_path).questions[0]
    assert q.id == "monolithic-vs-microservices-trade-offs"
    assert q.title == "Monolithic vs Microservices trade-offs"
    assert q.prompt == "What are the trade-offs between monolithic and microservices architectures?"
    assert q.difficulty is Difficulty.MID
    assert q.category == "Fundamentals"
    assert q.key_points == [
        "Knows trade-offs, not just hype",
        "Considers team size",
        "Understands operational complexity",
    ]
    assert q.follow_up == "How do you identify service boundaries?"
    # the box-drawing diagram survives inside a fenced block
    assert (
        "```text\n┌─────────────────────────────────┐\n│           Monolith              │"
        in q.answer
    )


def test_spot_check_categories_and_difficulties(seed_path: Path) -> None:
    bank = import_seed_file(seed_path)
    by_number = {q.number: q for q in bank.questions}
    assert by_number[8].category == "System Design Concepts"
    assert by_number[15].category == "Distributed Systems"
    assert by_number[22].category == "Scalability Scenarios"
    assert by_number[27].category == "Observability"
    assert by_number[31].category == "DevOps & Infrastructure"
    assert by_number[7].category == by_number[1].category
    assert by_number[22].title == "Design a URL shortener"
    assert {q.difficulty for q in bank.questions} <= set(Difficulty)


def test_follow_ups_present_and_absent(seed_path: Path) -> None:
    bank = import_seed_file(seed_path)
    without = [q.number for q in bank.questions if q.follow_up is None]
    assert without == [22, 23, 24, 25, 26]
    assert bank.get("34") is not None
    assert bank.get("34").follow_up == "How do you handle secrets in Infrastructure as Code?"  # type: ignore[union-attr]
    assert bank.get("26").key_points[-1] == "Auto-scaling"  # type: ignore[union-attr]


def test_code_block_survives_intact(seed_path: Path) -> None:
    q = import_seed_file(seed_path).get("12")
    assert q is not None
    assert (
        "```python\nclass TokenBucket:\n    def __init__(self, capacity, refill_rate):" in q.answer
    )
    # the blank line between methods stays inside one block
    assert "        self.last_refill = time.time()\n\n    def allow_request(self):" in q.answer
    assert q.key_points == [
        "Knows both algorithms",
        "Understands burst handling",
        "Can implement basic version",
    ]


def test_lookup_by_id_and_number(seed_path: Path) -> None:
    bank = import_seed_file(seed_path)
    assert bank.get("13") == bank.get("circuit-breaker-pattern")
    assert bank.get("99") is None
