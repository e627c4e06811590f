"""Unit tests of the TUI's small pure parts: highlighting, the CLI's settings, the editor hand-off."""

from __future__ import annotations

import argparse
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.core.interview.session import Order
from interviewer.core.result import EvidenceSpan, KeyPointResult, Verdict
from interviewer.tui.widgets.answer_editor import edit_externally, editor_command
from interviewer.views.highlight import evidence_spans, highlight_answer, point_colour

ANSWER = "Closed passes calls. Too many failures open it. After a timeout it goes half-open."


def point(
    label: str, start: int | None, end: int | None, text: str | None = None
) -> KeyPointResult:
    evidence = None
    if start is not None and end is not None:
        evidence = EvidenceSpan(text=text or ANSWER[start:end], start=start, end=end)
    return KeyPointResult(
        key_point=label,
        coverage=0.9 if evidence else 0.1,
        verdict=Verdict.COVERED if evidence else Verdict.MISSING,
        evidence=evidence,
        similarity=0.5,
    )


def test_each_span_is_marked_and_coloured_by_its_point() -> None:
    second = ANSWER.index("Too")
    points = [
        point("states", 0, 20),
        point("detection", second, second + 27),
        point("x", None, None),
    ]
    content = highlight_answer(ANSWER, points)
    assert content.plain == "[1]" + ANSWER[:second] + "[2]" + ANSWER[second:]
    styles = {str(span.style) for span in content.spans}
    assert f"$text on ${point_colour(0)}-muted" in styles
    assert f"$text on ${point_colour(1)}-muted" in styles


def test_overlapping_spans_show_the_shorter_one_on_top() -> None:
    inner = ANSWER.index("Too")
    points = [point("pair", 0, inner + 27), point("inner", inner, inner + 27)]
    content = highlight_answer(ANSWER, points)
    # the overlap is painted in the inner (shorter) point's colour
    overlap_styles = [
        str(span.style)
        for span in content.spans
        if content.plain[span.start : span.end] == ANSWER[inner : inner + 27]
    ]
    assert overlap_styles == [f"$text on ${point_colour(1)}-muted"]
    assert content.plain.count("[1]") == 1 and content.plain.count("[2]") == 1


def test_offsets_that_disagree_with_the_text_are_found_by_the_text() -> None:
    start = ANSWER.index("After")
    spans = evidence_spans(ANSWER, [point("moved", 0, 5, text=ANSWER[start : start + 15])])
    assert spans == [(start, start + 15, 0)]
    assert evidence_spans(ANSWER, [point("gone", 0, 5, text="not in the answer")]) == []


def test_answer_text_is_never_read_as_markup() -> None:
    content = highlight_answer("use [bold] tags and $vars", [point("p", None, None)])
    assert content.plain == "use [bold] tags and $vars"


def _args(**given: object) -> argparse.Namespace:
    base: dict[str, object] = {
        "bank": None,
        "category": None,
        "difficulty": None,
        "count": None,
        "order": None,
        "time_limit": None,
        "seed": None,
    }
    return argparse.Namespace(**{**base, **given})


def test_no_choices_opens_the_start_screen_any_choice_starts_directly() -> None:
    from interviewer.commands.interview import settings_from_args

    settings, direct = settings_from_args(_args())
    assert not direct and settings.count == 5 and settings.order is Order.SHUFFLED
    settings, direct = settings_from_args(
        _args(
            category=["Observability,Fundamentals"],
            difficulty=["Mid"],
            count=3,
            order="bank",
            time_limit=120.0,
        )
    )
    assert direct
    assert settings.categories == ("Observability", "Fundamentals")
    assert (settings.count, settings.order, settings.time_limit) == (3, Order.BANK, 120.0)


def test_the_interview_command_module_imports_no_ui() -> None:
    code = "import sys, interviewer.commands.interview; print('textual' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


def test_interview_help_lists_the_options() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "interviewer.cli", "interview", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for option in ("--category", "--difficulty", "--count", "--order", "--time-limit", "--bank"):
        assert option in run.stdout


def test_external_editor_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "fake-editor"
    script.write_text('#!/bin/sh\nprintf "\\nadded in the editor\\n" >> "$1"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(script))
    assert editor_command() == [str(script)]
    assert edit_externally("my answer") == "my answer\nadded in the editor"


def test_a_failing_editor_keeps_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISUAL", "false")
    assert edit_externally("keep me") == "keep me"
    monkeypatch.setenv("VISUAL", os.devnull + "-missing-editor")
    with pytest.raises(OSError):
        edit_externally("keep me")


def test_closing_releases_scoring_that_waits_for_a_model_still_loading() -> None:
    import threading

    from interviewer.tui.grader_handle import GraderHandle, ModelUnavailable

    release = threading.Event()

    def slow_factory() -> object:
        release.wait(10)
        raise RuntimeError("never loads in this test")

    handle = GraderHandle(slow_factory)  # type: ignore[arg-type]
    finished = threading.Event()
    handle.start(lambda _: finished.set())
    assert handle.loading
    errors: list[str] = []

    def score() -> None:
        try:
            handle.score("q", "answer", "main")
        except ModelUnavailable as error:
            errors.append(str(error))

    waiter = threading.Thread(target=score)
    waiter.start()
    handle.close()
    waiter.join(timeout=2)
    assert errors == ["the app is closing"]
    release.set()
    assert finished.wait(5)
    assert handle.error is not None and "never loads" in handle.error
