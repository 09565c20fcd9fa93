"""What a version's report shows, gathered from the catalog; ``report_html`` renders it.

``build_report`` reads the version's card (``card.version_card``), a spread of its rows with
their verdict columns first, a sample of its quarantine per (stage, reason code), its lineage
as a graph (parents followed back a few generations) and its diffs to the previous version of
the same dataset and to each lineage parent (``Catalog.diff``). Nothing here writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from datagen.catalog.catalog import Catalog
from datagen.catalog.lineage_svg import LineageEdge, LineageGraph, LineageNode
from datagen.catalog.records import CatalogError, VersionInfo

VERDICT_WORDS = frozenset(
    {
        "reason", "reasons", "score", "verdict", "verdicts", "valid", "passed", "pass", "correct",
        "reward", "label", "margin", "ansf1", "error", "value", "status", "preferred",
    }
)  # fmt: skip
"""A column is a verdict when one of its ``_``-separated words is one of these."""
LINEAGE_DEPTH = 4


@dataclass(frozen=True, kw_only=True)
class SampleRow:
    """One row of the version: its position, its verdict columns and the rest."""

    index: int
    verdicts: dict[str, Any]
    fields: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class QuarantineSample:
    record_id: str
    reason: str
    record: str
    """The rejected record as JSON text, as the catalog keeps it."""


@dataclass(frozen=True, kw_only=True)
class QuarantineGroup:
    """The records one stage rejected for one reason code (the reason up to its first ': ')."""

    stage: str
    code: str
    count: int
    samples: tuple[QuarantineSample, ...]


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """The diff from an earlier version (``Catalog.diff(other, version)``), or why not."""

    other: str
    relation: str
    """``previous version``, ``lineage parent`` or both."""
    diff: dict[str, Any] | None
    error: str | None = None


@dataclass(frozen=True, kw_only=True)
class VersionReport:
    ref: str
    shown: dict[str, Any]
    """``Catalog.show`` of the version."""
    card: Any
    """The version's ``card.Card``: front matter, Markdown body, plots."""
    columns: tuple[str, ...]
    verdict_columns: tuple[str, ...]
    rows: tuple[SampleRow, ...]
    quarantine: tuple[QuarantineGroup, ...]
    lineage: LineageGraph
    comparisons: tuple[Comparison, ...]

    @property
    def quarantined(self) -> int:
        return sum(group.count for group in self.quarantine)


def is_verdict_column(name: str) -> bool:
    """``reason``, ``chosen_score``, ``pass_rate``, ``error_type``: yes; ``question``: no."""
    return any(word in VERDICT_WORDS for word in name.lower().split("_"))


def spread_indices(total: int, count: int) -> list[int]:
    """``count`` row positions spread evenly over ``total`` rows, first row included."""
    if count <= 0 or total <= 0:
        return []
    if count >= total:
        return list(range(total))
    return [i * total // count for i in range(count)]


def sample_rows(info: VersionInfo, count: int) -> tuple[tuple[str, ...], list[SampleRow]]:
    """The version's columns and ``count`` of its rows, spread over all its parts."""
    import pyarrow.dataset as ds

    dataset = ds.dataset([str(p) for p in info.paths], format="parquet")
    columns = tuple(dataset.schema.names)
    indices = spread_indices(info.row_count, count)
    taken = dataset.take(indices).to_pylist() if indices else []
    rows = [
        SampleRow(
            index=index,
            verdicts={k: v for k, v in row.items() if is_verdict_column(k)},
            fields={k: v for k, v in row.items() if not is_verdict_column(k)},
        )
        for index, row in zip(indices, taken, strict=True)
    ]
    return columns, rows


_CODE = "split_part(reason, ': ', 1)"


def quarantine_sample(
    catalog: Catalog, info: VersionInfo, per_reason: int
) -> tuple[QuarantineGroup, ...]:
    """Every (stage, reason code) the version quarantined, counted, with up to ``per_reason``
    of its records (the first by record id)."""
    key = [info.dataset, info.version]
    with catalog.connect() as con:
        groups = con.execute(
            f"SELECT stage, {_CODE} AS code, count(*) FROM quarantine "
            "WHERE dataset = ? AND version = ? GROUP BY stage, code ORDER BY stage, code",
            key,
        ).fetchall()
        picked = con.execute(
            f"SELECT stage, code, record_id, reason, record FROM ("
            f"SELECT stage, {_CODE} AS code, record_id, reason, CAST(record AS VARCHAR) AS record, "
            f"row_number() OVER (PARTITION BY stage, {_CODE} ORDER BY record_id, reason) AS k "
            "FROM quarantine WHERE dataset = ? AND version = ?) "
            "WHERE k <= ? ORDER BY stage, code, k",
            [*key, per_reason],
        ).fetchall()
    samples: dict[tuple[str, str], list[QuarantineSample]] = {}
    for stage, code, record_id, reason, record in picked:
        samples.setdefault((stage, code), []).append(
            QuarantineSample(record_id=record_id, reason=reason, record=record)
        )
    return tuple(
        QuarantineGroup(
            stage=stage, code=code, count=n, samples=tuple(samples.get((stage, code), ()))
        )
        for stage, code, n in groups
    )


def _parents(shown: dict[str, Any]) -> list[str]:
    return [entry["ref"] for entry in shown["lineage"] if entry["kind"] == "parent"]


def _source_detail(entry: dict[str, Any]) -> str:
    license_ = f"license {entry['license']}" if entry["license"] else ""
    details = ", ".join(
        f"{k}={v}"
        for k, v in sorted(entry["details"].items())
        if not (k == "license" and v == entry["license"])
    )
    return "; ".join(part for part in (license_, details) if part)


def lineage_graph(
    catalog: Catalog, shown: dict[str, Any], *, depth: int = LINEAGE_DEPTH
) -> LineageGraph:
    """The version, its sources, its parents and theirs, ``depth`` generations back; a parent
    that is gone (deleted, pruned) is a ``missing`` box with the catalog's reason."""
    nodes: dict[str, LineageNode] = {}
    edges: list[LineageEdge] = []
    todo: list[tuple[dict[str, Any], int]] = [(shown, 0)]
    nodes[shown["ref"]] = LineageNode(key=shown["ref"], label=shown["ref"], kind="version")
    while todo:
        current, generation = todo.pop(0)
        for entry in current["lineage"]:
            ref = entry["ref"]
            if entry["kind"] == "source":  # a box per version's source: arrows stay short
                key = "source:" + json.dumps([current["ref"], ref], default=str)
                nodes.setdefault(
                    key,
                    LineageNode(key=key, label=ref, kind="source", detail=_source_detail(entry)),
                )
                edges.append(LineageEdge(source=key, target=current["ref"], kind="source"))
                continue
            edges.append(LineageEdge(source=ref, target=current["ref"], kind="parent"))
            if ref in nodes:
                continue
            try:
                parent = catalog.show(ref)
            except CatalogError as exc:
                nodes[ref] = LineageNode(key=ref, label=ref, kind="missing", detail=str(exc))
                continue
            nodes[ref] = LineageNode(key=ref, label=ref, kind="version")
            if generation + 1 < depth:
                todo.append((parent, generation + 1))
    return LineageGraph(root=shown["ref"], nodes=tuple(nodes.values()), edges=tuple(edges))


def comparisons(catalog: Catalog, info: VersionInfo, shown: dict[str, Any]) -> list[Comparison]:
    """Diffs from the dataset's previous version and from each lineage parent (once each)."""
    earlier = [v.version for v in catalog.list_versions(info.dataset) if v.version < info.version]
    relations: dict[str, list[str]] = {}
    if earlier:
        relations[f"{info.dataset}@{max(earlier)}"] = ["previous version"]
    for parent in _parents(shown):
        relations.setdefault(parent, []).append("lineage parent")
    found = []
    for other, relation in relations.items():
        try:
            diff, error = catalog.diff(other, info.ref), None
        except CatalogError as exc:
            diff, error = None, str(exc)
        found.append(
            Comparison(other=other, relation=" and ".join(relation), diff=diff, error=error)
        )
    return found


def build_report(
    catalog: Catalog,
    ref: str,
    *,
    rows: int = 10,
    per_reason: int = 3,
    lineage_depth: int = LINEAGE_DEPTH,
    card_of: Callable[[Catalog, str], Any] | None = None,
) -> VersionReport:
    """Everything the report of ``ref`` shows; ``card_of`` makes the card (default
    ``card.version_card``). Unknown datasets and versions raise the catalog's errors."""
    if rows < 0 or per_reason < 0 or lineage_depth < 1:
        raise ValueError(
            f"need rows >= 0, per_reason >= 0 and lineage_depth >= 1, got {rows}, {per_reason}, "
            f"{lineage_depth}"
        )
    if card_of is None:
        from datagen.catalog.card import version_card

        card_of = version_card
    info = catalog.resolve(ref)
    shown = catalog.show(info.ref)
    columns, sampled = sample_rows(info, rows)
    return VersionReport(
        ref=info.ref,
        shown=shown,
        card=card_of(catalog, info.ref),
        columns=columns,
        verdict_columns=tuple(c for c in columns if is_verdict_column(c)),
        rows=tuple(sampled),
        quarantine=quarantine_sample(catalog, info, per_reason),
        lineage=lineage_graph(catalog, shown, depth=lineage_depth),
        comparisons=tuple(comparisons(catalog, info, shown)),
    )
