"""The plain parts of config.toml: the TUI's own choices ([tui] and [tui.start]) and replacing one
table while keeping the others as they were.

No pydantic here (the `[llm]` settings, which need it, are in `interviewer.core.feedback.config`):
the interview command reads the preferences before the TUI's first paint.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# -- the interface's own choices: [tui] (theme) and [tui.start] (the start screen's last choices) --

UI_TABLE = "tui"


@dataclass(frozen=True)
class UiPreferences:
    """What the TUI remembers between runs, in config.toml. `start` has the keys of
    `InterviewSettings.as_dict()` (its time limit in seconds); the file says minutes."""

    theme: str | None = None
    start: Mapping[str, Any] = field(default_factory=dict)


def load_ui_preferences(path: Path) -> UiPreferences:
    """The saved theme and start choices; a missing, unreadable or broken file gives defaults."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return UiPreferences()
    table = data.get(UI_TABLE)
    if not isinstance(table, dict):
        return UiPreferences()
    theme = table.get("theme")
    raw = table.get("start")
    start: dict[str, Any] = {}
    if isinstance(raw, dict):
        for key in ("bank_id", "order"):
            if isinstance(raw.get(key), str):
                start[key] = raw[key]
        for key in ("categories", "difficulties"):
            values = raw.get(key)
            if isinstance(values, list) and all(isinstance(v, str) for v in values):
                start[key] = list(values)
        count = raw.get("count")
        if isinstance(count, int) and not isinstance(count, bool) and count > 0:
            start["count"] = count
        minutes = raw.get("time_limit_minutes")
        if isinstance(minutes, int | float) and not isinstance(minutes, bool) and minutes > 0:
            start["time_limit"] = float(minutes) * 60
    return UiPreferences(theme if isinstance(theme, str) and theme else None, start)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    import json  # only when writing: reading the preferences is on the way to the first paint

    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


def render_ui_tables(preferences: UiPreferences) -> str:
    lines = [f"[{UI_TABLE}]"]
    if preferences.theme:
        lines.append(f"theme = {_toml_value(preferences.theme)}")
    start = dict(preferences.start)
    if start:
        lines += ["", f"[{UI_TABLE}.start]"]
        limit = start.pop("time_limit", None)
        for key, value in start.items():
            if value is not None:
                lines.append(f"{key} = {_toml_value(value)}")
        if isinstance(limit, int | float) and limit > 0:
            lines.append(f"time_limit_minutes = {_toml_value(round(limit / 60, 2))}")
    return "\n".join(lines) + "\n"


def save_ui_preferences(path: Path, preferences: UiPreferences) -> None:
    """Replaces the [tui] tables of the file, keeping every other table (the [llm] one) as it was.
    May raise OSError; the caller reports it."""
    replace_table(path, UI_TABLE, render_ui_tables(preferences))


def replace_table(path: Path, name: str, rendered: str) -> None:
    """Writes `rendered` in place of the file's table `name` (and its sub-tables), atomically."""
    try:
        old = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        old = ""
    kept: list[str] = []
    inside = False
    for line in old.splitlines():
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            inside = header.group(1) == name or header.group(1).startswith(f"{name}.")
        if not inside:
            kept.append(line)
    body = "\n".join(kept).strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (body + "\n\n" if body else "") + rendered
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
