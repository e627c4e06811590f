"""`interviewer eval --llm`: the endpoint's per-key-point verdicts measured beside the local grader.

The server here answers like an oracle that knows the labels, so the test checks the plumbing (every
answer asked, verdicts turned into coverage, failures counted and survived), not an LLM's quality.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from interviewer.cli import main
from interviewer.core.ports import FeedbackRequest, KeyPointOpinion, OpinionFailure
from interviewer.core.result import Verdict
from interviewer.evaluation.llm_judge import judge_all, outcome_of
from tests.feedback.chat_server import ChatServer, free_port
from tests.feedback.conftest import scored

REPO = Path(__file__).resolve().parents[2]
LABELLED = (
    REPO / "eval" / "labelled" / "caching-strategies-write-through-write-back-write-around.jsonl"
)
RUBRICS = REPO / "rubrics"
PICKED = ("strong", "partial", "wrong")
WORDS = {1.0: "covered", 0.5: "partial", 0.0: "missing"}


@pytest.fixture
def three_answers(tmp_path: Path) -> list[dict[str, Any]]:
    """Three labelled answers, and a rubrics folder holding only their question's rubric (so each
    run embeds one rubric, not 34)."""
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    picked = [r for r in rows if r["kind"] in PICKED]
    (tmp_path / "three.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in picked), encoding="utf-8"
    )
    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    for name in ("_scoring.yaml", f"architecture-system-design/{LABELLED.stem}.yaml"):
        shutil.copy(RUBRICS / name, rubrics / Path(name).name)
    return picked


def _oracle(rows: list[dict[str, Any]]) -> Any:
    """Replies with each answer's labelled verdicts, quoting the answer's first sentence."""

    def reply(body: dict[str, Any]) -> str:
        user = body["messages"][-1]["content"]
        (row,) = [r for r in rows if r["answer"][:80] in user]
        first = re.split(r"(?<=[.!?])\s", row["answer"].strip())[0]
        entries = [
            {"n": n, "verdict": WORDS[c], "quote": first if c else ""}
            for n, c in enumerate(row["coverage"], 1)
        ]
        return json.dumps({"key_points": entries})

    return reply


@pytest.mark.model
def test_eval_llm_adds_the_endpoints_column(
    configured: ChatServer,
    three_answers: list[dict[str, Any]],
    tmp_path: Path,
    shared_model: object,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configured.script.replier = _oracle(three_answers)
    data = ["--data", str(tmp_path / "three.jsonl"), "--rubrics", str(tmp_path / "rubrics")]
    code = main(["eval", *data, "--llm", "--no-record", "--json"])
    assert code == 0
    captured = capsys.readouterr()
    metrics = json.loads(captured.out)["metrics"]
    judged = metrics["LLM second opinion"]
    assert judged["labelled_spearman"] == pytest.approx(1.0)  # the oracle orders them as graded
    assert judged["labelled_kp_auc"] == pytest.approx(1.0)
    assert "3/3 answers judged" in captured.err
    assert len(configured.chat_requests()) == 3
    for sent in configured.chat_requests():
        system = sent.body["messages"][0]["content"]
        assert "verdict" in system and "covered" in system
        assert "The score was set by the rubric" not in system  # an independent opinion


@pytest.mark.model
def test_eval_llm_survives_a_dead_endpoint_and_says_so(
    three_answers: list[dict[str, Any]],
    tmp_path: Path,
    shared_model: object,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = ["--data", str(tmp_path / "three.jsonl"), "--rubrics", str(tmp_path / "rubrics")]
    data += ["--no-record", "--json"]
    assert main(["eval", *data, "--llm"]) == 2
    assert "no LLM endpoint is configured" in capsys.readouterr().err
    monkeypatch.setenv("INTERVIEWER_LLM_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("INTERVIEWER_LLM_MODEL", "tiny-test")
    monkeypatch.setenv("INTERVIEWER_LLM_TIMEOUT", "1")
    assert main(["eval", *data, "--llm"]) == 0
    captured = capsys.readouterr()
    metrics = json.loads(captured.out)["metrics"]
    assert "0/3 answers judged" in captured.err and "3 failed" in captured.err
    assert metrics["LLM second opinion"] == metrics["rubrics"]  # every answer kept its local grade


class _Source:
    """A fixed second opinion per answer text, for the arithmetic of `judge_all`."""

    def __init__(self, replies: dict[str, list[KeyPointOpinion] | OpinionFailure]) -> None:
        self.replies = replies

    async def second_opinion(
        self, request: FeedbackRequest
    ) -> list[KeyPointOpinion] | OpinionFailure:
        return self.replies[request.answer]


def _opinions(*verdicts: tuple[Verdict, bool]) -> list[KeyPointOpinion]:
    return [
        KeyPointOpinion(f"kp{i}", v, "q" if ok else "", ok) for i, (v, ok) in enumerate(verdicts)
    ]


async def test_judge_all_turns_verdicts_into_coverage_and_keeps_the_order() -> None:
    good = _opinions((Verdict.COVERED, True), (Verdict.PARTIAL, True), (Verdict.MISSING, False))
    unshown = _opinions((Verdict.COVERED, False), (Verdict.COVERED, True), (Verdict.COVERED, True))
    source = _Source({"a": good, "b": unshown, "c": OpinionFailure("the endpoint timed out")})
    results = [scored("a"), scored("b"), scored("c")]
    requests = [FeedbackRequest("t", "p", "m", a, r) for a, r in zip("abc", results, strict=True)]
    counted: list[int] = []
    run = await judge_all(
        source, ["id-a", "id-b", "id-c"], requests, concurrency=2, progress=counted.append
    )
    assert counted == [1, 2, 3]
    first, second, third = run.outcomes
    assert first.coverage == [1.0, 0.5, 0.0] and first.score == pytest.approx(50.0)
    assert second.coverage == [0.5, 1.0, 1.0]  # covered without a quote from the answer: partial
    assert third.coverage == [kp.coverage for kp in results[2].key_points]  # the local grade kept
    assert run.failures == ["id-c: the endpoint timed out"] and run.judged == 2
    assert outcome_of(good, results[0]).verdicts == [2, 1, 0]
