"""Retention: deleting versions, one by one (``catalog delete``) or by rule (``catalog prune``).

A deleted version loses its rows in the catalog and its files, and leaves a tombstone (its
summary, when and why it went); its number stays taken, so ``NAME@3`` never means two
things. ``prune --keep N`` keeps, of each dataset, the newest N versions, every tagged one
and every parent (``lineage`` kind ``parent``) of a version it keeps, across datasets and
transitively, so a second prune with the same N removes nothing more. A tagged version goes
only with ``force``, and its tags go with it (recorded in ``tag_history``).

The caller holds the catalog connection (no publish runs meanwhile); files are removed after
the commit, and a crash between the two leaves folders that ``catalog gc`` removes.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from datagen.catalog.records import CatalogError, TaggedVersionError, Tombstone
from datagen.catalog.store import Store
from datagen.catalog.tags import all_tags, remove_version_tags, tags_of_version

VERSION_TABLES = (
    "versions",
    "files",
    "lineage",
    "quarantine",
    "stage_counts",
    "evaluations",
    "token_counts",
)
"""The tables with rows of a version, deleted with it."""

_TOMBSTONE_COLUMNS = "dataset, version, created_at, row_count, content_hash, deleted_at, reason"


@dataclass(frozen=True, kw_only=True)
class PruneDecision:
    """Whether prune keeps a version, and why (``newest 3``, ``tagged prod``, ``parent of
    other@4``; for a removed one, the rule it fell to)."""

    dataset: str
    version: int
    kept: bool
    why: str
    row_count: int
    bytes: int

    @property
    def ref(self) -> str:
        return f"{self.dataset}@{self.version}"


@dataclass(frozen=True, kw_only=True)
class PruneReport:
    """Every version's decision, by dataset and newest first; nothing removed if ``dry_run``."""

    keep: int
    dry_run: bool
    decisions: tuple[PruneDecision, ...]

    @property
    def removed(self) -> tuple[PruneDecision, ...]:
        return tuple(d for d in self.decisions if not d.kept)

    @property
    def kept(self) -> tuple[PruneDecision, ...]:
        return tuple(d for d in self.decisions if d.kept)

    @property
    def bytes_freed(self) -> int:
        return sum(d.bytes for d in self.removed)


def _parent_key(ref: str) -> tuple[str, int] | None:
    name, _, number = ref.rpartition("@")
    return (name, int(number)) if name and number.isdigit() else None


def plan_prune(con: duckdb.DuckDBPyConnection, keep: int) -> list[PruneDecision]:
    """What ``prune --keep keep`` keeps and removes, and why; changes nothing."""
    if keep < 0:
        raise CatalogError(f"prune --keep must be at least 0, got {keep}")
    rows = con.execute(
        "SELECT dataset, version, row_count, bytes, "
        "row_number() OVER (PARTITION BY dataset ORDER BY version DESC) AS age "
        "FROM versions ORDER BY dataset, version DESC"
    ).fetchall()
    why: dict[tuple[str, int], list[str]] = {(d, v): [] for d, v, *_ in rows}
    for dataset, version, _, _, age in rows:
        if age <= keep:
            why[(dataset, version)].append(f"newest {keep}")
    for dataset, tag, version in all_tags(con):
        if (dataset, version) in why:
            why[(dataset, version)].append(f"tagged {tag}")
    parents: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for dataset, version, ref in con.execute(
        "SELECT dataset, version, ref FROM lineage WHERE kind = 'parent' ORDER BY dataset, version"
    ).fetchall():
        parent = _parent_key(ref)
        if parent in why and parent != (dataset, version):
            parents.setdefault((dataset, version), []).append(parent)
    todo = [key for key, reasons in why.items() if reasons]
    while todo:  # a kept version keeps its parents, and theirs
        child = todo.pop()
        for parent in parents.get(child, []):
            if not why[parent]:
                todo.append(parent)
            why[parent].append(f"parent of {child[0]}@{child[1]}")
    return [
        PruneDecision(
            dataset=dataset,
            version=version,
            kept=bool(why[(dataset, version)]),
            why=", ".join(why[(dataset, version)])
            or f"not among the newest {keep}, untagged, no kept version's parent",
            row_count=row_count,
            bytes=size,
        )
        for dataset, version, row_count, size, _ in rows
    ]


def tombstones(con: duckdb.DuckDBPyConnection, dataset: str) -> list[Tombstone]:
    """A dataset's deleted versions, oldest number first."""
    rows = con.execute(
        f"SELECT {_TOMBSTONE_COLUMNS} FROM tombstones WHERE dataset = ? ORDER BY version",
        [dataset],
    ).fetchall()
    return [
        Tombstone(
            dataset=d,
            version=v,
            created_at=created.replace(tzinfo=UTC),
            row_count=n,
            content_hash=content,
            deleted_at=deleted.replace(tzinfo=UTC),
            reason=reason,
        )
        for d, v, created, n, content, deleted, reason in rows
    ]


def tombstone_of(con: duckdb.DuckDBPyConnection, dataset: str, version: int) -> Tombstone | None:
    found = [t for t in tombstones(con, dataset) if t.version == version]
    return found[0] if found else None


def _bury(con: duckdb.DuckDBPyConnection, dataset: str, version: int, reason: str) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute(
        f"INSERT INTO tombstones ({_TOMBSTONE_COLUMNS}) "
        "SELECT dataset, version, created_at, row_count, content_hash, ?, ? FROM versions "
        "WHERE dataset = ? AND version = ?",
        [now, reason, dataset, version],
    )
    remove_version_tags(con, dataset, version)
    for table in VERSION_TABLES:
        con.execute(f"DELETE FROM {table} WHERE dataset = ? AND version = ?", [dataset, version])


def remove_versions(
    con: duckdb.DuckDBPyConnection,
    store: Store,
    targets: Sequence[tuple[str, int]],
    *,
    reason: str,
    force: bool = False,
) -> list[Tombstone]:
    """Delete existing versions in one transaction, leaving tombstones, then their files.

    A tagged version raises ``TaggedVersionError`` (nothing deleted) unless ``force``; with
    ``force`` its tags are removed and the removals recorded."""
    if not force:
        for dataset, version in targets:
            if tagged := tags_of_version(con, dataset, version):
                raise TaggedVersionError(
                    f"{dataset}@{version} is tagged {', '.join(tagged)}: untag it first, or "
                    "delete with --force (its tags are removed)"
                )
    con.execute("BEGIN TRANSACTION")
    try:
        for dataset, version in targets:
            _bury(con, dataset, version, reason)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    for dataset, version in targets:
        shutil.rmtree(store.version_dir(dataset, version), ignore_errors=True)
    return [t for dataset, version in targets if (t := tombstone_of(con, dataset, version))]


def prune(
    con: duckdb.DuckDBPyConnection, store: Store, *, keep: int, dry_run: bool = False
) -> PruneReport:
    """Remove what ``plan_prune`` does not keep (unless ``dry_run``); tagged versions are
    always kept, so no ``force`` is involved."""
    decisions = plan_prune(con, keep)
    report = PruneReport(keep=keep, dry_run=dry_run, decisions=tuple(decisions))
    if not dry_run and report.removed:
        remove_versions(
            con,
            store,
            [(d.dataset, d.version) for d in report.removed],
            reason=f"pruned with --keep {keep}",
        )
    return report
