"""A dataset card per version: ``README.md`` with Hugging Face front matter, and ``plots/``.

The card sits in the version's folder beside its Parquet parts, the file ``datasets`` reads
front matter from, so ``datasets.load_dataset(VERSION_DIR)`` finds the parts through its
``configs``. It is written after the version is committed and is not part of it: the
version's ``content_hash`` covers the rows only, and a card can be rebuilt at any time
(``datagen catalog card``). What a card tells and plots comes from a spec
(``datagen.generators.recipes.CardSpec``, passed in as data: the catalog knows no dataset);
without one a card shows the generic plots, each left out when its column is missing.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from datagen.catalog.card_data import render_plot
from datagen.catalog.card_text import (
    DATA_SPLIT,
    CardSpecLike,
    data_configs,
    front_matter,
    render_body,
)
from datagen.catalog.records import CatalogError

if TYPE_CHECKING:
    from datagen.catalog.catalog import Catalog

CARD_FILE = "README.md"
PLOTS_DIR = "plots"
_IMAGE = re.compile(r"!\[([^\]]*)\]\(plots/([A-Za-z0-9_.-]+)\.png\)")
MAX_PARENT_DEPTH = 8
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Plot:
    """One PNG of a card, shown as ``![title](plots/NAME.png)``."""

    name: str
    title: str
    png: bytes


@dataclass(frozen=True)
class Card:
    """A dataset card: its YAML front matter, its Markdown body and the plots it shows."""

    front_matter: dict
    body: str
    plots: tuple[Plot, ...]

    def text(self) -> str:
        """The whole README.md: front matter between ``---`` lines, then the body."""
        import yaml

        header = yaml.safe_dump(
            self.front_matter, sort_keys=False, allow_unicode=True, default_flow_style=False
        )
        return f"---\n{header}---\n\n{self.body}"


class GenericPlot(NamedTuple):
    """A plot of the card a version gets without a spec (the attributes of a ``PlotSpec``)."""

    name: str
    title: str
    kind: str
    column: str = ""
    stages: tuple[str, ...] = ()
    having: str = ""
    bins: int = 20


class GenericSpec(NamedTuple):
    """The spec of a card built without one: the recipes' ``GENERIC_CARD``, spelt out (the
    catalog imports no generators; tests/card checks that the two agree)."""

    title: str = ""
    summary: str = ""
    method: str = ""
    paper: str | None = None
    verifiers: str = ""
    task_categories: tuple[str, ...] = ("text-generation",)
    tags: tuple[str, ...] = ()
    plots: tuple[GenericPlot, ...] = (
        GenericPlot("labels", "Label balance", "bar", "label"),
        GenericPlot("scores", "Score distribution", "hist", "score"),
        GenericPlot("pass-rates", "Pass-rate distribution", "hist", "pass_rate"),
        GenericPlot("complexity", "Complexity", "hist", "complexity"),
        GenericPlot("funnel", "Records per stage", "funnel"),
    )


def _licences(catalog: Catalog, lineage: Sequence[Mapping[str, Any]], depth: int = 0) -> list:
    """The licences of a version's data sources, a parent's own sources standing in for a
    parent entry without one (``None`` for a source without a recorded licence)."""
    found: list[str | None] = []
    for entry in lineage:
        if entry["ref"].startswith("engine:"):
            continue
        if entry["kind"] == "parent" and not entry.get("license") and depth < MAX_PARENT_DEPTH:
            try:
                parent = catalog.show(entry["ref"])
            except CatalogError:  # deleted since: its licence is unknown
                found.append(None)
                continue
            found += _licences(catalog, parent["lineage"], depth + 1)
        else:
            found.append(entry.get("license"))
    return found


def _quarantined(catalog: Catalog, ref: str) -> list[tuple[str, dict[str, Any]]]:
    table = catalog.quarantined(ref)
    stages, records = table.column("stage").to_pylist(), table.column("record").to_pylist()
    return [(stage, json.loads(record)) for stage, record in zip(stages, records, strict=True)]


def build_card(catalog: Catalog, ref: str, *, spec: CardSpecLike | None = None) -> Card:
    """The card of a version from what the catalog recorded and its rows; ``spec`` (a
    recipe's ``CardSpec``) says what it tells and plots, else the generic plots. A plot whose
    column is missing or empty is left out, and so is one that fails to draw (logged)."""
    spec = spec or GenericSpec()
    info = catalog.resolve(ref)
    shown = catalog.show(info.ref)
    quarantined: list[tuple[str, dict[str, Any]]] | None = None
    plots = []
    for plot in spec.plots:
        if plot.kind == "rate" and quarantined is None:
            quarantined = _quarantined(catalog, info.ref)
        try:
            png = render_plot(
                plot,
                paths=info.paths,
                schema_id=info.schema_id,
                stage_counts=shown["stage_counts"],
                quarantined=quarantined or [],
            )
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("card of %s: plot %r left out: %s", info.ref, plot.name, exc)
            continue
        if png is not None:
            plots.append(Plot(name=plot.name, title=plot.title, png=png))
    licences = _licences(catalog, shown["lineage"])
    data_files = {DATA_SPLIT: [path.name for path in info.paths]}
    return Card(
        front_matter=front_matter(shown, spec, licences=licences, data_files=data_files),
        body=render_body(shown, spec, licences=licences, plots=[(p.name, p.title) for p in plots]),
        plots=tuple(plots),
    )


def write_card(card: Card, folder: Path) -> Path:
    """Write ``README.md`` and ``plots/`` into ``folder``, replacing a card already there: the
    plots are moved into place first, the README last (each by rename), so a README is never
    seen without its plots. Returns the README's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".card-", dir=folder))
    try:
        plots = scratch / PLOTS_DIR
        plots.mkdir()
        for plot in card.plots:
            (plots / f"{plot.name}.png").write_bytes(plot.png)
        (scratch / CARD_FILE).write_text(card.text())
        if (folder / PLOTS_DIR).exists():
            os.replace(folder / PLOTS_DIR, scratch / "replaced")
        os.replace(plots, folder / PLOTS_DIR)
        os.replace(scratch / CARD_FILE, folder / CARD_FILE)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return folder / CARD_FILE


def read_card(folder: Path) -> Card | None:
    """The card written in ``folder`` (its README.md and the plots it shows), or ``None``."""
    import yaml

    path = Path(folder) / CARD_FILE
    if not path.is_file():
        return None
    text = path.read_text()
    header, sep, body = text.removeprefix("---\n").partition("\n---\n")
    if not text.startswith("---\n") or not sep:
        return Card(front_matter={}, body=text, plots=())
    plots = []
    for title, name in _IMAGE.findall(body):
        png = Path(folder) / PLOTS_DIR / f"{name}.png"
        if png.is_file():
            plots.append(Plot(name=name, title=title, png=png.read_bytes()))
    return Card(
        front_matter=yaml.safe_load(header) or {},
        body=body.removeprefix("\n"),
        plots=tuple(plots),
    )


def card_file(folder: Path) -> Path | None:
    """The README.md of ``folder``'s card, if it has one."""
    path = Path(folder) / CARD_FILE
    return path if path.is_file() else None


def version_card(catalog: Catalog, ref: str) -> Card:
    """A version's card: the one published in its folder, else one built now (generic plots,
    not written; ``datagen catalog card`` writes the dataset's own)."""
    info = catalog.resolve(ref)
    folder = catalog.store.version_dir(info.dataset, info.version)
    return read_card(folder) or build_card(catalog, info.ref)


def publish_card(catalog: Catalog, ref: str, *, spec: CardSpecLike | None = None) -> Path:
    """Build a version's card and write it into the version's folder; its README's path."""
    info = catalog.resolve(ref)
    card = build_card(catalog, info.ref, spec=spec)
    return write_card(card, catalog.store.version_dir(info.dataset, info.version))


def export_card(
    card: Card, *, data_files: Mapping[str, Sequence[str]] | None, section: str = ""
) -> Card:
    """The card of an export: ``configs`` naming the export's files (none: no ``configs``, as
    for a ``save_to_disk`` folder) and ``section`` (the trainer's commands) appended."""
    matter = {k: v for k, v in card.front_matter.items() if k != "configs"}
    if data_files:
        matter["configs"] = data_configs(data_files)
    body = card.body.rstrip() + "\n\n" + section.strip() + "\n" if section else card.body
    return replace(card, front_matter=matter, body=body)
