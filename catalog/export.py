"""Exports of a version for people and tools outside the store, each with a dataset card.

``export_parquet`` copies the parts as they are (trainers read Parquet directly);
``export_hf`` writes a Hugging Face ``datasets`` folder that ``load_from_disk`` opens.
The card records where the rows came from, so an export stays traceable once copied away.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from datagen.catalog.catalog import Catalog
from datagen.catalog.records import CatalogError

CARD = "card.md"
HF_LABEL = "label"


class ExportError(CatalogError):
    """An export that cannot be written as asked."""


def _json_block(value: Any) -> str:
    return "```json\n" + json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n```"


def render_card(shown: dict[str, Any]) -> str:
    """A Markdown dataset card from ``Catalog.show`` output."""
    lines = [
        f"# {shown['ref']}",
        "",
        f"- rows: {shown['row_count']}",
        f"- bytes (Parquet, zstd): {shown['bytes']}",
        f"- content hash (sha256 of the Arrow IPC stream): `{shown['content_hash']}`",
        f"- record schema: `{shown['schema_id']}`",
        f"- code version: `{shown['code_version']}`",
        f"- created: {shown['created_at']}",
        f"- flow run: {shown['flow_run_id'] or 'none'}",
        "",
        "## Parameters",
        "",
        _json_block(shown["params"]),
        "",
        "## Lineage",
        "",
    ]
    if shown["lineage"]:
        lines += ["| kind | ref | license |", "| --- | --- | --- |"]
        lines += [f"| {e['kind']} | {e['ref']} | {e['license'] or ''} |" for e in shown["lineage"]]
    else:
        lines.append("No recorded parents or sources.")
    lines += ["", "## Statistics", "", _json_block(shown["stats"]), ""]
    if shown["stage_counts"]:
        lines += [
            "## Stages",
            "",
            "| stage | in | out | filtered | quarantined |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {c['stage']} | {c['n_in']} | {c['n_out']} | {c['n_filtered']} | "
            f"{c['n_quarantined']} |"
            for c in shown["stage_counts"]
        ]
        lines.append("")
    return "\n".join(lines)


def _prepare_dir(out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ExportError(f"export folder {out_dir} is not empty; choose a new or empty folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    return out_dir


def export_parquet(catalog: Catalog, ref: str, out_dir: Path) -> list[Path]:
    """Copy a version's Parquet parts and its card into ``out_dir``; return the parts."""
    info = catalog.resolve(ref)
    shown = catalog.show(info.ref)
    out_dir = _prepare_dir(out_dir)
    copied = []
    for path in info.paths:
        copied.append(Path(shutil.copy2(path, out_dir / path.name)))
    (out_dir / CARD).write_text(render_card(shown))
    return copied


def export_hf(catalog: Catalog, ref: str, out_dir: Path) -> Path:
    """Write a version as a Hugging Face ``datasets`` folder (``save_to_disk``) with its card.

    Classification-style consumers of this format expect a ``label`` column, so a version
    without one is refused rather than exported half-usable.
    """
    import datasets  # heavy: imported only when exporting

    info = catalog.resolve(ref)
    columns = pq.read_schema(info.paths[0]).names
    if HF_LABEL not in columns:
        raise ExportError(
            f"{info.ref} has no {HF_LABEL!r} column, which the hf export needs; "
            f"its columns are: {', '.join(columns)}"
        )
    shown = catalog.show(info.ref)
    out_dir = _prepare_dir(out_dir)
    with tempfile.TemporaryDirectory(prefix="datagen-hf-") as cache:
        dataset = datasets.Dataset.from_parquet(
            [str(p) for p in info.paths], cache_dir=cache, keep_in_memory=False
        )
        dataset.save_to_disk(str(out_dir))
    (out_dir / CARD).write_text(render_card(shown))
    return out_dir
