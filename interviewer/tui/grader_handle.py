"""The grader as the UI sees it: loading in the background, then shared by scoring workers.

The factory loads the embedding model (seconds of torch import). It runs in a daemon thread of
its own rather than a Textual thread worker: those run on asyncio's default executor, which the
event loop joins on exit, so quitting during the load would hang until torch finished. Scoring
that arrives early waits on an event instead of failing (and is released when the app closes), and
a lock serialises calls because the grader's caches are not thread-safe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import suppress
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from interviewer.core.ports import AnswerGrader
    from interviewer.core.result import Part, ScoreResult


class ModelState(StrEnum):
    WAITING = "waiting"
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


class ModelUnavailable(Exception):
    """The model could not be loaded; answers are kept, but cannot be scored this run."""


class GraderHandle:
    def __init__(
        self,
        factory: Callable[[], AnswerGrader],
        warm_up: Callable[[AnswerGrader, list[str]], None] | None = None,
    ) -> None:
        self._factory = factory
        self._warm_up = warm_up
        self._loaded = threading.Event()
        self._lock = threading.Lock()
        self._grader: AnswerGrader | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self.error: str | None = None
        self.seconds = 0.0

    @property
    def loading(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, done: Callable[[GraderHandle], None]) -> None:
        """Loads in a daemon thread, then calls `done(self)` from that thread."""

        def run() -> None:
            with suppress(ModelUnavailable):  # `error` says why; `done` reports it
                self.load()
            done(self)

        self._thread = threading.Thread(target=run, name="interviewer-model", daemon=True)
        self._thread.start()

    def load(self) -> float:
        """Runs the factory; returns the seconds it took."""
        started = time.perf_counter()
        try:
            self._grader = self._factory()
        except Exception as error:  # any failure is shown in the footer, never a crash
            self.error = f"{type(error).__name__}: {error}"
            raise ModelUnavailable(self.error) from error
        finally:
            self.seconds = time.perf_counter() - started
            self._loaded.set()
        return self.seconds

    def close(self) -> None:
        """Releases anything waiting for the model: the app is closing."""
        self._closed = True
        self._loaded.set()

    def grader(self) -> AnswerGrader:
        """The loaded grader, waiting for the load to finish if it has not yet."""
        self._loaded.wait()
        if self._grader is None:
            reason = "the app is closing" if self._closed else self.error
            raise ModelUnavailable(reason or "the model failed to load")
        return self._grader

    def score(self, question: str, answer: str, part: Part) -> ScoreResult:
        grader = self.grader()
        with self._lock:
            return grader.score(question, answer, part)

    def warm_up(self, question_ids: list[str]) -> None:
        """Prepares the rubrics of the chosen questions so the first score is quick."""
        if self._warm_up is None:
            return
        grader = self.grader()
        with self._lock:
            self._warm_up(grader, question_ids)
