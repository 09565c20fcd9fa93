"""The run's statistics beside those of the released ToolPref-Pairwise-30K, for the report.

A researcher reproducing ToolRM wants to see at a glance where a run differs from the
paper's data; the paper's figures are the released dataset's (RioLee/ToolPref-Pairwise-30K),
as the issue that asked for them measured its columns.
"""

from __future__ import annotations

from collections.abc import Mapping

PAPER = {
    "rows": "30,000",
    "pairs": "15,000",
    "labels 1/2": "50/50",
    "chosen score": "0.08-1",
    "rejected score": "0-0.97",
    "complexity": "0-50",
    "data sources": "7",
}


def paper_comparison(
    *, rows: int, labels: Mapping[str, int], statistics: Mapping[str, object]
) -> list[str]:
    """One ``name: run (paper: value)`` line per statistic."""
    total = sum(labels.values()) or 1
    split = f"{100 * labels.get('1', 0) / total:.0f}/{100 * labels.get('2', 0) / total:.0f}"

    def span(key: str) -> str:
        value = statistics.get(key)
        return "-" if not isinstance(value, list) else f"{value[0]:g}-{value[1]:g}"

    ours = {
        "rows": str(rows),
        "pairs": str(statistics.get("pairs", 0)),
        "labels 1/2": split,
        "chosen score": span("chosen_score"),
        "rejected score": span("rejected_score"),
        "complexity": span("complexity"),
        "data sources": str(statistics.get("sources", 0)),
    }
    return [f"{name}: {ours[name]} (paper: {PAPER[name]})" for name in PAPER]
