"""Rich rendering of catalog answers for the terminal (``--json`` prints the raw data)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

SUMMARY_FIELDS = (
    "created_at",
    "row_count",
    "bytes",
    "content_hash",
    "schema_id",
    "code_version",
    "flow_run_id",
)


def render_show(console: Console, shown: dict[str, Any]) -> None:
    """A version's summary, lineage, stage counts and quarantine, as tables."""
    summary = Table("field", "value", title=shown.get("ref", ""))
    for key in SUMMARY_FIELDS:
        summary.add_row(key, str(shown.get(key)))
    summary.add_row("params", json.dumps(shown.get("params"), default=str))
    if labels := (shown.get("stats") or {}).get("labels"):
        summary.add_row("labels", json.dumps(labels))
    console.print(summary)
    _rows(console, "lineage", shown.get("lineage", []), ("kind", "ref", "license"))
    _rows(
        console,
        "stage counts",
        shown.get("stage_counts", []),
        ("stage", "n_in", "n_out", "n_filtered", "n_quarantined"),
    )
    _rows(console, "quarantine", shown.get("quarantine", []), ("stage", "reason", "count"))


def _rows(console: Console, title: str, rows: Sequence[dict], columns: tuple[str, ...]) -> None:
    if not rows:
        return
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*(str(row.get(c, "")) for c in columns))
    console.print(table)
