"""Helpers for the transcript store tests: score results built by hand (the tests are about storage,
not grading), a filled session, and Python run in a fresh process."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.adapters.store.sqlite import SqliteTranscriptStore
from interviewer.core.result import EvidenceSpan, KeyPointResult, ScoreResult, Verdict, Versions

HERE = Path(__file__).resolve().parent
CIRCUIT = "circuit-breaker-pattern"
CACHE = "caching-strategies-write-through-write-back-write-around"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

CIRCUIT_ANSWER = (
    "A circuit breaker wraps calls to a remote service and counts failures. "
    "After too many failures it opens and fails fast instead of waiting on timeouts. "
    "After a cool-down it goes half-open and lets a trial request through to probe recovery."
)
CACHE_ANSWER = (
    "Write-through writes to the cache and the database together. I am not sure about the rest."
)


def result_for(
    question: str,
    answer: str,
    points: list[tuple[str, Verdict, float, str | None]],
    part: str = "main",
) -> ScoreResult:
    """A score built by hand: (key point, verdict, coverage, evidence sentence in the answer)."""
    built = []
    for label, verdict, coverage, evidence in points:
        span = None
        if evidence is not None:
            start = answer.index(evidence)
            span = EvidenceSpan(text=evidence, start=start, end=start + len(evidence))
        built.append(
            KeyPointResult(
                key_point=label,
                coverage=coverage,
                verdict=verdict,
                evidence=span,
                similarity=coverage,
            )
        )
    total = sum(p.coverage for p in built) / len(built) * 100
    return ScoreResult(
        question=question, part=part, score=round(total, 1), key_points=built, model="hand-made"
    )


def circuit_result() -> ScoreResult:
    return result_for(
        CIRCUIT,
        CIRCUIT_ANSWER,
        [
            (
                "Knows the three states",
                Verdict.COVERED,
                0.9,
                "After a cool-down it goes half-open and lets a trial request through to probe recovery.",
            ),
            (
                "Knows why it fails fast",
                Verdict.PARTIAL,
                0.5,
                "After too many failures it opens and fails fast instead of waiting on timeouts.",
            ),
            ("Knows fallbacks", Verdict.MISSING, 0.1, None),
        ],
    )


def cache_result() -> ScoreResult:
    return result_for(
        CACHE,
        CACHE_ANSWER,
        [
            (
                "Knows write-through",
                Verdict.COVERED,
                0.8,
                "Write-through writes to the cache and the database together.",
            ),
            ("Knows write-back", Verdict.MISSING, 0.05, None),
            ("Knows write-around", Verdict.MISSING, 0.05, None),
        ],
    )


VERSIONS = Versions(  # the format `versions_of` writes, with made-up content hashes
    bank="architecture-system-design@0123456789ab",
    rubric=f"{CIRCUIT}/v1",
    model="hand-made",
    params="ba9876543210",
)


def fill_session(store: SqliteTranscriptStore) -> int:
    """One finished session: two questions, a follow-up, feedback, a leftover draft."""
    session = store.start_session("architecture-system-design", [CIRCUIT, CACHE], {"count": 2})
    first = store.submit_answer(session, CIRCUIT, "main", CIRCUIT_ANSWER, 95.0)
    store.save_score(first, circuit_result(), VERSIONS)
    store.save_feedback(
        first, "Good on states; **mention fallbacks**.", complete=True, model="llama3"
    )
    follow = store.submit_answer(session, CIRCUIT, "follow_up", "Use a fallback cache.", 20.0)
    store.save_score(
        follow,
        result_for(
            CIRCUIT,
            "Use a fallback cache.",
            [("Names a fallback", Verdict.COVERED, 0.7, "Use a fallback cache.")],
            "follow_up",
        ),
        VERSIONS,
    )
    second = store.submit_answer(session, CACHE, "main", CACHE_ANSWER, 60.0)
    store.save_score(second, cache_result(), VERSIONS)
    store.save_draft(session, CACHE, "follow_up", "half a thought")
    store.finish_session(session)
    return session


def run_python(
    code: str, *args: str, drop_root: bool = False, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Python in a fresh process. `drop_root`: without CAP_DAC_OVERRIDE, so file permissions bind
    even when the tests run as root (as in CI containers)."""
    command = [sys.executable, "-c", code, *args]
    if drop_root and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot make a file read-only to us")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)
