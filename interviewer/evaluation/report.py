"""Eval reports: a rich table for people, a JSON file and one CSV row per run for comparisons."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from interviewer.evaluation.labelled import REPO

REPORTS = REPO / "eval" / "reports"
HEADLINE = ("kp_auc", "kp_auc_1v0", "kp_f1", "kp_qwk", "spearman", "pearson", "mae_grade")
CSV_FIELDS = (
    "when",
    "label",
    "rubric_version",
    "params",
    "n_answers",
    "seconds",
    *tuple(f"{subset}{metric}" for subset in ("", "clean_", "messy_") for metric in HEADLINE),
)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return "—" if math.isnan(value) else f"{value:.3f}"
    return str(value)


def metrics_table(columns: Mapping[str, Mapping[str, float]], prefix: str = "labelled_") -> Table:
    """Headline metrics, one column per run (e.g. baseline / this rubric / compared rubric)."""
    table = Table(title="Agreement with the labelled set (kp = per key point)")
    table.add_column("metric")
    for name in columns:
        table.add_column(name, justify="right")
    if len(columns) == 2:
        table.add_column("Δ", justify="right")
    for subset in ("", "clean_", "messy_"):
        for metric in HEADLINE:
            key = f"{prefix}{subset}{metric}"
            values = [col.get(key, float("nan")) for col in columns.values()]
            row = [f"{subset.rstrip('_') or 'all'} {metric}", *(_fmt(v) for v in values)]
            if len(values) == 2:
                row.append(f"{values[1] - values[0]:+.3f}")
            table.add_row(*row, end_section=metric == HEADLINE[-1])
    return table


def kinds_table(per_kind: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> Table:
    table = Table(title="Mean score per kind of answer (graders' grade × 10 beside it)")
    table.add_column("kind")
    runs = list(per_kind)
    for run in runs:
        table.add_column(run, justify="right")
    table.add_column("graders", justify="right")
    kinds = sorted({kind for run in runs for kind in per_kind[run]})
    for kind in kinds:
        cells = [_fmt(per_kind[run].get(kind, {}).get("score", "")) for run in runs]
        graders = per_kind[runs[0]].get(kind, {}).get("graders", "")
        table.add_row(kind, *cells, _fmt(graders))
    return table


def worst_table(rows: Sequence[Mapping[str, Any]], title: str, columns: Sequence[str]) -> Table:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(_fmt(row.get(c, "")) for c in columns))
    return table


def write_reports(
    label: str,
    rubric_version: str,
    params: str,
    seconds: float,
    result: Mapping[str, float],
    details: Mapping[str, Any],
    directory: Path = REPORTS,
    prefix: str = "labelled_",
) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    report = directory / f"{label}-{rubric_version}.json"
    payload = {
        "when": when,
        "label": label,
        "rubric_version": rubric_version,
        "params": params,
        "seconds": round(seconds, 2),
        "metrics": result,
        "details": details,
    }
    report.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    runs = directory / "runs.csv"
    new = not runs.exists()
    with runs.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        if new:
            writer.writeheader()
        row: dict[str, Any] = {
            "when": when,
            "label": label,
            "rubric_version": rubric_version,
            "params": params,
            "seconds": round(seconds, 2),
            "n_answers": int(result.get(f"{prefix}n_answers", 0)),
        }
        for field in CSV_FIELDS[6:]:
            value = result.get(f"{prefix}{field}")
            row[field] = "" if value is None or math.isnan(value) else round(value, 4)
        writer.writerow(row)
    return report, runs


def print_tables(console: Console, *tables: Table) -> None:
    for table in tables:
        console.print(table)
