"""gc: dead staging folders and Prefect homes, unregistered version folders, old work entries."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from datagen.catalog import Catalog, Store


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _age(path: Path, seconds: float) -> None:
    old = time.time() - seconds
    for folder, _, names in os.walk(path):
        for name in names:
            os.utime(os.path.join(folder, name), (old, old))
    os.utime(path, (old, old))


def test_gc_removes_dead_staging_and_keeps_live(
    catalog: Catalog, store: Store, stage, make_rows
) -> None:
    live = stage([make_rows(3)])[0].parent
    dead = stage([make_rows(3)])[0].parent
    (dead / "pid").write_text(f"{_dead_pid()} {os.uname().nodename}\n")
    other_host = store.staging_dir()
    (other_host / "pid").write_text("1 some-other-machine\n")
    fresh_unmarked = store.staging_root / "fresh"
    fresh_unmarked.mkdir()
    old_unmarked = store.staging_root / "old"
    old_unmarked.mkdir()
    (old_unmarked / "x.parquet").write_bytes(b"12345")
    _age(old_unmarked, 3600)
    dead_bytes = sum(p.stat().st_size for p in dead.iterdir())

    report = catalog.gc()

    assert set(report.removed) == {dead, old_unmarked}
    assert report.bytes_freed == dead_bytes + 5
    assert live.exists() and other_host.exists() and fresh_unmarked.exists()
    assert not dead.exists() and not old_unmarked.exists()


def test_gc_removes_the_prefect_homes_of_dead_runs_only(catalog: Catalog, store: Store) -> None:
    live = store.prefect_home()  # this process's run
    dead = store.prefect_home()
    (dead / "pid").write_text(f"{_dead_pid()} {os.uname().nodename}\n")
    (dead / "prefect.db").write_bytes(b"x" * 1000)
    other_host = store.prefect_home()
    (other_host / "pid").write_text("1 some-other-machine\n")
    dead_bytes = sum(p.stat().st_size for p in dead.iterdir())

    report = catalog.gc()

    assert report.removed == (dead,)
    assert report.bytes_freed == dead_bytes
    assert live.exists() and other_host.exists() and not dead.exists()


def test_gc_removes_unregistered_version_folders(catalog: Catalog, store: Store, publish) -> None:
    info = publish("ds")
    orphan = store.version_dir("ds", 2)
    orphan.mkdir()
    (orphan / "part-00000.parquet").write_bytes(b"x" * 100)
    lonely = store.version_dir("ghost", 1)
    lonely.mkdir(parents=True)
    not_ours = store.root / "ds" / "notes"
    not_ours.mkdir()

    report = catalog.gc()

    assert set(report.removed) == {orphan, lonely}
    assert report.bytes_freed == 100
    assert not (store.root / "ghost").exists()  # the emptied dataset folder goes too
    assert all(p.exists() for p in info.paths) and not_ours.exists()
    assert catalog.read(info.ref).num_rows == 5


def test_gc_ages_out_work_entries_only_when_asked(catalog: Catalog, store: Store) -> None:
    old, new = store.work_dir / "generate" / "key-old", store.work_dir / "generate" / "key-new"
    lone_old = store.work_dir / "verify" / "key-old"
    for entry in (old, new, lone_old):
        entry.mkdir(parents=True)
        (entry / "data.parquet").write_bytes(b"abc")
    (new / "meta.json").write_text("{}")
    for entry in (old, new, lone_old):
        _age(entry, 7200)
    (new / "meta.json").touch()  # one recent file keeps the whole entry

    assert catalog.gc().removed == ()
    report = catalog.gc(work_older_than=3600)

    assert set(report.removed) == {old, lone_old}
    assert report.bytes_freed == 6
    assert new.exists()
    assert not (store.work_dir / "verify").exists()  # the emptied stage folder goes too
