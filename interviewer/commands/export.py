"""`interviewer export`: one session as Markdown, JSON (the full record) or a self-contained HTML page;
`--import` reads a JSON export back; `--labelled` writes corrected answers as eval JSONL."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer.commands import CommandError

if TYPE_CHECKING:
    from interviewer.adapters.store.sqlite import SqliteTranscriptStore
    from interviewer.core.transcripts.records import SessionRecord

FORMATS = ("md", "json", "html")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = subparsers.add_parser("export", help="export a session (md, json, html) or import one")
    export.add_argument("session", nargs="?", help="a session id, or 'last'")
    export.add_argument("--format", "-f", choices=FORMATS, default="md")
    export.add_argument("--out", "-o", type=Path, help="file to write (default: stdout)")
    export.add_argument(
        "--import",
        dest="import_file",
        type=Path,
        metavar="FILE.json",
        help="store a session from a JSON export",
    )
    export.add_argument(
        "--labelled",
        action="store_true",
        help="corrected answers as eval JSONL (for interviewer eval --data)",
    )
    export.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from interviewer.core.ports import TranscriptError
    from interviewer.wiring import open_user_store

    try:
        store = open_user_store()
        store.check()
        if args.import_file is not None:
            return _import(store, args.import_file)
        if args.labelled:
            rows = [json.dumps(row, ensure_ascii=False) for row in store.labelled_rows()]
            return _write("".join(f"{row}\n" for row in rows), args.out)
        if args.session is None:
            raise CommandError(
                "give a SESSION id (see `interviewer review`), or --import FILE.json", 2
            )
        session_id = _session_id(store, args.session)
        if session_id is None:
            raise CommandError(f"{args.session!r} is not a session id (a number, or 'last')", 2)
        return _write(render(store.load_session(session_id), args.format), args.out)
    except TranscriptError as error:
        raise CommandError(error.message) from None


def _session_id(store: SqliteTranscriptStore, ref: str) -> int | None:
    if ref.isdigit():
        return int(ref)
    if ref == "last":
        summaries = store.list_sessions()
        return summaries[0].id if summaries else 0
    return None


def render(record: SessionRecord, fmt: str) -> str:
    from interviewer.core.transcripts.render import to_html, to_json, to_markdown

    renderers = {"md": to_markdown, "json": to_json, "html": to_html}
    return renderers[fmt](record)


def _write(text: str, out: Path | None) -> int:
    if out is None:
        sys.stdout.write(text)
        return 0
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"{out}: cannot write: {error.strerror}") from None
    print(f"Wrote {out}", file=sys.stderr)
    return 0


def _import(store: SqliteTranscriptStore, path: Path) -> int:
    from interviewer.core.transcripts.render import from_json

    try:
        record = from_json(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"{path}: cannot read: {error.strerror}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise CommandError(f"{path}: {error}", 2) from None
    session_id = store.import_session(record)
    print(f"Imported {path} as session {session_id} ({len(record.answers)} answers).")
    return 0
