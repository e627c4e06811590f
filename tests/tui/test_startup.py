"""Issue 17: the TUI paints before anything heavy is imported. The banks, the store and the LLM
pieces are opened in the loading worker after the first paint; what goes wrong there is shown in
the app, not printed under it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.core.grading.grader import Grader
from interviewer.core.transcripts.memory_store import InMemoryTranscriptStore
from interviewer.paths import Paths
from interviewer.tui.config import Services
from interviewer.tui.screens.start import StartScreen
from interviewer.wiring import GradingContext

from .conftest import build_app
from .helpers import settle

HEAVY = ("pydantic", "yaml", "numpy", "onnxruntime", "sqlite3", "tokenizers", "openai", "httpx")

# Runs the real CLI with `App.run` replaced by a report of what is imported at that moment: all
# the interview command does before the first frame. The start screen's own mount schedules the
# loading worker after the first refresh, so nothing more is imported until then.
_PROBE = """
import json, sys
import textual.app

def report(self, *args, **kwargs):
    roots = sorted({name.split(".")[0] for name in sys.modules})
    print(json.dumps({"roots": roots, "screen": type(self).__name__}))

textual.app.App.run = report
from interviewer.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _imported_before_the_first_paint(home: Path, *arguments: str) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-c", _PROBE, *arguments],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "INTERVIEWER_HOME": str(home)},
        cwd=Path(__file__).resolve().parents[2],
    )
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["screen"] == "InterviewApp"
    roots: list[str] = report["roots"]
    return roots


@pytest.mark.parametrize("arguments", [(), ("interview",), ("interview", "--count", "2")])
def test_the_interview_command_imports_nothing_heavy_before_the_first_paint(
    tmp_path: Path, arguments: tuple[str, ...]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(  # the remembered choices are read (tomllib, not pydantic)
        '[llm]\nmodel = "m"\n\n[tui]\ntheme = "nord"\n\n[tui.start]\ncount = 3\n', encoding="utf-8"
    )
    roots = _imported_before_the_first_paint(home, *arguments)
    assert "textual" in roots  # the probe saw the app about to run
    assert [name for name in HEAVY if name in roots] == []


def test_a_named_bank_is_checked_before_the_tui_so_its_banks_are_parsed(tmp_path: Path) -> None:
    roots = _imported_before_the_first_paint(tmp_path, "interview", "--category", "Fundamentals")
    assert "yaml" in roots and "pydantic" in roots  # the one case that needs them first


def test_the_app_module_imports_no_models_or_parsers() -> None:
    code = (
        f"import sys, interviewer.tui.app\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


async def test_services_opened_after_the_paint_are_used_and_their_warnings_shown(
    context: GradingContext, hashing_grader: Grader
) -> None:
    store = InMemoryTranscriptStore()
    asked: list[str] = []

    def services() -> Services:
        asked.append("services")
        return Services(
            store=store,
            judge="llm",
            due_order=None,  # the app was built with one: the store's answer replaces it
            warnings=("LLM feedback is off: [bold]no endpoint[/bold]",),
        )

    app = build_app(context, lambda: hashing_grader)
    app.deps.services = services
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert asked == ["services"]  # once, in the loading worker
        assert app.store is store and app.deps.judge == "llm"
        screen = pilot.app.screen
        assert isinstance(screen, StartScreen) and not screen.due_available
        messages = [n.message for n in pilot.app._notifications]
        assert "LLM feedback is off: [bold]no endpoint[/bold]" in messages  # as text, not markup


async def test_services_that_raise_leave_an_in_memory_interview_and_say_so(
    context: GradingContext, hashing_grader: Grader
) -> None:
    def broken() -> Services:
        raise OSError("disk full")

    app = build_app(context, lambda: hashing_grader)
    app.deps.services = broken
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.store, InMemoryTranscriptStore)
        assert any("disk full" in n.message for n in pilot.app._notifications)


def test_late_services_report_an_unopenable_store_as_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import interviewer.adapters.store.sqlite as sqlite_store
    from interviewer.commands.interview import LateServices, SharedContext

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("read-only file system")

    monkeypatch.setattr(sqlite_store, "open_store", refuse)
    paths = Paths(tmp_path / "home")
    services = LateServices(paths, SharedContext(paths))
    opened = services.get()
    assert opened.store is None
    assert "transcripts will not be saved: read-only file system" in opened.warnings
    assert services.get() is opened  # opened once
    services.close()
    services.close()


def test_late_services_open_nothing_after_close(tmp_path: Path) -> None:
    from interviewer.commands.interview import LateServices, SharedContext

    paths = Paths(tmp_path / "home")
    services = LateServices(paths, SharedContext(paths))
    services.close()  # the app ended before its worker asked
    assert services.get().store is None
    assert not paths.database.exists()
