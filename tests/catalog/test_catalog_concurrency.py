"""Several processes share one store: the catalog file's lock is waited for, not fatal."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from datagen.catalog import Catalog, CatalogLockedError, Store

WORKER = Path(__file__).with_name("catalog_worker.py")


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return out


def test_two_processes_publish_at_once(store: Store, tmp_path: Path) -> None:
    go = tmp_path / "go"
    workers = [_start("publish", str(store.root), "shared", str(rows), str(go)) for rows in (3, 7)]
    for proc in workers:
        assert proc.stdout.readline().strip() == "ready"
    go.touch()
    outputs = [_finish(proc).split() for proc in workers]

    assert sorted((int(v), int(n)) for _, v, n in outputs) in (
        [(1, 3), (2, 7)],
        [(1, 7), (2, 3)],
    )
    catalog = Catalog(store)
    versions = catalog.list_versions("shared")
    assert [v.version for v in versions] == [1, 2]
    assert sorted(catalog.read(v.ref).num_rows for v in versions) == [3, 7]


def test_threads_of_one_process_publish_at_once(catalog: Catalog, make_rows, publish_kwargs):
    requests = [publish_kwargs("shared", [make_rows(n)]) for n in (1, 2, 3, 4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        published = list(pool.map(lambda kwargs: catalog.publish(**kwargs), requests))

    assert sorted(v.version for v in published) == [1, 2, 3, 4]
    assert sorted(catalog.read(v.ref).num_rows for v in published) == [1, 2, 3, 4]


def test_open_waits_for_another_process_to_release_the_lock(store: Store) -> None:
    holder = _start("hold", str(store.root), "2.5")
    assert holder.stdout.readline().strip() == "locked"

    started = time.monotonic()
    with pytest.raises(CatalogLockedError, match=r"catalog\.duckdb.*0\.3 s"):
        Catalog(store, lock_timeout=0.3).list_datasets()
    assert time.monotonic() - started < 2.0

    assert Catalog(store, lock_timeout=30).list_datasets() == []
    waited = time.monotonic() - started
    _finish(holder)
    assert waited > 1.0
