"""`interviewer interview`: the Textual interview. With no choices it opens the start screen;
with any of --bank/--category/--difficulty/--count/--order/--time-limit it starts at once.

Only argparse is imported at module level: `interviewer --help` must not pay for Textual or torch.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from typing import TYPE_CHECKING, Any, cast

from interviewer.core.safe_text import one_line

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from interviewer.core.bank.loading import LoadedBanks
    from interviewer.core.bank.schema import Question
    from interviewer.core.config_file import UiPreferences
    from interviewer.core.interview.settings import DueOrder
    from interviewer.core.ports import (
        AnswerGrader,
        FeedbackWriter,
        SecondOpinionSource,
        TranscriptReader,
        TranscriptStore,
    )
    from interviewer.paths import Paths
    from interviewer.tui.config import Services
    from interviewer.wiring import GradingContext

_CHOICES = ("bank", "category", "difficulty", "count", "order", "time_limit")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    interview = subparsers.add_parser(
        "interview", help="run a mock interview in the terminal (the default command)"
    )
    interview.add_argument("--bank", help="bank id (default: the first bank)")
    interview.add_argument(
        "--category", action="append", help="ask from this category (repeatable, or a,b)"
    )
    interview.add_argument(
        "--difficulty", action="append", help="Junior, Mid or Senior (repeatable, or a,b)"
    )
    interview.add_argument("--count", type=int, help="number of questions, 1 or more (default: 5)")
    interview.add_argument(
        "--order", choices=("shuffled", "bank", "due"), help="question order (default: shuffled)"
    )
    interview.add_argument(
        "--time-limit",
        type=float,
        metavar="MINUTES",
        help="minutes per question, as on the start screen; running out only warns",
    )
    interview.add_argument(
        "--no-verifier",
        action="store_true",
        help="grade by similarity alone, without the entailment verifier (faster on a slow machine)",
    )
    interview.add_argument("--seed", type=int, help=argparse.SUPPRESS)  # repeatable shuffles
    interview.set_defaults(handler=_run)


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v.strip() for value in values or [] for v in value.split(",") if v.strip())


def settings_from_args(args: argparse.Namespace) -> tuple[Any, bool]:
    """The interview settings, and whether the user chose anything (then the start is direct)."""
    from interviewer.commands import CommandError
    from interviewer.core.interview.settings import InterviewSettings, Order

    if args.count is not None and args.count < 1:
        raise CommandError(f"--count must be 1 or more, not {args.count}", 2)
    if args.time_limit is not None and not 0 < args.time_limit <= 24 * 60:
        raise CommandError("--time-limit is in minutes per question: more than 0, at most 1440", 2)
    settings = InterviewSettings(
        bank_id=args.bank,
        categories=_split(args.category),
        difficulties=_split(args.difficulty),
        count=args.count if args.count is not None else 5,
        order=Order(args.order or "shuffled"),
        time_limit=args.time_limit * 60 if args.time_limit is not None else None,  # seconds
        seed=args.seed,
    )
    direct = any(getattr(args, name) is not None for name in _CHOICES)
    return settings, direct


def check_choices(settings: Any, banks: LoadedBanks) -> None:
    """A --bank that names no bank, or a --category that names no category of the chosen bank,
    fails here in one line naming the known ones, before the TUI opens."""
    from interviewer.commands import CommandError
    from interviewer.core.interview.settings import resolve_categories

    chosen = [b for b in banks.banks if settings.bank_id in (None, b.id)]
    if settings.bank_id is not None and not chosen:
        ids = ", ".join(b.id for b in banks.banks) or "none"
        raise CommandError(f"unknown bank {one_line(settings.bank_id)!r}; known banks: {ids}", 2)
    if not settings.categories:
        return
    known = sorted({q.category for bank in chosen for q in bank.questions})
    unknown = [
        ref for ref, found in resolve_categories(known, settings.categories).items() if not found
    ]
    if unknown:
        names = ", ".join(repr(one_line(ref)) for ref in unknown)
        raise CommandError(
            f"unknown category {names}; known categories: {', '.join(known) or 'none'}", 2
        )


class SharedContext:
    """Banks parsed once for the start screen and the store; the grader's context (banks,
    rubrics, params) loaded once in the model worker. Either may be asked from any thread."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self._banks_lock = threading.Lock()
        self._context_lock = threading.Lock()  # separate: the UI thread never waits on rubrics
        self._banks: LoadedBanks | None = None
        self._context: GradingContext | None = None

    def banks(self) -> LoadedBanks:
        from interviewer.core.bank.loading import load_banks

        with self._banks_lock:
            if self._banks is None:
                self._banks = load_banks(self.paths.bank_dirs())
            return self._banks

    def question(self, question_id: str) -> Question | None:
        for bank in self.banks().banks:
            if (question := bank.get(question_id)) is not None:
                return question
        return None

    def get(self) -> GradingContext:
        """Rubrics take longer to parse than banks; only the grader needs them."""
        from interviewer.wiring import load_context

        with self._context_lock:
            if self._context is None:
                self._context = load_context(self.paths, banks=self.banks())
            return self._context


def grader_factory(context: SharedContext, *, verifier: bool = True) -> AnswerGrader:
    """Builds the grader and loads the model now, not at the first answer (runs in a worker)."""
    from interviewer.wiring import build_grader

    grader = build_grader(context.get(), paths=context.paths, use_verifier=verifier)
    grader.embedder.encode(["warm up"])
    load = getattr(grader.verifier, "load", None)
    if load is not None:  # the verifier too, so the first answer waits for neither
        load()
    return grader


def warm_up(grader: AnswerGrader, question_ids: list[str]) -> None:
    prepare = getattr(grader, "warm_up", None)
    if prepare is not None:
        prepare(question_ids)


def _to_stderr(warning: str) -> None:
    print(one_line(f"interviewer: {warning}"), file=sys.stderr)


def open_transcripts(
    paths: Paths, context: SharedContext, warn: Callable[[str], None] = _to_stderr
) -> TranscriptStore | None:
    """The SQLite store when it is installed; None means an in-memory store for this run.

    The store reads questions through the shared context, so the banks are parsed once.
    """
    try:
        from interviewer.adapters.store.sqlite import open_store  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    try:
        store: TranscriptStore = open_store(paths, bank_lookup=context.question)
    except Exception as error:
        warn(f"transcripts will not be saved: {error}")
        return None
    return store


def feedback_writer(
    paths: Paths, warn: Callable[[str], None] = _to_stderr
) -> FeedbackWriter | None:
    try:
        from interviewer.adapters.llm import (  # type: ignore[import-not-found,unused-ignore]
            feedback_from_environment,
        )
    except ImportError:
        return None
    try:
        writer: FeedbackWriter | None = feedback_from_environment(paths)
    except Exception as error:  # feedback is optional; scoring works without it
        warn(f"LLM feedback is off: {error}")
        return None
    return writer


def llm_judging(
    paths: Paths, writer: FeedbackWriter | None, warn: Callable[[str], None] = _to_stderr
) -> tuple[SecondOpinionSource | None, str]:
    """Who asks the LLM for its per-key-point verdicts, and whose verdicts set the score: the
    writer, when an endpoint is configured and [llm] second_opinion or judge = "llm" asks for
    them; the judge from [llm] judge ("local" unless set; the score view says when "llm" has no
    endpoint)."""
    from interviewer.core.feedback.config import load_llm_config

    try:
        config = load_llm_config(paths.config_file, os.environ).config
    except Exception as error:  # the LLM is optional; the local grader scores either way
        warn(f"LLM verdicts are off: {error}")
        return None, "local"
    asks = config.second_opinion or config.judge == "llm"
    source = getattr(writer, "second_opinion", None)
    if not asks or source is None:
        return None, config.judge
    return cast("SecondOpinionSource", writer), config.judge


class LateServices:
    """The store and the LLM pieces, opened once, when the app's loading worker first asks (after
    the first paint, so SQLite, pydantic and the LLM client are not imported before it). What
    goes wrong becomes a warning line the app shows. Either thread may ask; `close` is final."""

    def __init__(self, paths: Paths, context: SharedContext) -> None:
        self.paths = paths
        self.context = context
        self._lock = threading.Lock()
        self._services: Services | None = None
        self._closed = False

    def get(self) -> Services:
        from interviewer.tui.config import Services

        with self._lock:
            if self._services is None:
                if self._closed:  # asked after the app ended: open nothing that is never closed
                    return Services()
                warnings: list[str] = []
                store = open_transcripts(self.paths, self.context, warnings.append)
                writer = feedback_writer(self.paths, warnings.append)
                opinions, judge = llm_judging(self.paths, writer, warnings.append)
                self._services = Services(
                    store, writer, opinions, judge, due_order(store), tuple(warnings)
                )
            return self._services

    def reader(self) -> TranscriptReader:
        """What Review and Progress read (`transcript_reader` of the store, once it is open)."""
        return transcript_reader(self.get().store)()

    def close(self) -> None:
        """Closes the store if it was opened (waiting for an open in progress)."""
        with self._lock:
            self._closed = True
            store = self._services.store if self._services is not None else None
            close = getattr(store, "close", None)
            if close is not None:
                close()


def due_order(store: TranscriptStore | None) -> DueOrder | None:
    """The store's "due and weakest first" ordering, when it offers one."""
    order: DueOrder | None = getattr(store, "due_order", None)
    return order


def transcript_reader(store: TranscriptStore | None) -> Callable[[], TranscriptReader]:
    """What the Review and Progress screens read: the interview's own store when it has a read
    side (the SQLite one: one connection, thread-safe), else the user's store, opened when first
    shown."""
    if store is not None and hasattr(store, "list_sessions"):
        reader = cast("TranscriptReader", store)
        return lambda: reader

    def open_later() -> TranscriptReader:  # wiring is imported only when Review is first shown
        from interviewer.wiring import open_user_store

        return open_user_store()

    return open_later


def preferences_saver(config_file: Path) -> Callable[[UiPreferences], None]:
    """Writes the theme and start choices to config.toml's [tui] tables; a run started directly
    from the command line has no start choices and keeps the saved ones."""
    from interviewer.core.config_file import (
        UiPreferences,
        load_ui_preferences,
        save_ui_preferences,
    )

    def save(preferences: UiPreferences) -> None:
        start = preferences.start or load_ui_preferences(config_file).start
        save_ui_preferences(config_file, UiPreferences(preferences.theme, start))

    return save


def _run(args: argparse.Namespace) -> int:
    """Before `app.run()` only what the first frame needs (Textual, the settings, the [tui]
    preferences; no pydantic, YAML, SQLite or numpy): the banks, the store and the LLM pieces are
    opened in the app's loading worker after the first paint, the model after that."""
    from interviewer.core.config_file import load_ui_preferences
    from interviewer.core.interview.settings import InterviewSettings
    from interviewer.paths import Paths
    from interviewer.tui.app import make_app
    from interviewer.tui.config import AppDeps, AppSettings

    settings, direct = settings_from_args(args)
    paths = Paths.from_env()
    remembered = load_ui_preferences(paths.config_file)
    if not direct and remembered.start:  # the start screen opens with the last choices
        settings = InterviewSettings.from_dict(remembered.start)
    context = SharedContext(paths)
    if settings.bank_id is not None or settings.categories:  # named ones: checked before the TUI
        check_choices(settings, context.banks())
    services = LateServices(paths, context)
    deps = AppDeps(
        catalog=lambda: context.banks().banks,
        grader_factory=lambda: grader_factory(context, verifier=not args.no_verifier),
        warm_up=warm_up,
        open_reader=services.reader,
        save_preferences=preferences_saver(paths.config_file),
        services=services.get,
    )
    app_settings = AppSettings(interview=settings, start_directly=direct, theme=remembered.theme)
    app = make_app(app_settings, deps)
    try:
        app.run()
    finally:
        services.close()
    if app.model.loading:
        # Quit during the model load: don't let interpreter shutdown wait on (or tear down under)
        # torch's import in the loader thread. What the user typed is in the closed store.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(app.return_code or 0)
    return app.return_code or 0
