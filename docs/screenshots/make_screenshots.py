"""Drives the interview TUI with the real packaged model and saves an SVG of each screen here.

Run from the repository root: `.venv/bin/python docs/screenshots/make_screenshots.py`
(about 20 s: most of it loads the model). Answers come from eval/labelled, so the scores shown
are what the grader really gives a strong and a weak answer.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ORDER = ("circuit-breaker-pattern", "design-a-url-shortener")
FOLLOW_UP = (
    "Start from the dependency's normal error rate and p99 latency and trip well above that "
    "noise, e.g. 50% failures over a sliding window with a minimum number of calls. Keep the open "
    "state about as long as the service needs to recover. Check the numbers with load tests and "
    "alert on state changes."
)


def labelled(question: str, kind: str) -> str:
    for line in (REPO / "eval" / "labelled" / f"{question}.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row["kind"] == kind and row["part"] == "main":
            return str(row["answer"])
    raise LookupError(f"{question}/{kind}")


def fixed_order(ids: Sequence[str]) -> list[str]:
    return [i for i in ORDER if i in ids]


async def shoot(size: tuple[int, int], suffix: str) -> None:
    from interviewer.adapters.store.sqlite import open_store
    from interviewer.commands.interview import SharedContext, grader_factory
    from interviewer.core.interview.session import InterviewSettings, Order
    from interviewer.paths import Paths
    from interviewer.tui.app import make_app
    from interviewer.tui.config import AppDeps, AppSettings
    from interviewer.tui.widgets.answer_editor import AnswerEditor

    paths = Paths.from_env()
    context = SharedContext(paths)
    paths.home.mkdir(parents=True, exist_ok=True)
    paths.database.unlink(missing_ok=True)  # one size's session only: Review shows it alone
    store = open_store(paths, bank_lookup=context.question)
    deps = AppDeps(
        catalog=lambda: context.banks().banks,
        grader_factory=lambda: grader_factory(context),
        store=store,
        due_order=fixed_order,
        open_reader=lambda: store,
    )
    settings = AppSettings(interview=InterviewSettings(count=2, order=Order.DUE))
    app = make_app(settings, deps)

    def save(name: str) -> None:
        app.save_screenshot(f"{name}{suffix}.svg", str(HERE))

    async def settle() -> None:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()

    async def answer(text: str) -> None:
        app.screen.query_one(AnswerEditor).insert(text)
        await pilot.pause()

    async with app.run_test(size=size) as pilot:
        await settle()
        save("start")
        await pilot.press("enter")
        await answer(labelled(ORDER[0], "strong"))
        save("question")
        await pilot.press("ctrl+s")
        await settle()
        save("score")
        await pilot.press("m")
        await pilot.pause()
        save("model-answer")
        await pilot.press("enter")
        await answer(FOLLOW_UP)
        save("follow-up")
        await pilot.press("ctrl+s", "enter")
        await answer(labelled(ORDER[1], "off-topic"))
        await pilot.press("ctrl+s")
        await settle()
        save("score-weak")
        await pilot.press("enter", "f1")
        await pilot.pause()
        save("help")
        await pilot.press("escape")
        await pilot.pause()
        save("summary")
        app.open_review()
        for _ in range(3):  # the list, then the newest session, load in workers
            await settle()
        save("review")
    store.close()


def main() -> None:
    os.environ.setdefault("INTERVIEWER_HOME", tempfile.mkdtemp(prefix="interviewer-shots-"))
    asyncio.run(shoot((100, 40), ""))
    asyncio.run(shoot((80, 24), "-80x24"))


if __name__ == "__main__":
    main()
