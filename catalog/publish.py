"""Atomic publish: staged Parquet files become a numbered, immutable version, or nothing does.

Everything that can be checked without the catalog lock is checked first (names, files,
schemas, row and stage counts, JSON), so the lock is held only for the short transaction that
numbers the version, inserts its rows and renames its files into place. Files are moved
*before* the commit: a crash in between leaves an unregistered folder that ``gc`` removes,
never a registered version with missing files.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from datagen.catalog.records import (
    InvalidNameError,
    LineageEntry,
    PublishError,
    check_name,
    view_name,
)
from datagen.catalog.shards import (
    file_sha256,
    fsync_dir,
    read_parquet,
    read_parquet_metadata,
    table_content_hash,
)
from datagen.catalog.store import Store
from datagen.catalog.tokens import TokenUse, check_token_counts, insert_token_counts
from datagen.schemas.records import Quarantined, StageCounts

PlaceFile = Callable[[Path, Path], None]


@dataclass(frozen=True, kw_only=True)
class StagedPart:
    source: Path
    rows: int
    bytes: int
    sha256: str


@dataclass(frozen=True, kw_only=True)
class PreparedPublish:
    """A publish request that passed every check that needs no lock."""

    dataset: str
    parts: tuple[StagedPart, ...]
    content_hash: str
    schema_id: str
    code_version: str
    flow_run_id: str | None
    params_json: str
    stats_json: str
    lineage: tuple[LineageEntry, ...]
    lineage_details: tuple[str, ...]
    quarantine: tuple[tuple[str, Quarantined], ...]
    """(stage, record) in the order given."""
    quarantine_records: tuple[str, ...]
    stage_counts: tuple[StageCounts, ...]
    token_counts: tuple[TokenUse, ...] = ()
    deployment: str | None = None
    """The Prefect deployment (a ``datagen schedule``) whose run made it, if one did."""

    @property
    def row_count(self) -> int:
        return sum(p.rows for p in self.parts)


def _to_json(value: Any, what: str) -> str:
    try:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise PublishError(f"{what} must be JSON-serialisable: {exc}") from exc


def _check_files(store: Store, files: Sequence[Path]) -> list[Path]:
    if not files:
        raise PublishError("refusing to publish a version without files")
    staging = store.staging_root.resolve()
    paths = [Path(f).resolve() for f in files]
    if len(set(paths)) != len(paths):
        raise PublishError("the same file is listed twice in a publish")
    for path in paths:
        if not path.is_relative_to(staging):
            raise PublishError(
                f"{path} is not in the store's staging area {staging}: write files under "
                "Store.staging_dir() so that publishing can rename them into place"
            )
    return paths


def _check_stage_counts(stage_counts: Sequence[StageCounts]) -> None:
    names = [c.stage for c in stage_counts]
    if len(set(names)) != len(names):
        raise PublishError(f"stage names repeat in stage_counts: {names}")
    bad = [c for c in stage_counts if not c.balanced]
    if bad:
        lines = "; ".join(
            f"{c.stage}: in={c.n_in} but out+filtered+quarantined="
            f"{c.n_out}+{c.n_filtered}+{c.n_quarantined}={c.n_out + c.n_filtered + c.n_quarantined}"
            for c in bad
        )
        raise PublishError(f"stage counts do not add up (records lost or invented): {lines}")


def _read_parts(paths: list[Path]) -> tuple[tuple[StagedPart, ...], str]:
    tables, parts = [], []
    schema = None
    for path in paths:
        meta = read_parquet_metadata(path)
        file_schema = meta.schema.to_arrow_schema().remove_metadata()
        if schema is None:
            schema = file_schema
        elif not file_schema.equals(schema):
            raise PublishError(
                f"{path} has a different schema from {paths[0]}:\n{file_schema}\nvs\n{schema}"
            )
        tables.append(read_parquet(path))
        parts.append(
            StagedPart(
                source=path, rows=meta.num_rows, bytes=path.stat().st_size, sha256=file_sha256(path)
            )
        )
    if sum(p.rows for p in parts) == 0:
        raise PublishError(f"refusing to publish an empty version: 0 rows in {len(paths)} file(s)")
    combined = pa.concat_tables([t.replace_schema_metadata(None) for t in tables])
    return tuple(parts), table_content_hash(combined)


def prepare_publish(
    store: Store,
    *,
    dataset: str,
    files: Sequence[Path],
    schema_id: str,
    params: dict[str, Any],
    code_version: str,
    flow_run_id: str | None,
    stats: dict[str, Any],
    lineage: Sequence[LineageEntry],
    quarantine: Mapping[str, Sequence[Quarantined]],
    stage_counts: Sequence[StageCounts],
    token_counts: Sequence[TokenUse] = (),
    deployment: str | None = None,
) -> PreparedPublish:
    """Check a publish request and read its files; raise before the catalog is touched."""
    check_name(dataset)
    if not schema_id or not code_version:
        raise PublishError("schema_id and code_version must not be empty")
    for entry in lineage:
        if entry.kind == "parent":
            _parse_pinned(entry.ref)
    _check_stage_counts(stage_counts)
    check_token_counts(token_counts)
    paths = _check_files(store, files)
    parts, content_hash = _read_parts(paths)
    entries = tuple((stage, q) for stage, records in quarantine.items() for q in records)
    return PreparedPublish(
        dataset=dataset,
        parts=parts,
        content_hash=content_hash,
        schema_id=schema_id,
        code_version=code_version,
        flow_run_id=flow_run_id,
        params_json=_to_json(params, "params"),
        stats_json=_to_json(stats, "stats"),
        lineage=tuple(lineage),
        lineage_details=tuple(_to_json(e.details, f"lineage {e.ref} details") for e in lineage),
        quarantine=entries,
        quarantine_records=tuple(
            _to_json(q.record, f"quarantined record {q.record_id}") for _, q in entries
        ),
        stage_counts=tuple(stage_counts),
        token_counts=tuple(token_counts),
        deployment=deployment,
    )


def _parse_pinned(ref: str) -> tuple[str, int]:
    name, sep, version = ref.partition("@")
    if not sep or not version.isdigit():
        raise InvalidNameError(
            f"a parent in lineage must name an exact version as 'dataset@N', got {ref!r}"
        )
    return check_name(name), int(version)


def _check_in_catalog(con: duckdb.DuckDBPyConnection, prepared: PreparedPublish) -> None:
    for entry in prepared.lineage:
        if entry.kind != "parent":
            continue
        name, version = _parse_pinned(entry.ref)
        found = con.execute(
            "SELECT 1 FROM versions WHERE dataset = ? AND version = ?", [name, version]
        ).fetchall()
        if not found:
            raise PublishError(f"lineage parent {entry.ref} is not a version in this catalog")
    clash = con.execute(
        "SELECT name FROM datasets WHERE name <> ? "
        "AND replace(replace(name, '-', '_'), '.', '_') = ?",
        [prepared.dataset, view_name(prepared.dataset)],
    ).fetchall()
    if clash:
        raise PublishError(
            f"dataset name {prepared.dataset!r} would share the SQL view name "
            f"{view_name(prepared.dataset)!r} with existing dataset {clash[0][0]!r}"
        )


def _next_version(con: duckdb.DuckDBPyConnection, name: str, now: datetime) -> int:
    row = con.execute("SELECT next_version FROM datasets WHERE name = ?", [name]).fetchall()
    if not row:
        con.execute("INSERT INTO datasets VALUES (?, ?, 2)", [name, now])
        return 1
    version = row[0][0]
    con.execute("UPDATE datasets SET next_version = ? WHERE name = ?", [version + 1, name])
    return version


def _insert_rows(
    con: duckdb.DuckDBPyConnection, prepared: PreparedPublish, version: int, now: datetime
) -> list[str]:
    p, key = prepared, [prepared.dataset, version]
    rel_paths = [f"{p.dataset}/{version}/part-{i:05d}.parquet" for i in range(len(p.parts))]
    con.execute(
        "INSERT INTO versions (dataset, version, created_at, row_count, bytes, content_hash, "
        "schema_id, code_version, params, flow_run_id, stats, deployment) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            *key,
            now,
            p.row_count,
            sum(part.bytes for part in p.parts),
            p.content_hash,
            p.schema_id,
            p.code_version,
            p.params_json,
            p.flow_run_id,
            p.stats_json,
            p.deployment,
        ],
    )
    files = [
        [*key, rel, part.rows, part.bytes, part.sha256]
        for rel, part in zip(rel_paths, p.parts, strict=True)
    ]
    con.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)", files)
    lineage = [
        [*key, e.kind, e.ref, e.license, details]
        for e, details in zip(p.lineage, p.lineage_details, strict=True)
    ]
    if lineage:
        con.executemany("INSERT INTO lineage VALUES (?, ?, ?, ?, ?, ?)", lineage)
    counts = [
        [*key, i, c.stage, c.n_in, c.n_out, c.n_filtered, c.n_quarantined]
        for i, c in enumerate(p.stage_counts)
    ]
    if counts:
        con.executemany("INSERT INTO stage_counts VALUES (?, ?, ?, ?, ?, ?, ?, ?)", counts)
    insert_token_counts(con, key, p.token_counts)
    if p.quarantine:
        rows = pa.table(
            {
                "stage": [stage for stage, _ in p.quarantine],
                "record_id": [q.record_id for _, q in p.quarantine],
                "reason": [q.reason for _, q in p.quarantine],
                "record": list(p.quarantine_records),
            }
        )
        con.register("_datagen_quarantine", rows)
        con.execute(
            "INSERT INTO quarantine SELECT ?, ?, stage, record_id, reason, record "
            "FROM _datagen_quarantine",
            key,
        )
        con.unregister("_datagen_quarantine")
    return rel_paths


class UnchangedVersionError(PublishError):
    """The rows are those of the dataset's latest version (same ``content_hash``)."""

    def __init__(self, dataset: str, version: int) -> None:
        self.dataset, self.version = dataset, version
        super().__init__(f"{dataset}@{version} already holds these rows: nothing published")


def _latest_with_hash(con: duckdb.DuckDBPyConnection, prepared: PreparedPublish) -> int | None:
    """The dataset's latest version if its ``content_hash`` is the prepared one's."""
    row = con.execute(
        "SELECT version, content_hash FROM versions WHERE dataset = ? "
        "ORDER BY version DESC LIMIT 1",
        [prepared.dataset],
    ).fetchall()
    return row[0][0] if row and row[0][1] == prepared.content_hash else None


def _undo_moves(moved: list[tuple[Path, Path]], target: Path) -> None:
    """Put moved files back in staging (best effort: ``gc`` cleans whatever stays behind)."""
    for source, dest in reversed(moved):
        try:
            if dest.exists() and not source.exists():
                dest.replace(source)
        except OSError:
            pass
    if target.exists():
        shutil.rmtree(target, ignore_errors=True)


def commit_version(
    con: duckdb.DuckDBPyConnection,
    store: Store,
    prepared: PreparedPublish,
    *,
    place: PlaceFile,
    unless_unchanged: bool = False,
) -> int:
    """Number, register and place a prepared version in one transaction; return its number.

    With ``unless_unchanged``, rows with the ``content_hash`` of the dataset's latest version
    are not published again: ``UnchangedVersionError`` names that version.
    """
    now = datetime.now(UTC).replace(tzinfo=None)
    moved: list[tuple[Path, Path]] = []
    target: Path | None = None
    con.execute("BEGIN TRANSACTION")
    try:
        _check_in_catalog(con, prepared)
        if unless_unchanged and (same := _latest_with_hash(con, prepared)) is not None:
            raise UnchangedVersionError(prepared.dataset, same)
        version = _next_version(con, prepared.dataset, now)
        target = store.version_dir(prepared.dataset, version)
        if target.exists():  # left by a publish that crashed before its commit: unregistered
            shutil.rmtree(target)
        target.mkdir(parents=True)
        rel_paths = _insert_rows(con, prepared, version, now)
        for part, rel in zip(prepared.parts, rel_paths, strict=True):
            dest = store.root / rel
            place(part.source, dest)
            moved.append((part.source, dest))
        fsync_dir(target)
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # a failed COMMIT has ended it already
            con.execute("ROLLBACK")
        if target is not None:
            _undo_moves(moved, target)
        raise
    return version
