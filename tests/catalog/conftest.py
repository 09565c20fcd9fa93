"""Fixtures for catalog tests: a real store in ``tmp_path`` and helpers that stage and publish.

The helpers are plain functions too, so the worker processes of the concurrency tests
(``catalog_worker.py``, run as a script from this folder) can import them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from datagen.catalog import Catalog, Store, VersionInfo, write_parquet_atomic
from datagen.schemas.records import StageCounts


def make_rows(n: int, *, start: int = 0, label: str = "good") -> pa.Table:
    return pa.table(
        {
            "row_id": [f"r{i}" for i in range(start, start + n)],
            "prompt": [f"prompt {i}" for i in range(start, start + n)],
            "score": [i / 10 for i in range(start, start + n)],
            "label": [label] * n,
        }
    )


def stage_tables(store: Store, tables: list[pa.Table]) -> list[Path]:
    """Write tables as shards into a fresh staging folder, as a flow's publish step does."""
    folder = store.staging_dir()
    return [
        write_parquet_atomic(t, folder / f"shard-{i:03d}.parquet").path
        for i, t in enumerate(tables)
    ]


def publish_kwargs(store: Store, dataset: str, tables: list[pa.Table]) -> dict[str, Any]:
    """Arguments of a valid publish of ``tables``: counts that add up, JSON-ready params."""
    n = sum(t.num_rows for t in tables)
    return {
        "dataset": dataset,
        "files": stage_tables(store, tables),
        "schema_id": "toolpref/pair.v1",
        "params": {"seed": 1, "n": n},
        "code_version": "abc123",
        "flow_run_id": "run-1",
        "stats": {"rows": n},
        "lineage": [],
        "quarantine": [],
        "stage_counts": [
            StageCounts(stage="generate", n_in=n + 2, n_out=n + 1, n_filtered=1, n_quarantined=0),
            StageCounts(stage="validate", n_in=n + 1, n_out=n, n_filtered=0, n_quarantined=1),
        ],
    }


@pytest.fixture(name="make_rows")
def make_rows_fixture() -> Callable[..., pa.Table]:
    return make_rows


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.resolve(tmp_path / "store")


@pytest.fixture
def catalog(store: Store) -> Catalog:
    return Catalog(store, lock_timeout=10)


@pytest.fixture
def stage(store: Store) -> Callable[[list[pa.Table]], list[Path]]:
    return lambda tables: stage_tables(store, tables)


@pytest.fixture(name="publish_kwargs")
def publish_kwargs_fixture(store: Store) -> Callable[..., dict[str, Any]]:
    return lambda dataset, tables: publish_kwargs(store, dataset, tables)


@pytest.fixture
def publish(catalog: Catalog, store: Store) -> Callable[..., VersionInfo]:
    """Publish ``tables`` (default: one table of 5 rows) as ``dataset``; overrides go through."""

    def _publish(
        dataset: str = "toolpref-pairwise", tables: list[pa.Table] | None = None, **overrides: Any
    ) -> VersionInfo:
        kwargs = publish_kwargs(store, dataset, tables if tables is not None else [make_rows(5)])
        kwargs.update(overrides)
        return catalog.publish(**kwargs)

    return _publish
