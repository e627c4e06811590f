"""A user's own bank from `bank import` to graded answers with no file written by hand: `score`
grades it with a drafted rubric (and says so), its follow-ups are practice, and `rubric draft`
writes rubric files that `bank check` accepts and `score` then uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.cli import main

pytestmark = pytest.mark.model

SEED = """Back to Questions
06

Kitchen Systems

How a restaurant kitchen runs its orders

1.

Ticket rail ordering

How does a kitchen ticket rail keep orders in sequence?

Mid

Ticket Rail:
Each new order ticket is clipped to the right end of the rail.
The expediter always pulls the oldest ticket from the left end first.

Comparison:

| Aspect | Rail | Spike |
|---|---|---|
| Order | First in, first out | Last in, first out |
| Visibility | Every ticket visible | Only the top ticket |

Key Points to Look For:
- Knows first in, first out
- Understands the expediter role

Follow-up: What happens when a ticket is lost?
"""

STRONG = (
    "Tickets go onto the rail from the right, and the expediter always takes the oldest one from "
    "the left, so orders are cooked first in, first out. The expediter coordinates the line."
)


def _bank(tmp_path: Path, home: Path) -> None:
    seed = tmp_path / "kitchen.txt"
    seed.write_text(SEED, encoding="utf-8")
    (home / "banks").mkdir(parents=True)
    out = home / "banks" / "kitchen.yaml"
    assert main(["bank", "import", str(seed), "--id", "kitchen", "--out", str(out)]) == 0


def test_own_bank_is_graded_with_a_draft_then_drafted_to_files(
    tmp_path: Path, _isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _bank(tmp_path, _isolated_home)
    answer = tmp_path / "answer.txt"
    answer.write_text(STRONG, encoding="utf-8")
    capsys.readouterr()
    assert main(["score", "-q", "ticket-rail-ordering", "-f", str(answer), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert "draft_rubric" in payload["flags"]
    assert payload["score"] >= 50
    assert main(["score", "-q", "ticket-rail-ordering", "-f", str(answer)]) == 0
    assert "Graded with a drafted rubric" in capsys.readouterr().out

    assert main(["score", "-q", "ticket-rail-ordering", "--follow-up", "-f", str(answer)]) == 0
    assert "for practice and is not graded" in capsys.readouterr().out

    assert main(["rubric", "draft", "--bank", "kitchen"]) == 0
    written = _isolated_home / "rubrics" / "kitchen" / "ticket-rail-ordering.yaml"
    assert capsys.readouterr().out.startswith(f"wrote {written}")
    assert written.read_text(encoding="utf-8").startswith("# drafted by interviewer rubric draft")
    assert main(["bank", "check"]) == 0
    assert main(["rubric", "draft", "--bank", "kitchen"]) == 0
    assert "every question has a rubric" in capsys.readouterr().out
    assert main(["rubric", "draft", "-q", "ticket-rail-ordering"]) == 0
    assert "it exists (--force overwrites it)" in capsys.readouterr().out

    assert main(["score", "-q", "ticket-rail-ordering", "-f", str(answer), "--json"]) == 0
    assert "draft_rubric" not in json.loads(capsys.readouterr().out)["flags"]
