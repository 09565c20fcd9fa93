"""Write generic view rows as a trainer's files: split, shaped, with the card as README.

The rows come from a dataset's view (``generators.views``); this module knows nothing of any
dataset. Views are kinds of training, not datasets:

- ``rl`` rows ``{id, group_id, data_source, ability, prompt, ground_truth, extra_info}``: a chat
  prompt whose answer a rule-based reward checks against ``ground_truth`` (text, a number, a
  list or a mapping: the verifier decodes it); ``critique`` is its older name;
- ``preference`` rows ``{id, group_id, prompt, chosen, rejected, margin, extra_info}``: a chat
  prompt and two assistant replies, the first one better by ``margin``;
- ``sft`` rows ``{id, group_id, messages, extra_info}``: a conversation ending with the
  assistant turn to learn; turns a tool wrote have role ``tool`` (trainers mask them). An
  optional ``media`` list names the audio and video files its ``<audio>`` / ``<video>``
  placeholders stand for; the export carries the files (``trainer_media``).

``prompt``, ``chosen``, ``rejected`` and ``messages`` are lists of ``{role, content}`` text
messages; ``group_id`` decides the split (``splits.py``).
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from datagen.catalog.card import Card
from datagen.catalog.export import ExportError, _prepare_dir, write_export_card
from datagen.catalog.shards import write_parquet_atomic
from datagen.catalog.splits import split_rows
from datagen.catalog.trainer_formats import LAYOUTS, TRAINERS, GuideFacts, Layout
from datagen.catalog.trainer_media import check_media, copy_media, plan_media

README = "README.md"
"""The export's one README: the version's card, then how to train on the files."""
VIEW_FIELDS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "rl": {
        "id": str,
        "group_id": str,
        "data_source": str,
        "ability": str,
        "prompt": list,
        "ground_truth": (str, numbers.Real, list, dict),
        "extra_info": dict,
    },
    "preference": {
        "id": str,
        "group_id": str,
        "prompt": list,
        "chosen": list,
        "rejected": list,
        "margin": numbers.Real,
        "extra_info": dict,
    },
    "sft": {"id": str, "group_id": str, "messages": list, "extra_info": dict},
}
VIEW_ALIASES = {"critique": "rl"}
"""Older view names, still accepted."""
_MESSAGE_LISTS = ("prompt", "chosen", "rejected", "messages")
_ROLES = ("system", "user", "assistant", "tool")


@dataclass(frozen=True)
class TrainerExport:
    """What an export wrote: the folder, each split's file and row count."""

    out_dir: Path
    trainer: str
    view: str
    files: dict[str, Path]
    counts: dict[str, int]


def layout_for(trainer: str, view: str | None) -> Layout:
    """The layout of ``trainer`` for ``view``; a trainer with a single view needs none named."""
    if trainer not in TRAINERS:
        raise ExportError(f"unknown trainer format {trainer!r}; use one of: {', '.join(TRAINERS)}")
    views = [v for t, v in LAYOUTS if t == trainer]
    view = VIEW_ALIASES.get(view, view) if view else view
    if view is None:
        if len(views) > 1:
            raise ExportError(
                f"{trainer} trains on several views; choose one with --view: {' or '.join(views)}"
            )
        view = views[0]
    if (trainer, view) not in LAYOUTS:
        known = ", ".join(VIEW_FIELDS)
        if view not in VIEW_FIELDS:
            raise ExportError(f"unknown view {view!r}; views are: {known}")
        takers = ", ".join(t for t, v in LAYOUTS if v == view)
        raise ExportError(
            f"{trainer} does not train on the {view} view; it takes: {', '.join(views)}; "
            f"the {view} view goes to: {takers}"
        )
    return LAYOUTS[trainer, view]


def check_view_rows(view: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Refuse rows that do not have the view's fields, types and message shapes."""
    fields = VIEW_FIELDS[view]
    if not rows:
        raise ExportError(f"the {view} view has no rows to export")
    for position, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise ExportError(f"{view} row {position} is a {type(row).__name__}, not a mapping")
        where = f"{view} row {row.get('id', position)!r}"
        missing = [name for name in fields if name not in row]
        if missing:
            raise ExportError(f"{where} lacks {', '.join(missing)}")
        for name, kind in fields.items():
            if not isinstance(row[name], kind) or isinstance(row[name], bool):
                raise ExportError(f"{where}: {name} is {type(row[name]).__name__}")
        for name in (n for n in _MESSAGE_LISTS if n in fields):
            _check_messages(where, name, row[name])
        if "messages" in fields and row["messages"][-1]["role"] != "assistant":
            raise ExportError(f"{where}: messages must end with the assistant turn to learn")
        if view == "sft" and "media" in row:
            check_media(where, row["media"], row["messages"])


def _check_messages(where: str, name: str, messages: list) -> None:
    if not messages:
        raise ExportError(f"{where}: {name} has no messages")
    for message in messages:
        if (
            not isinstance(message, Mapping)
            or message.get("role") not in _ROLES
            or not isinstance(message.get("content"), str)
        ):
            raise ExportError(
                f"{where}: {name} holds {str(message)[:80]!r}, not a {{role, content}} message "
                f"with role in {_ROLES} and text content"
            )


def write_trainer_export(
    rows: Sequence[Mapping[str, Any]],
    *,
    trainer: str,
    view: str | None,
    out_dir: Path,
    fractions: Mapping[str, float],
    ref: str,
    card: Card,
    reward_path: str | None = None,
    reward_import: str | None = None,
    note: str | None = None,
) -> TrainerExport:
    """Split ``rows`` by ``fractions``, write each split in the trainer's shape, the rows'
    clips under ``media/``, then the trainer's extra files (``dataset_info.json``) and
    README.md: the version's ``card`` (its ``configs`` naming the split files, its plots in
    ``plots/``) with the trainer's section (and the dataset's ``note`` for it, if any)."""
    layout = layout_for(trainer, view)
    check_view_rows(layout.view, rows)
    # before the folder is made: a missing clip or a row the trainer cannot take leaves nothing
    media = plan_media(rows)
    shaped = {
        split: [layout.shape(row, split, index) for index, row in enumerate(members)]
        for split, members in split_rows(media.rows, fractions).items()
    }
    out_dir = _prepare_dir(out_dir)
    copy_media(media.sources, out_dir)
    files = {split: out_dir / f"{split}.{layout.suffix}" for split in shaped}
    if layout.suffix == "parquet":
        schema = pa.Table.from_pylist([r for part in shaped.values() for r in part]).schema
        for split, part in shaped.items():
            write_parquet_atomic(pa.Table.from_pylist(part, schema=schema), files[split])
    else:
        for split, part in shaped.items():
            files[split].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part))
    counts = {split: len(part) for split, part in shaped.items()}
    facts = GuideFacts(
        ref=ref,
        dataset=ref.partition("@")[0],
        out_dir=str(out_dir),
        files={split: path.name for split, path in files.items()},
        counts=counts,
        reward_path=reward_path,
        reward_import=reward_import,
        media=len(media.sources),
    )
    for name, text in (layout.extra_files(facts) if layout.extra_files else {}).items():
        (out_dir / name).write_text(text)
    write_export_card(
        card,
        out_dir,
        data_files={split: [name] for split, name in facts.files.items()},
        section=render_readme(layout, facts, fractions, note),
    )
    return TrainerExport(out_dir, trainer, layout.view, files, counts)


def render_readme(
    layout: Layout, facts: GuideFacts, fractions: Mapping[str, float], note: str | None = None
) -> str:
    """The hand-off section of the export's README (below the version's card): the split files
    and how to start the trainer on them."""
    table = ["| split | fraction | rows | file |", "| --- | ---: | ---: | --- |"]
    table += [
        f"| {split} | {fractions[split]:g} | {facts.counts[split]} | `{facts.files[split]}` |"
        for split in facts.files
    ]
    return "\n".join(
        [
            f"## {facts.ref}: {layout.view} view for {layout.trainer}",
            "",
            *table,
            "",
            "Rows are split by a SHA-256 hash of their task id: no task is in two splits, and "
            "re-exporting gives the same splits. The front matter's `configs` name the split "
            "files, so `datasets.load_dataset` on this folder gives splits named as exported "
            "(`val` stays `val`).",
            "",
            layout.guide(facts),
            "",
            *([note, ""] if note else []),
        ]
    )
