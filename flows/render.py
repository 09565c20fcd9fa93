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
    """A version's summary (with where its dataset card is), lineage, stage counts, quarantine,
    tokens, evaluations and the checkpoints trained on it, as tables."""
    summary = Table("field", "value", title=shown.get("ref", ""))
    if shown.get("tags"):
        summary.add_row("tags", ", ".join(shown["tags"]))
    for key in SUMMARY_FIELDS:
        summary.add_row(key, str(shown.get(key)))
    summary.add_row("params", json.dumps(shown.get("params"), default=str))
    if labels := (shown.get("stats") or {}).get("labels"):
        summary.add_row("labels", json.dumps(labels))
    summary.add_row("card", shown.get("card") or f"none yet: datagen catalog card {shown['ref']}")
    console.print(summary)
    _rows(console, "lineage", shown.get("lineage", []), ("kind", "ref", "license"))
    _rows(
        console,
        "stage counts",
        shown.get("stage_counts", []),
        ("stage", "n_in", "n_out", "n_filtered", "n_quarantined"),
    )
    _rows(console, "quarantine", shown.get("quarantine", []), ("stage", "reason", "count"))
    if tokens := shown.get("tokens", {}).get("rows"):
        total = {"stage": "total", "engine": ""} | {
            k: shown["tokens"][k] for k in ("prompt_tokens", "completion_tokens", "cost")
        }
        _rows(
            console,
            "tokens",
            [t | {"cost": _cost(t["cost"])} for t in [*tokens, total]],
            ("stage", "engine", "prompt_tokens", "completion_tokens", "cost"),
        )
    evaluations = [
        e
        | {
            "finished_at": e["finished_at"][:16].replace("T", " "),
            "figures": figures_text(e["figures"]),
        }
        for e in shown.get("evaluations", [])
    ]
    _rows(
        console, "evaluations", evaluations, ("eval_id", "kind", "engine", "finished_at", "figures")
    )
    models = [
        m | {"created_at": _minute(m["created_at"]), "metrics": metrics_text(m["metrics"])}
        for m in shown.get("models", [])
    ]
    _rows(
        console,
        "models trained on it",
        models,
        ("created_at", "trainer", "view", "base_model", "path", "metrics"),
    )


MODEL_METRICS = ("global_step", "train_loss", "eval_loss", "reward", "eval_accuracy")
"""The final metrics of a checkpoint that ``catalog show`` and ``catalog models`` print."""


def metrics_text(metrics: dict[str, Any]) -> str:
    """A checkpoint's main final metrics on one line: ``global_step 2, train_loss 0.693``."""
    return ", ".join(f"{key} {_number(metrics[key])}" for key in MODEL_METRICS if key in metrics)


def _minute(moment: str) -> str:
    """An ISO 8601 time to the minute, ``2026-12-06 13:05``."""
    return moment[:16].replace("T", " ")


def _cost(value: float | None) -> str:
    return "-" if value is None else f"${value:.4f}"


def _number(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def figures_text(figures: dict[str, Any], *, prefix: str = "", depth: int = 0) -> str:
    """An evaluation's figures on one line, a group's by their own name: ``overall 0.500,
    visual 1.000, auditory -`` (``-`` where there was nothing to count); in a group of groups
    each inner group names its figures (``simple pair_accuracy 0.750``), so a critic's
    per-category figures keep their category."""
    parts = []
    for key, value in figures.items():
        if isinstance(value, dict):
            inner = f"{prefix}{key} " if depth >= 1 else prefix
            parts.append(figures_text(value, prefix=inner, depth=depth + 1))
        else:
            parts.append(f"{prefix}{key} {_number(value)}")
    return ", ".join(p for p in parts if p)


def render_cloze_summary(console: Console, evaluation: dict[str, Any]) -> None:
    """An Omni-Cloze evaluation (as stored): accuracy per tag and overall, the reasons of the
    wrong answers, and where the evaluation is stored."""
    figures, counts = evaluation["figures"], evaluation["counts"]
    table = Table("tag", "blanks", "correct", "accuracy", title=f"Omni-Cloze: {evaluation['ref']}")
    for tag, blanks in counts["blanks_per_tag"].items():
        right = counts["correct_per_tag"][tag]
        table.add_row(tag, str(blanks), str(right), _number(figures["per_tag"][tag]))
    right = sum(counts["correct_per_tag"].values())
    table.add_row("overall", str(counts["blanks"]), str(right), _number(figures["overall"]))
    console.print(table)
    reasons = ", ".join(f"{reason} {n}" for reason, n in counts["reasons"].items())
    console.print(f"reasons: {reasons}", soft_wrap=True, markup=False)
    if counts["clips_without_caption"] or counts["captions_unused"]:
        console.print(
            f"clips without a caption: {counts['clips_without_caption']} of {counts['items']} "
            f"(their blanks count as missing answers); captions of other clips ignored: "
            f"{counts['captions_unused']}",
            soft_wrap=True,
            markup=False,
        )
    (captions,) = evaluation["inputs"]
    console.print(
        f"stored evaluation {evaluation['eval_id']} of {evaluation['ref']}: engine "
        f"{evaluation['engine']} ({evaluation['model']}), captions {captions['path']} "
        f"(sha256 {captions['sha256'][:12]})",
        soft_wrap=True,
        markup=False,
    )


def _rows(console: Console, title: str, rows: Sequence[dict], columns: tuple[str, ...]) -> None:
    if not rows:
        return
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*(str(row.get(c, "")) for c in columns))
    console.print(table)
