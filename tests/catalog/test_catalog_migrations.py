"""The catalog's schema moves forward by numbered migrations and keeps its data."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from datagen.catalog import Catalog, CatalogError, ModelRecord, Store, write_parquet_atomic
from datagen.catalog.migrations import LATEST, MIGRATIONS, migrate
from datagen.schemas.records import Quarantined


def _migrations(store: Store) -> list[tuple[int, str, datetime]]:
    con = duckdb.connect(str(store.catalog_path))
    try:
        return con.execute("SELECT * FROM schema_migrations ORDER BY version").fetchall()
    finally:
        con.close()


def test_a_new_catalog_gets_every_migration(catalog: Catalog, store: Store) -> None:
    assert catalog.list_datasets() == []
    assert [m[:2] for m in _migrations(store)] == [(m.version, m.name) for m in MIGRATIONS]


def test_reopening_applies_nothing_twice(store: Store) -> None:
    Catalog(store).list_datasets()
    before = _migrations(store)
    Catalog(store).list_datasets()
    assert _migrations(store) == before


def test_an_older_catalog_migrates_forward_keeping_its_data(
    store: Store, make_rows, publish_kwargs
) -> None:
    # A store as an older datagen left it: schema up to migration 3, one version in it.
    part = write_parquet_atomic(make_rows(4), store.version_dir("ds", 1) / "part-00000.parquet")
    con = duckdb.connect(str(store.catalog_path))
    assert migrate(con, upto=3) == [1, 2, 3]
    con.execute("INSERT INTO datasets VALUES ('ds', '2026-01-01', 2)")
    con.execute(
        "INSERT INTO versions VALUES ('ds', 1, '2026-01-01', 4, ?, 'h', 's', 'c', ?, NULL, '{}')",
        [part.bytes, '{"a": 1}'],
    )
    con.execute(
        "INSERT INTO files VALUES ('ds', 1, 'ds/1/part-00000.parquet', 4, ?, ?)",
        [part.bytes, part.sha256],
    )
    tables = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    con.close()
    assert "tags" not in tables and "models" not in tables  # later migrations' tables

    catalog = Catalog(store)
    info = catalog.resolve("ds@1")

    assert [m[0] for m in _migrations(store)] == [m.version for m in MIGRATIONS]
    assert (info.row_count, info.params, info.content_hash) == (4, {"a": 1}, "h")
    assert catalog.read("ds@1").equals(make_rows(4))
    second = catalog.publish(
        **{
            **publish_kwargs("ds", [make_rows(2)]),
            "quarantine": {"v": [Quarantined(record_id="1", reason="r", record={})]},
        }
    )
    assert second.version == 2
    assert catalog.quarantined(second.ref).num_rows == 1
    assert [c["stage"] for c in catalog.show(second.ref)["stage_counts"]] == [
        "generate",
        "validate",
    ]


def test_a_catalog_from_newer_code_is_refused(store: Store) -> None:
    Catalog(store).list_datasets()
    con = duckdb.connect(str(store.catalog_path))
    con.execute("INSERT INTO schema_migrations VALUES (99, 'from_the_future', now())")
    con.close()
    with pytest.raises(CatalogError, match=r"migration 99 .* upgrade datagen"):
        Catalog(store).list_datasets()


def test_a_catalog_at_migration_4_gains_the_models_table(
    store: Store, make_rows, publish_kwargs
) -> None:
    store.root.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(store.catalog_path))
    assert migrate(con, upto=4) == [1, 2, 3, 4]
    con.close()
    catalog = Catalog(store)
    info = catalog.publish(**publish_kwargs("ds", [make_rows(2)]))
    assert LATEST == 5 and [m[0] for m in _migrations(store)] == [1, 2, 3, 4, 5]
    record = ModelRecord(
        path="/ckpt", dataset="ds", version=info.version, trainer="trl-sft", view="sft",
        base_model="/base", options={"max_steps": 2}, metrics={"train_loss": 0.5},
        flow_run_id=None,
    )  # fmt: skip
    catalog.record_model(record)
    assert catalog.models("ds") == [record]
    assert catalog.show(info.ref)["models"] == [record.as_json()]
