"""Unit tests of the TUI's small pure parts: the CLI's settings and transcript reader, the editor
hand-off."""

from __future__ import annotations

import argparse
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.core.interview.session import Order
from interviewer.core.result import Part
from interviewer.tui.widgets.answer_editor import edit_externally, editor_command


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
            time_limit=2.0,  # minutes, as on the start screen
        )
    )
    assert direct
    assert settings.categories == ("Observability", "Fundamentals")
    assert (settings.count, settings.order, settings.time_limit) == (3, Order.BANK, 120.0)


def test_review_reads_the_interviews_own_store_else_opens_the_users_later(
    tmp_path: Path,
) -> None:
    from interviewer.adapters.store.sqlite import open_store
    from interviewer.commands.interview import transcript_reader
    from interviewer.core.transcripts.memory_store import InMemoryTranscriptStore
    from interviewer.paths import Paths

    store = open_store(Paths(tmp_path / "home"))
    try:
        assert transcript_reader(store)() is store  # one connection for the interview and review
    finally:
        store.close()
    assert callable(transcript_reader(InMemoryTranscriptStore()))  # nothing opened yet
    assert callable(transcript_reader(None))


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
            handle.score("q", "answer", Part.MAIN)
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
