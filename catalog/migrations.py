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
