"""The resume cache: entries appear whole or not at all; broken entries are recomputed."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datagen.catalog.work_cache import WorkCache, work_key


@pytest.fixture
def cache(tmp_path) -> WorkCache:
    return WorkCache(tmp_path / "_work")


def test_put_then_get_round_trips_rows_quarantine_and_counts(cache: WorkCache) -> None:
    table = pa.table({"x": [1, 2, 3]})
    cache.put(
        "gen",
        "k1",
        table=table,
        quarantine=[("r9", "engine_error: boom", {"id": 9})],
        meta={"n_in": 4},
    )
    entry = cache.get("gen", "k1")
    assert entry is not None and pq.read_table(entry.data_path).equals(table)
    assert pq.read_table(entry.quarantine_path).to_pylist() == [
        {"record_id": "r9", "reason": "engine_error: boom", "record": '{"id": 9}'}
    ]
    assert entry.meta == {"n_in": 4}
    assert cache.get("gen", "other") is None


@pytest.mark.parametrize("damage", ["truncate_data", "delete_meta", "garble_quarantine"])
def test_a_damaged_entry_reads_as_missing_and_is_replaced(cache: WorkCache, damage: str) -> None:
    entry = cache.put("gen", "k", table=pa.table({"x": [1]}), quarantine=[], meta={})
    if damage == "truncate_data":
        data = entry.data_path.read_bytes()
        entry.data_path.write_bytes(data[: len(data) // 2])
    elif damage == "delete_meta":
        (entry.path / "meta.json").unlink()
    else:
        entry.quarantine_path.write_bytes(b"not parquet")
    assert cache.get("gen", "k") is None
    cache.put("gen", "k", table=pa.table({"x": [2]}), quarantine=[], meta={})
    assert pq.read_table(cache.get("gen", "k").data_path).to_pylist() == [{"x": 2}]


def test_a_second_writer_keeps_the_first_finished_entry(cache: WorkCache) -> None:
    cache.put("gen", "k", table=pa.table({"x": [1]}), quarantine=[], meta={"by": "first"})
    second = cache.put("gen", "k", table=pa.table({"x": [1]}), quarantine=[], meta={"by": "second"})
    assert second.meta == {"by": "first"}
    assert not [p for p in (cache.root / "gen").iterdir() if p.name.startswith(".tmp")]


def test_keys_change_with_stage_config_inputs_and_code() -> None:
    base = {"stage": "s", "config": {"t": 0.7}, "inputs": ["abc"], "code": "v1"}
    key = work_key(**base)
    assert key == work_key(**base)
    for change in ({"stage": "t"}, {"config": {"t": 1.0}}, {"inputs": ["abd"]}, {"code": "v2"}):
        assert work_key(**(base | change)) != key
