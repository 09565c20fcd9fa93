"""Garbage collection: what crashed runs and interrupted publishes leave behind.

Four kinds of leftovers: staging folders whose writer died and private Prefect homes of runs
that died (both found through the ``pid`` file that ``Store`` writes into them), version
folders the catalog does not register (a publish that failed between moving its files and
committing), and, on request, old entries of the flows' resume cache (``_work/<stage>/<key>/``,
see ``work_cache.py``). The caller holds the catalog connection while this runs, so no publish
is between its file moves and its commit.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path

import duckdb

from datagen.catalog.records import NAME_RE, GcReport
from datagen.catalog.store import PID_FILE, Store

# A staging folder gets its pid file right after mkdir; give that moment a wide margin.
UNMARKED_GRACE_SECONDS = 60.0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def marked_in_use(path: Path, *, now: float) -> bool:
    """Whether a live process (or one we cannot check, on another host) may still write here."""
    try:
        pid_text, _, host = (path / PID_FILE).read_text().strip().partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError):
        return now - path.lstat().st_mtime < UNMARKED_GRACE_SECONDS
    if host and host != socket.gethostname():
        return True
    return _pid_alive(pid)


def _tree_bytes(path: Path) -> int:
    if not path.is_dir() or path.is_symlink():
        return path.lstat().st_size
    total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            total += os.lstat(os.path.join(folder, name)).st_size
    return total


def _newest_mtime(path: Path) -> float:
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for folder, dirs, names in os.walk(path):
            for name in dirs + names:
                newest = max(newest, os.lstat(os.path.join(folder, name)).st_mtime)
    return newest


def _remove(path: Path) -> int:
    size = _tree_bytes(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()
    return size


def _orphan_version_dirs(con: duckdb.DuckDBPyConnection, store: Store) -> list[Path]:
    registered = {
        (d, v) for d, v in con.execute("SELECT dataset, version FROM versions").fetchall()
    }
    orphans = []
    for dataset_dir in sorted(store.root.iterdir()):
        if not dataset_dir.is_dir() or not NAME_RE.fullmatch(dataset_dir.name):
            continue
        for version_dir in sorted(dataset_dir.iterdir()):
            name, number = dataset_dir.name, version_dir.name
            if version_dir.is_dir() and number.isdigit() and (name, int(number)) not in registered:
                orphans.append(version_dir)
    return orphans


def _work_entries(work_dir: Path) -> list[Path]:
    """``_work/<stage>/<key>`` entries, plus anything lying loose at the top of ``_work``."""
    entries = []
    for top in sorted(work_dir.iterdir()):
        if top.is_dir() and not top.is_symlink():
            entries += sorted(top.iterdir())
        else:
            entries.append(top)
    return entries


def _remove_if_empty(folder: Path) -> None:
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def collect_garbage(
    con: duckdb.DuckDBPyConnection, store: Store, *, work_older_than: float | None = None
) -> GcReport:
    """Remove dead runs' staging folders and Prefect homes, unregistered version folders and
    (optionally) old work."""
    now = time.time()
    doomed: list[Path] = []
    for marked_root in (store.staging_root, store.prefect_root):
        if marked_root.is_dir():
            doomed += [p for p in sorted(marked_root.iterdir()) if not marked_in_use(p, now=now)]
    if store.root.is_dir():
        doomed += _orphan_version_dirs(con, store)
    if work_older_than is not None and store.work_dir.is_dir():
        cutoff = now - work_older_than
        doomed += [p for p in _work_entries(store.work_dir) if _newest_mtime(p) < cutoff]
    freed = sum(_remove(p) for p in doomed)
    for parent in {p.parent for p in doomed}:
        marked_roots = (store.staging_root, store.prefect_root)
        if parent.parent in (store.root, store.work_dir) and parent not in marked_roots:
            _remove_if_empty(parent)  # a dataset or stage folder with nothing left in it
    return GcReport(removed=tuple(doomed), bytes_freed=freed)
