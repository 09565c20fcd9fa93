"""``datagen catalog tag / show NAME@TAG / prune --dry-run`` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from datagen.catalog import Catalog, Store, write_parquet_atomic

from .conftest import datagen


def _publish(store: Store, rows: int) -> None:
    staged = write_parquet_atomic(
        pa.table({"row_id": [f"r{i}" for i in range(rows)]}),
        store.staging_dir() / "shard-000.parquet",
    )
    Catalog(store).publish(
        dataset="ds",
        files=[staged.path],
        schema_id="test/rows.v1",
        params={},
        code_version="test",
        flow_run_id=None,
        stats={},
    )


def test_tag_show_and_prune_dry_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # rich's tables unwrapped
    root = tmp_path / "store"
    store = Store.resolve(root)
    for rows in (1, 2, 3):
        _publish(store, rows)

    tagged = datagen("catalog", "tag", "ds@1", "prod", store=root)
    shown = json.loads(datagen("catalog", "show", "ds@prod", "--json", store=root).stdout)
    pruned = datagen("catalog", "prune", "--keep", "1", "--dry-run", store=root)
    refused = datagen("catalog", "tag", "ds@2", "7", store=root, check=False)

    assert tagged.stdout.strip() == "tagged ds@1 prod"
    assert (shown["ref"], shown["row_count"], shown["tags"]) == ("ds@1", 1, ["prod"])
    lines = {line.split("│")[1].strip(): line for line in pruned.stdout.splitlines() if "│" in line}
    assert "would remove" in lines["ds@2"]
    assert "tagged prod" in lines["ds@1"] and "newest 1" in lines["ds@3"]
    assert "would remove 1 of 3 versions" in pruned.stdout
    assert [v.version for v in Catalog(store).list_versions("ds")] == [1, 2, 3]
    assert refused.returncode == 1
    assert "looks like a version number" in refused.stderr
