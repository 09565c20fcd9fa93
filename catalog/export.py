"""Exports of a version for people and tools outside the store, each with its dataset card.

``export_parquet`` copies the parts as they are (trainers read Parquet directly), and
``datasets.load_dataset(OUT)`` reads them through the card's ``configs``; ``export_hf`` writes
a Hugging Face ``datasets`` folder that ``load_from_disk`` opens (its card has no ``configs``:
``save_to_disk``'s Arrow files are not a ``load_dataset`` layout). The card (``README.md`` and
``plots/``, see ``card.py``) records where the rows came from, so an export stays traceable
once copied away.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyarrow.parquet as pq

from datagen.catalog.card import Card, export_card, version_card, write_card
from datagen.catalog.card_text import DATA_SPLIT
from datagen.catalog.catalog import Catalog
from datagen.catalog.records import CatalogError

HF_LABEL = "label"
HF_SECTION = """## Loading this export

A `datasets.save_to_disk` folder: `datasets.load_from_disk("<this folder>")` opens it (not
`load_dataset`, which reads Parquet or JSON files)."""


class ExportError(CatalogError):
    """An export that cannot be written as asked."""


def render_card(
    card: Card, *, data_files: Mapping[str, Sequence[str]] | None, section: str = ""
) -> str:
    """An export's README.md: the version's card, its ``configs`` naming the export's files
    (none for a ``save_to_disk`` folder) and ``section`` (the trainer's commands) appended."""
    return export_card(card, data_files=data_files, section=section).text()


def write_export_card(
    card: Card, out_dir: Path, *, data_files: Mapping[str, Sequence[str]] | None, section: str = ""
) -> Path:
    """Write ``render_card``'s README.md and the card's plots into ``out_dir``."""
    return write_card(export_card(card, data_files=data_files, section=section), out_dir)


def _prepare_dir(out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ExportError(f"export folder {out_dir} is not empty; choose a new or empty folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    return out_dir


def export_parquet(catalog: Catalog, ref: str, out_dir: Path) -> list[Path]:
    """Copy a version's Parquet parts and its card into ``out_dir``; return the parts."""
    info = catalog.resolve(ref)
    card = version_card(catalog, info.ref)
    out_dir = _prepare_dir(out_dir)
    copied = []
    for path in info.paths:
        copied.append(Path(shutil.copy2(path, out_dir / path.name)))
    write_export_card(card, out_dir, data_files={DATA_SPLIT: [p.name for p in copied]})
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
    card = version_card(catalog, info.ref)
    out_dir = _prepare_dir(out_dir)
    with tempfile.TemporaryDirectory(prefix="datagen-hf-") as cache:
        dataset = datasets.Dataset.from_parquet(
            [str(p) for p in info.paths], cache_dir=cache, keep_in_memory=False
        )
        dataset.save_to_disk(str(out_dir))
    write_export_card(card, out_dir, data_files=None, section=HF_SECTION)
    return out_dir
