"""The catalog: immutable, numbered dataset versions registered in one DuckDB file.

Each method opens the DuckDB file for its own work and closes it at once (see
``connection.py``), so several processes can share a store. Reading rows happens after the
connection is closed: Parquet files of a published version never change.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from datagen.catalog.card import card_file
from datagen.catalog.connection import (
    DEFAULT_LOCK_TIMEOUT,
    catalog_connection,
    create_atomically,
)
from datagen.catalog.evaluations import Evaluation, insert_evaluation, select_evaluations
from datagen.catalog.gc import collect_garbage
from datagen.catalog.migrations import migrate
from datagen.catalog.models import ModelRecord, insert_model, select_models
from datagen.catalog.publish import PlaceFile, commit_version, prepare_publish
from datagen.catalog.query import diff_versions, run_sql
from datagen.catalog.records import (
    CATALOG_TABLES,
    DatasetSummary,
    DeletedVersionError,
    GcReport,
    InvalidNameError,
    LineageEntry,
    TagMove,
    Tombstone,
    UnknownDatasetError,
    UnknownVersionError,
    VersionInfo,
    check_name,
)
from datagen.catalog.retention import PruneReport, prune, remove_versions, tombstone_of, tombstones
from datagen.catalog.runs import RunRecord, record_new_runs, record_run, select_runs
from datagen.catalog.shards import read_parquet
from datagen.catalog.store import Store
from datagen.catalog.tags import (
    MAX_TAG,
    TAG_RE,
    all_tags,
    remove_tag,
    set_tag,
    tag_history,
    tag_view_name,
    tagged_version,
    tags_of,
    tags_of_version,
)
from datagen.catalog.tokens import TokenUse, select_tokens, select_totals
from datagen.schemas.records import Quarantined, StageCounts

_VERSION_COLUMNS = (
    "dataset, version, created_at, row_count, bytes, content_hash, schema_id, code_version, "
    "params, flow_run_id, stats, deployment"
)


def parse_ref(ref: str) -> tuple[str, int | str | None]:
    """``name`` or ``name@latest`` → (name, None); ``name@N`` → (name, N); ``name@TAG`` →
    (name, TAG), a tag being a name that starts with a letter (see ``tags.check_tag``)."""
    name, sep, version = ref.partition("@")
    check_name(name)
    if not sep or version == "latest":
        return name, None
    if version.isdigit() and int(version) >= 1:
        return name, int(version)
    if TAG_RE.fullmatch(version) and len(version) <= MAX_TAG:
        return name, version
    raise InvalidNameError(
        f"invalid reference {ref!r}: use 'name', 'name@latest', 'name@N' or 'name@TAG'"
    )


def _to_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _card_path(folder: Path) -> str | None:
    """Where a version's dataset card is (``card.py``), or ``None`` before it has one."""
    path = card_file(folder)
    return str(path) if path else None


class Catalog:
    """Publish, find, read, compare, query and delete dataset versions in a store."""

    def __init__(
        self,
        store: Store | str | Path | None = None,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        place_file: PlaceFile = os.replace,
    ) -> None:
        """``place_file`` moves a staged file into its version folder (a rename by default);
        it is the seam for file systems where rename is not the right move."""
        self.store = store if isinstance(store, Store) else Store.resolve(store)
        self.lock_timeout = lock_timeout
        self._place_file = place_file
        self._migrated = False

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection to the catalog file, migrated to the latest schema."""
        self.store.root.mkdir(parents=True, exist_ok=True)
        create_atomically(self.store.catalog_path, migrate)
        with catalog_connection(self.store.catalog_path, timeout=self.lock_timeout) as con:
            if not self._migrated:
                migrate(con)
                self._migrated = True
            yield con

    # -- writing -----------------------------------------------------------------------------

    def publish(
        self,
        *,
        dataset: str,
        files: Sequence[Path],
        schema_id: str,
        params: dict[str, Any],
        code_version: str,
        flow_run_id: str | None,
        stats: dict[str, Any],
        lineage: Sequence[LineageEntry] = (),
        quarantine: Mapping[str, Sequence[Quarantined]] | None = None,
        stage_counts: Sequence[StageCounts] = (),
        token_counts: Sequence[TokenUse] = (),
        deployment: str | None = None,
        unless_unchanged: bool = False,
    ) -> VersionInfo:
        """Register staged Parquet files as the dataset's next version, atomically;
        ``token_counts`` are the tokens (and cost) its engines spent, per stage and engine.

        ``deployment`` names the schedule's Prefect deployment whose run made the version.
        With ``unless_unchanged``, rows with the content hash of the latest version publish
        nothing: ``UnchangedVersionError`` (a ``PublishError``) names that version."""
        prepared = prepare_publish(
            self.store,
            dataset=dataset,
            files=files,
            schema_id=schema_id,
            params=params,
            code_version=code_version,
            flow_run_id=flow_run_id,
            stats=stats,
            lineage=lineage,
            quarantine=quarantine or {},
            stage_counts=stage_counts,
            token_counts=token_counts,
            deployment=deployment,
        )
        with self.connect() as con:
            version = commit_version(
                con,
                self.store,
                prepared,
                place=self._place_file,
                unless_unchanged=unless_unchanged,
            )
            return self._version_info(con, dataset, version)

    def delete(
        self, ref: str, *, force: bool = False, reason: str = "deleted with catalog delete"
    ) -> VersionInfo:
        """Remove one version (``name@N`` or ``name@TAG``, not latest) and its files, leaving a
        tombstone; its number is never given out again. A tagged version needs ``force``,
        which removes its tags too."""
        name, version = parse_ref(ref)
        if version is None:
            raise InvalidNameError(
                f"delete needs an explicit version such as {name}@3, got {ref!r}"
            )
        with self.connect() as con:
            info = self._resolve(con, name, version)
            targets = [(info.dataset, info.version)]
            remove_versions(con, self.store, targets, reason=reason, force=force)
        return info

    def prune(self, *, keep: int, dry_run: bool = False) -> PruneReport:
        """Keep each dataset's newest ``keep`` versions, the tagged ones and the parents of kept
        ones; delete the rest, leaving tombstones (see ``retention.py``)."""
        with self.connect() as con:
            return prune(con, self.store, keep=keep, dry_run=dry_run)

    def tombstones(self, name: str) -> list[Tombstone]:
        """A dataset's deleted and pruned versions: when, why, and what they held."""
        check_name(name)
        with self.connect() as con:
            self._known_dataset(con, name)
            return tombstones(con, name)

    def tag(self, ref: str, tag: str) -> TagMove:
        """Point ``tag`` at the version ``ref`` resolves to, moving it if it named another."""
        name, version = parse_ref(ref)
        with self.connect() as con:
            info = self._resolve(con, name, version)
            return set_tag(con, info.dataset, tag, info.version)

    def untag(self, name: str, tag: str) -> TagMove:
        """Remove a dataset's tag (the removal is kept in the tag history)."""
        check_name(name)
        with self.connect() as con:
            self._known_dataset(con, name)
            return remove_tag(con, name, tag)

    def tags(self, name: str) -> dict[str, int]:
        """A dataset's tags and the versions they name, by tag."""
        check_name(name)
        with self.connect() as con:
            self._known_dataset(con, name)
            return tags_of(con, name)

    def tag_history(self, name: str) -> list[TagMove]:
        """Every move and removal of a dataset's tags, oldest first."""
        check_name(name)
        with self.connect() as con:
            self._known_dataset(con, name)
            return tag_history(con, name)

    def add_evaluation(self, evaluation: Evaluation) -> Evaluation:
        """Store an evaluation beside its version (which must still exist)."""
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                self._resolve(con, evaluation.dataset, evaluation.version)
                insert_evaluation(con, evaluation)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return evaluation

    def evaluations(self, ref: str) -> list[Evaluation]:
        """A version's evaluations, oldest first."""
        name, version = parse_ref(ref)
        with self.connect() as con:
            info = self._resolve(con, name, version)
            return select_evaluations(con, info.dataset, info.version)

    def gc(self, *, work_older_than: float | None = None) -> GcReport:
        """Remove dead staging folders, unregistered version folders and, if asked, old work."""
        with self.connect() as con:
            return collect_garbage(con, self.store, work_older_than=work_older_than)

    # -- finding -----------------------------------------------------------------------------

    def resolve(self, ref: str) -> VersionInfo:
        """``name``, ``name@latest`` or ``name@N`` → that version."""
        name, version = parse_ref(ref)
        with self.connect() as con:
            return self._resolve(con, name, version)

    def list_datasets(self) -> list[DatasetSummary]:
        """Every dataset that has at least one version, by name."""
        with self.connect() as con:
            rows = con.execute(
                "SELECT d.name, count(*), max(v.version), arg_max(v.row_count, v.version), "
                "d.created_at FROM datasets d JOIN versions v ON v.dataset = d.name "
                "GROUP BY d.name, d.created_at ORDER BY d.name"
            ).fetchall()
        return [
            DatasetSummary(
                name=name,
                versions=n,
                latest_version=latest,
                latest_rows=rows_,
                created_at=created.replace(tzinfo=UTC),
            )
            for name, n, latest, rows_, created in rows
        ]

    def list_versions(self, name: str) -> list[VersionInfo]:
        """Every version of a dataset, oldest first."""
        check_name(name)
        with self.connect() as con:
            self._known_dataset(con, name)
            numbers = self._version_numbers(con, name)
            return [self._version_info(con, name, v) for v in numbers]

    def show(self, ref: str) -> dict[str, Any]:
        """Everything recorded about a version, as JSON-ready values."""
        name, version = parse_ref(ref)
        with self.connect() as con:
            info = self._resolve(con, name, version)
            key = [info.dataset, info.version]
            files = con.execute(
                "SELECT path, row_count, bytes, sha256 FROM files "
                "WHERE dataset = ? AND version = ? ORDER BY path",
                key,
            ).fetchall()
            lineage = con.execute(
                "SELECT kind, ref, license, details FROM lineage "
                "WHERE dataset = ? AND version = ? ORDER BY kind, ref",
                key,
            ).fetchall()
            counts = con.execute(
                "SELECT stage, n_in, n_out, n_filtered, n_quarantined FROM stage_counts "
                "WHERE dataset = ? AND version = ? ORDER BY position",
                key,
            ).fetchall()
            quarantine = con.execute(
                "SELECT stage, reason, count(*) FROM quarantine WHERE dataset = ? AND version = ? "
                "GROUP BY stage, reason ORDER BY stage, reason",
                key,
            ).fetchall()
            tags = tags_of_version(con, info.dataset, info.version)
            evaluations = select_evaluations(con, info.dataset, info.version)
            tokens = select_tokens(con, info.dataset, info.version)
            models = select_models(con, info.dataset, info.version)
        return {
            "ref": info.ref,
            "dataset": info.dataset,
            "version": info.version,
            "tags": tags,
            "created_at": info.created_at.isoformat(),
            "row_count": info.row_count,
            "bytes": info.bytes,
            "content_hash": info.content_hash,
            "schema_id": info.schema_id,
            "code_version": info.code_version,
            "flow_run_id": info.flow_run_id,
            "deployment": info.deployment,
            "params": info.params,
            "stats": info.stats,
            "files": [
                dict(zip(("path", "rows", "bytes", "sha256"), f, strict=True)) for f in files
            ],
            "lineage": [
                {"kind": k, "ref": r, "license": lic, "details": _to_json(d)}
                for k, r, lic, d in lineage
            ],
            "stage_counts": [
                dict(zip(("stage", "n_in", "n_out", "n_filtered", "n_quarantined"), c, strict=True))
                for c in counts
            ],
            "quarantine": [{"stage": s, "reason": r, "count": n} for s, r, n in quarantine],
            "evaluations": [e.as_json() for e in evaluations],
            "tokens": tokens,
            "card": _card_path(self.store.version_dir(info.dataset, info.version)),
            "models": [m.as_json() for m in models],
        }

    def token_totals(self) -> dict[tuple[str, int], dict[str, Any]]:
        """Each version's total prompt and completion tokens and cost, by (dataset, version);
        versions that recorded no tokens are absent."""
        with self.connect() as con:
            return select_totals(con)

    def record_run(self, run: RunRecord) -> None:
        """Store what a scheduled run did (``runs.py``); a second record of it replaces the
        first."""
        with self.connect() as con:
            record_run(con, run)

    def record_new_runs(self, runs: Sequence[RunRecord]) -> int:
        """Store the runs not recorded yet (skipped runs, found afterwards); how many."""
        if not runs:
            return 0
        with self.connect() as con:
            return record_new_runs(con, runs)

    def runs(self, dataset: str | None = None) -> list[RunRecord]:
        """Scheduled runs (of one dataset, or all), oldest first."""
        if dataset is not None:
            check_name(dataset)
        with self.connect() as con:
            return select_runs(con, dataset)

    def record_model(self, record: ModelRecord) -> ModelRecord:
        """Store a checkpoint trained on a version (which must still exist); see ``models.py``."""
        with self.connect() as con:
            self._resolve(con, record.dataset, record.version)
            insert_model(con, record)
        return record

    def models(self, dataset: str | None = None) -> list[ModelRecord]:
        """Recorded checkpoints (of one dataset's versions, or all), oldest first."""
        if dataset is not None:
            check_name(dataset)
        with self.connect() as con:
            if dataset is not None:
                self._known_dataset(con, dataset)
            return select_models(con, dataset)

    # -- reading -----------------------------------------------------------------------------

    def read(self, ref: str) -> pa.Table:
        """All rows of a version, parts in order."""
        info = self.resolve(ref)
        return pa.concat_tables([read_parquet(p) for p in info.paths])

    def quarantined(self, ref: str) -> pa.Table:
        """The records a version's stages rejected: stage, record_id, reason, record (JSON)."""
        name, version = parse_ref(ref)
        with self.connect() as con:
            info = self._resolve(con, name, version)
            return con.sql(
                "SELECT stage, record_id, reason, CAST(record AS VARCHAR) AS record "
                "FROM quarantine WHERE dataset = $1 AND version = $2 ORDER BY stage, record_id",
                params=[info.dataset, info.version],
            ).to_arrow_table()

    def diff(self, ref_a: str, ref_b: str) -> dict[str, Any]:
        """What changed between two versions (see ``query.diff_versions``)."""
        return diff_versions(self.resolve(ref_a), self.resolve(ref_b))

    def sql(self, query: str) -> pa.Table:
        """Run SQL over every dataset's latest version (a view per dataset, ``-``/``.`` → ``_``),
        every tagged version (``toolpref_pairwise__prod``) and the catalog's own tables
        (``versions``, ``files``, ``lineage``, ...)."""
        with self.connect() as con:
            latest = [
                self._version_info(con, name, version)
                for name, version in con.execute(
                    "SELECT dataset, max(version) FROM versions GROUP BY dataset ORDER BY dataset"
                ).fetchall()
            ]
            tagged = {
                tag_view_name(name, tag): self._version_info(con, name, version)
                for name, tag, version in all_tags(con)
            }
            tables = {t: con.sql(f"SELECT * FROM {t}").to_arrow_table() for t in CATALOG_TABLES}
        return run_sql(query, latest=latest, tagged=tagged, catalog_tables=tables)

    # -- inside a connection -----------------------------------------------------------------

    def _known_dataset(self, con: duckdb.DuckDBPyConnection, name: str) -> None:
        if not con.execute("SELECT 1 FROM datasets WHERE name = ?", [name]).fetchall():
            known = con.execute("SELECT DISTINCT dataset FROM versions ORDER BY dataset").fetchall()
            raise UnknownDatasetError(name, [k[0] for k in known])

    def _version_numbers(self, con: duckdb.DuckDBPyConnection, name: str) -> list[int]:
        rows = con.execute(
            "SELECT version FROM versions WHERE dataset = ? ORDER BY version", [name]
        ).fetchall()
        return [r[0] for r in rows]

    def _resolve(
        self, con: duckdb.DuckDBPyConnection, name: str, version: int | str | None
    ) -> VersionInfo:
        """A version by number, tag (``str``) or latest (``None``); a deleted one's error says
        when and why it went."""
        self._known_dataset(con, name)
        if isinstance(version, str):
            version = tagged_version(con, name, version)
        existing = self._version_numbers(con, name)
        if version is None and not existing:
            raise UnknownVersionError(name, None, [])
        if version is None:
            version = existing[-1]
        elif version not in existing:
            if tombstone := tombstone_of(con, name, version):
                raise DeletedVersionError(tombstone, existing)
            raise UnknownVersionError(name, version, existing)
        return self._version_info(con, name, version)

    def _version_info(self, con: duckdb.DuckDBPyConnection, name: str, version: int) -> VersionInfo:
        row = con.execute(
            f"SELECT {_VERSION_COLUMNS} FROM versions WHERE dataset = ? AND version = ?",
            [name, version],
        ).fetchall()[0]
        paths = con.execute(
            "SELECT path FROM files WHERE dataset = ? AND version = ? ORDER BY path",
            [name, version],
        ).fetchall()
        *fields, made_by = row
        dataset, number, created, rows, size, content, schema_id, code, params, run, stats = fields
        return VersionInfo(
            deployment=made_by,
            dataset=dataset,
            version=number,
            created_at=created.replace(tzinfo=UTC),
            row_count=rows,
            bytes=size,
            content_hash=content,
            schema_id=schema_id,
            code_version=code,
            params=_to_json(params),
            flow_run_id=run,
            stats=_to_json(stats),
            paths=tuple(self.store.root / p[0] for p in paths),
        )
