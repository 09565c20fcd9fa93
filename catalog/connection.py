"""Short-lived DuckDB connections that wait for the file lock instead of failing.

DuckDB lets one process at a time open a database file (a second one, even read-only, gets
"Could not set lock on file"). The catalog therefore opens the file for one operation and
closes it straight after, and every open retries with jittered exponential backoff until a
deadline, so concurrent publishers and readers take turns instead of crashing.

Inside one process DuckDB shares a single database instance between connections to the same
file, so the file lock does not order threads: a per-file ``threading.Lock`` does that.
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from datagen.catalog.records import CatalogError

DEFAULT_LOCK_TIMEOUT = 60.0
_FIRST_DELAY = 0.02
_MAX_DELAY = 1.0
_LOCK_MESSAGES = ("Could not set lock on file", "Conflicting lock is held")

_thread_locks: dict[Path, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


class CatalogLockedError(CatalogError, TimeoutError):
    """Another process kept the catalog file locked for longer than the deadline."""


def is_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.Error) and any(m in str(exc) for m in _LOCK_MESSAGES)


def _thread_lock(path: Path) -> threading.Lock:
    with _thread_locks_guard:
        return _thread_locks.setdefault(path.resolve(), threading.Lock())


def connect_with_retry(
    path: Path, *, timeout: float, deadline: float | None = None
) -> duckdb.DuckDBPyConnection:
    """Open ``path`` read-write, retrying while another process holds its lock.

    Gives up at ``deadline`` (a ``time.monotonic()`` value; default: ``timeout`` from now).
    """
    if deadline is None:
        deadline = time.monotonic() + timeout
    delay = _FIRST_DELAY
    attempts = 0
    while True:
        attempts += 1
        try:
            return duckdb.connect(str(path))
        except duckdb.Error as exc:
            if not is_lock_error(exc):
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CatalogLockedError(
                    f"could not open the catalog {path}: another process held its lock for "
                    f"{timeout:g} s ({attempts} attempts). Wait for it to finish or raise the "
                    f"lock timeout. DuckDB said: {exc}"
                ) from exc
            time.sleep(min(remaining, delay * random.uniform(0.5, 1.5)))
            delay = min(delay * 2, _MAX_DELAY)


def create_atomically(
    path: Path, initialise: Callable[[duckdb.DuckDBPyConnection], object]
) -> None:
    """Create the database file complete or not at all.

    While DuckDB creates a file, another process opening it sees "not a valid DuckDB database
    file" rather than a lock. So the file is built under a private name, checkpointed, and
    hard-linked into place; if another process won the race, its file is kept.
    """
    if path.exists():
        return
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        con = duckdb.connect(str(tmp))
        try:
            initialise(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)


@contextmanager
def catalog_connection(path: Path, *, timeout: float) -> Iterator[duckdb.DuckDBPyConnection]:
    """One catalog operation's connection: ordered among threads, waited for among processes."""
    lock = _thread_lock(path)
    deadline = time.monotonic() + timeout
    if not lock.acquire(timeout=timeout):
        raise CatalogLockedError(
            f"could not open the catalog {path}: another thread of this process used it for "
            f"{timeout:g} s"
        )
    try:
        con = connect_with_retry(path, timeout=timeout, deadline=deadline)
        try:
            yield con
        finally:
            con.close()
    finally:
        lock.release()
