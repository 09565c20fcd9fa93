"""Rich rendering of catalog answers for the terminal (the ``--json`` flags print raw data)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table


def render_show(console: Console, shown: dict[str, Any]) -> None:
    """A version's summary, lineage, stage counts and quarantine, as tables."""
    version = shown.get("version", {})
    summary = Table("field", "value", title=f"{version.get('dataset')}@{version.get('version')}")
    for key in (
        "created_at",
        "row_count",
        "bytes",
        "content_hash",
        "schema_id",
        "code_version",
        "flow_run_id",
    ):
        summary.add_row(key, str(version.get(key)))
    summary.add_row("params", json.dumps(version.get("params"), default=str)[:400])
    console.print(summary)
    _rows_table(console, "lineage", shown.get("lineage", []), ("kind", "ref", "license"))
    _rows_table(
        console, "stage counts", shown.get("stage_counts", []),
        ("stage", "n_in", "n_out", "n_filtered", "n_quarantined"),
    )  # fmt: skip
    _rows_table(console, "quarantine", shown.get("quarantine", []), ("stage", "reason", "count"))
    stats = version.get("stats") or {}
    if labels := stats.get("labels"):
        console.print(f"labels: {labels}")


def _rows_table(
    console: Console, title: str, rows: list[dict[str, Any]], columns: tuple[str, ...]
) -> None:
    if not rows:
        return
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*(str(row.get(c, "")) for c in columns))
    console.print(table)
