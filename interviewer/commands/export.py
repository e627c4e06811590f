"""`interviewer export`: one session as Markdown, JSON (the full record) or a self-contained HTML page;
`--import` reads a JSON export back; `--labelled` writes corrected answers as eval JSONL."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer.commands import CommandError, is_database
from interviewer.core.safe_text import json_text, one_line

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
        "--force", action="store_true", help="overwrite --out if it exists (never the database)"
    )
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
            rows = [json_text(json.dumps(row, ensure_ascii=False)) for row in store.labelled_rows()]
            return _write("".join(f"{row}\n" for row in rows), args.out, store.path, args.force)
        if args.session is None:
            raise CommandError(
                "give a SESSION id (see `interviewer review`), or --import FILE.json", 2
            )
        session_id = _session_id(store, args.session)
        text = render(store.load_session(session_id), args.format)
        return _write(text, args.out, store.path, args.force)
    except TranscriptError as error:
        raise CommandError(error.message) from None


def _session_id(store: SqliteTranscriptStore, ref: str) -> int:
    if ref == "last":
        summaries = store.list_sessions()
        if not summaries:
            raise CommandError("there is no session yet: answer a question first")
        return summaries[0].id
    if not (ref.isascii() and ref.isdigit()):
        raise CommandError(f"{ref[:40]!r} is not a session id (a number, or 'last')", 2)
    if len(ref) > 18:  # past SQLite's largest id
        raise CommandError(f"no session {ref[:20]}...")
    return int(ref)


def render(record: SessionRecord, fmt: str) -> str:
    from interviewer.core.transcripts.render import to_html, to_json, to_markdown

    renderers = {"md": to_markdown, "json": to_json, "html": to_html}
    return renderers[fmt](record)


def _write(text: str, out: Path | None, database: str, force: bool) -> int:
    """Write `text` to `out`: never onto the transcript database (or its journal), and onto any
    other existing file only with --force."""
    if out is None:
        sys.stdout.write(text)
        return 0
    if is_database(out, Path(database)):
        raise CommandError(f"{out}: refusing to overwrite the transcript database", 2)
    if out.is_dir():
        raise CommandError(f"{out}: is a folder; give a file name", 2)
    try:
        with out.open("w" if force else "x", encoding="utf-8") as file:
            file.write(text)
    except FileExistsError:
        raise CommandError(f"{out}: already exists (add --force to overwrite it)", 2) from None
    except OSError as error:
        raise CommandError(f"{out}: cannot write: {error.strerror}") from None
    print(one_line(f"Wrote {out}"), file=sys.stderr)
    return 0


# A session export is kilobytes; anything this size is not one.
MAX_IMPORT_BYTES = 32 * 1024 * 1024


def _import(store: SqliteTranscriptStore, path: Path) -> int:
    from interviewer.core.transcripts.render import from_json

    try:
        if path.exists() and not path.is_file():  # a folder, or a FIFO that would hang the read
            raise CommandError(f"{path}: cannot read: not a regular file", 2)
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise CommandError(f"{path}: too large for a session export", 2)
        record = from_json(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise CommandError(f"{path}: cannot read: {error.strerror}") from None
    except (ValueError, UnicodeDecodeError) as error:
        reason = "not UTF-8 text" if isinstance(error, UnicodeDecodeError) else str(error)
        raise CommandError(f"{path}: {reason}", 2) from None
    session_id = store.import_session(record)
    print(one_line(f"Imported {path} as session {session_id} ({len(record.answers)} answers)."))
    return 0
