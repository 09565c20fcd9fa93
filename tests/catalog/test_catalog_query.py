"""Listing, reading, diffing, SQL, quarantine and deletion of published versions."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from datagen.catalog import (
    Catalog,
    CorruptShardError,
    InvalidNameError,
    UnknownVersionError,
)
from datagen.schemas.records import Quarantined


def test_list_datasets_summarises_the_latest_version(catalog: Catalog, publish, make_rows) -> None:
    publish("beta", tables=[make_rows(4)])
    publish("alpha", tables=[make_rows(2)])
    publish("alpha", tables=[make_rows(7)])

    summaries = catalog.list_datasets()

    assert [(s.name, s.versions, s.latest_version, s.latest_rows) for s in summaries] == [
        ("alpha", 2, 2, 7),
        ("beta", 1, 1, 4),
    ]


def test_diff_by_row_id(catalog: Catalog, publish, make_rows) -> None:
    publish("ds", tables=[make_rows(10)])  # r0..r9
    changed = make_rows(10, start=5)  # r5..r14, r5's label changed below
    changed = changed.set_column(3, "label", pa.array(["bad"] + ["good"] * 9))
    publish("ds", tables=[changed], params={"seed": 2, "n": 10}, stats={"rows": 10, "x": 1})

    diff = catalog.diff("ds@1", "ds@2")

    assert diff["rows"] == {"key": "row_id", "only_a": 5, "only_b": 5, "both": 5, "changed": 1}
    assert diff["row_count"] == {"a": 10, "b": 10}
    assert diff["params"] == {"seed": {"a": 1, "b": 2}}
    assert diff["stats"] == {"x": {"a": None, "b": 1}}
    assert diff["same_content"] is False
    assert diff["metadata"] == {}


def test_diff_by_row_hash_without_row_id(catalog: Catalog, publish, make_rows) -> None:
    a = make_rows(6).drop_columns(["row_id"])
    b = pa.concat_tables([a.slice(2), make_rows(3, start=50).drop_columns(["row_id"])])
    publish("ds", tables=[a])
    publish("ds", tables=[b], code_version="def456")

    diff = catalog.diff("ds@1", "ds@latest")

    assert diff["rows"] == {"key": "row_hash", "only_a": 2, "only_b": 3, "both": 4, "changed": None}
    assert diff["metadata"] == {"code_version": {"a": "abc123", "b": "def456"}}


def test_diff_of_identical_versions(catalog: Catalog, publish) -> None:
    publish("ds")
    publish("ds")
    diff = catalog.diff("ds@1", "ds@2")
    assert diff["same_content"] is True
    assert diff["rows"]["only_a"] == diff["rows"]["only_b"] == diff["rows"]["changed"] == 0


def test_diff_reports_columns(catalog: Catalog, publish, make_rows) -> None:
    publish("ds", tables=[make_rows(3)])
    publish("ds", tables=[make_rows(3).drop_columns(["score"])])
    diff = catalog.diff("ds@1", "ds@2")
    assert diff["columns"] == {"only_a": ["score"], "only_b": []}
    assert diff["rows"]["both"] == 3
    assert diff["rows"]["changed"] is None  # rows cannot be compared across different columns


def test_sql_sees_latest_versions_and_catalog_tables(catalog: Catalog, publish, make_rows) -> None:
    publish("toolpref-pairwise", tables=[make_rows(3)])
    publish("toolpref-pairwise", tables=[make_rows(8)])
    publish("rl.prompts", tables=[make_rows(2)])

    counts = catalog.sql(
        "SELECT (SELECT count(*) FROM toolpref_pairwise) AS pairs, "
        "(SELECT count(*) FROM rl_prompts) AS prompts"
    ).to_pylist()
    versions = catalog.sql(
        "SELECT dataset, version, row_count FROM versions ORDER BY dataset, version"
    ).to_pylist()

    assert counts == [{"pairs": 8, "prompts": 2}]
    assert versions == [
        {"dataset": "rl.prompts", "version": 1, "row_count": 2},
        {"dataset": "toolpref-pairwise", "version": 1, "row_count": 3},
        {"dataset": "toolpref-pairwise", "version": 2, "row_count": 8},
    ]


def test_sql_cannot_change_the_catalog(catalog: Catalog, publish) -> None:
    publish("ds")
    with pytest.raises(duckdb.Error):
        catalog.sql("DELETE FROM versions")
    assert catalog.resolve("ds").version == 1


def test_quarantined_records(catalog: Catalog, publish) -> None:
    info = publish(
        quarantine={
            "verify": [
                Quarantined(record_id="b", reason="bad_call", record={"n": 2}),
                Quarantined(record_id="a", reason="bad_call", record={"n": 1}),
            ]
        },
        stage_counts=[],
    )
    table = catalog.quarantined(info.ref)
    assert table.column_names == ["stage", "record_id", "reason", "record"]
    assert table.column("record_id").to_pylist() == ["a", "b"]
    assert table.column("record").to_pylist() == ['{"n": 1}', '{"n": 2}']


def test_delete_never_reuses_a_number(catalog: Catalog, store, publish) -> None:
    for _ in range(3):
        publish("ds")

    deleted = catalog.delete("ds@3")

    assert deleted.version == 3
    assert not store.version_dir("ds", 3).exists()
    with pytest.raises(UnknownVersionError, match="existing versions: 1, 2"):
        catalog.resolve("ds@3")
    assert catalog.resolve("ds").version == 2
    assert publish("ds").version == 4


def test_delete_needs_an_explicit_version(catalog: Catalog, publish) -> None:
    publish("ds")
    with pytest.raises(InvalidNameError, match="explicit version"):
        catalog.delete("ds")
    assert catalog.resolve("ds").version == 1


def test_deleting_every_version(catalog: Catalog, publish) -> None:
    publish("ds")
    catalog.delete("ds@1")
    with pytest.raises(UnknownVersionError, match="no versions left"):
        catalog.resolve("ds")
    assert catalog.list_datasets() == []
    assert catalog.sql("SELECT count(*) AS n FROM versions").to_pylist() == [{"n": 0}]


def test_reading_a_damaged_version_names_the_file(catalog: Catalog, publish, make_rows) -> None:
    info = publish(tables=[make_rows(100)])
    data = info.paths[0].read_bytes()
    info.paths[0].write_bytes(data[: len(data) - 100])
    with pytest.raises(CorruptShardError) as err:
        catalog.read(info.ref)
    assert err.value.path == info.paths[0]
