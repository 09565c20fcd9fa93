"""The catalog's schema as numbered migrations, applied forward and never rebuilt.

A store outlives the code that created it. Each change to the catalog's tables is a new
migration appended here; opening a catalog applies the ones it lacks, in order, and records
them in ``schema_migrations``, so a catalog made by an older datagen keeps its data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from datagen.catalog.records import CatalogError


@dataclass(frozen=True, kw_only=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        version=1,
        name="datasets_versions_files_lineage",
        statements=(
            """CREATE TABLE datasets (
                name TEXT PRIMARY KEY,
                created_at TIMESTAMP NOT NULL,
                next_version INTEGER NOT NULL
            )""",
            """CREATE TABLE versions (
                dataset TEXT NOT NULL,
                version INTEGER NOT NULL,
                created_at TIMESTAMP NOT NULL,
                row_count BIGINT NOT NULL,
                bytes BIGINT NOT NULL,
                content_hash TEXT NOT NULL,
                schema_id TEXT NOT NULL,
                code_version TEXT NOT NULL,
                params JSON NOT NULL,
                flow_run_id TEXT,
                stats JSON NOT NULL,
                PRIMARY KEY (dataset, version)
            )""",
            """CREATE TABLE files (
                dataset TEXT NOT NULL,
                version INTEGER NOT NULL,
                path TEXT NOT NULL,
                row_count BIGINT NOT NULL,
                bytes BIGINT NOT NULL,
                sha256 TEXT NOT NULL
            )""",
            """CREATE TABLE lineage (
                dataset TEXT NOT NULL,
                version INTEGER NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('parent', 'source')),
                ref TEXT NOT NULL,
                license TEXT,
                details JSON NOT NULL
            )""",
        ),
    ),
    Migration(
        version=2,
        name="quarantine_and_stage_counts",
        statements=(
            """CREATE TABLE quarantine (
                dataset TEXT NOT NULL,
                version INTEGER NOT NULL,
                stage TEXT NOT NULL,
                record_id TEXT NOT NULL,
                reason TEXT NOT NULL,
                record JSON NOT NULL
            )""",
            """CREATE TABLE stage_counts (
                dataset TEXT NOT NULL,
                version INTEGER NOT NULL,
                position INTEGER NOT NULL,
                stage TEXT NOT NULL,
                n_in BIGINT NOT NULL,
                n_out BIGINT NOT NULL,
                n_filtered BIGINT NOT NULL,
                n_quarantined BIGINT NOT NULL
            )""",
        ),
    ),
    Migration(
        version=3,
        name="evaluations",
        statements=(
            # One row per evaluation of a version (see evaluations.py); engine is NULL for an
            # evaluation that asks no engine, inputs a JSON list of {role, path, bytes, sha256}.
            """CREATE TABLE evaluations (
                eval_id TEXT PRIMARY KEY,
                dataset TEXT NOT NULL,
                version INTEGER NOT NULL,
                kind TEXT NOT NULL,
                engine TEXT,
                model TEXT,
                inputs JSON NOT NULL,
                params JSON NOT NULL,
                started_at TIMESTAMP NOT NULL,
                finished_at TIMESTAMP NOT NULL,
                figures JSON NOT NULL,
                counts JSON NOT NULL
            )""",
        ),
    ),
    Migration(
        version=4,
        name="tags_tombstones_runs_tokens",
        statements=(
            # A tag names one version of a dataset (``NAME@prod``); every move or removal of a
            # tag appends to tag_history (version NULL: the tag was removed).
            """CREATE TABLE tags (
                dataset TEXT NOT NULL,
                tag TEXT NOT NULL,
                version INTEGER NOT NULL,
                tagged_at TIMESTAMP NOT NULL,
                PRIMARY KEY (dataset, tag)
            )""",
            """CREATE TABLE tag_history (
                dataset TEXT NOT NULL,
                tag TEXT NOT NULL,
                version INTEGER,
                previous_version INTEGER,
                moved_at TIMESTAMP NOT NULL
            )""",
            # A deleted or pruned version leaves its summary here; its number stays taken.
            """CREATE TABLE tombstones (
                dataset TEXT NOT NULL,
                version INTEGER NOT NULL,
                created_at TIMESTAMP NOT NULL,
                row_count BIGINT NOT NULL,
                content_hash TEXT NOT NULL,
                deleted_at TIMESTAMP NOT NULL,
                reason TEXT NOT NULL,
                PRIMARY KEY (dataset, version)
            )""",
            # One row per scheduled flow run, whatever became of it.
            """CREATE TABLE runs (
                flow_run_id TEXT PRIMARY KEY,
                dataset TEXT NOT NULL,
                deployment TEXT,
                started_at TIMESTAMP NOT NULL,
                finished_at TIMESTAMP,
                outcome TEXT NOT NULL
                    CHECK (outcome IN ('published', 'unchanged', 'skipped', 'failed')),
                version INTEGER,
                detail TEXT
            )""",
            # Tokens a version's engine calls spent, per stage and engine (reused shards
            # included); cost is NULL unless the engine spec gave prices.
            """CREATE TABLE token_counts (
                dataset TEXT NOT NULL,
                version INTEGER NOT NULL,
                stage TEXT NOT NULL,
                engine TEXT NOT NULL,
                prompt_tokens BIGINT NOT NULL,
                completion_tokens BIGINT NOT NULL,
                cost DOUBLE
            )""",
            "ALTER TABLE versions ADD COLUMN deployment TEXT",
        ),
    ),
    Migration(
        version=5,
        name="models",
        statements=(
            # One row per checkpoint ``datagen train`` made (see models.py): where it is, the
            # version and view it trained on, the trainer, the base model, the trainer options
            # and final metrics (JSON), the Prefect flow run. Rows outlive their version.
            """CREATE TABLE models (
                model_id TEXT PRIMARY KEY,
                path TEXT NOT NULL,
                dataset TEXT NOT NULL,
                version INTEGER NOT NULL,
                trainer TEXT NOT NULL,
                view TEXT NOT NULL,
                base_model TEXT NOT NULL,
                options JSON NOT NULL,
                metrics JSON NOT NULL,
                flow_run_id TEXT,
                created_at TIMESTAMP NOT NULL
            )""",
        ),
    ),
)

LATEST = MIGRATIONS[-1].version


def applied_versions(con: duckdb.DuckDBPyConnection) -> list[int]:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()
    if not exists or not exists[0]:
        return []
    rows = con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    return [r[0] for r in rows]


def migrate(con: duckdb.DuckDBPyConnection, *, upto: int = LATEST) -> list[int]:
    """Apply, in one transaction, every migration up to ``upto`` not yet applied.

    Returns the versions applied now. A catalog already past what this code knows is refused:
    writing to it could corrupt tables this code does not understand.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)"
        )
        done = applied_versions(con)
        if done and done[-1] > LATEST:
            raise CatalogError(
                f"the catalog is at schema migration {done[-1]} but this datagen knows "
                f"migrations up to {LATEST}; upgrade datagen to use this store"
            )
        applied = []
        for migration in MIGRATIONS:
            if migration.version > upto or migration.version in done:
                continue
            for statement in migration.statements:
                con.execute(statement)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [migration.version, migration.name, datetime.now(UTC).replace(tzinfo=None)],
            )
            applied.append(migration.version)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return applied
