"""Embedded engines on one machine take turns on the CPU, one request at a time, fairly.

llama.cpp runs as many threads as there are cores and its threads spin while they wait for
each other. Two embedded runs at once on one machine therefore fight over every core: two
runs that took 4 minutes alone were still generating after 25 minutes together. Taking turns
makes two runs at once cost no more than the same runs one after the other; the work between
engine calls (scoring, Prefect, Parquet) still overlaps.

A turn is an exclusive ``flock`` on a file in the machine's temporary folder. A second lock,
the gate, is held while waiting for a turn, so a process that just finished a turn queues
behind one already waiting instead of taking the next turn straight back (a bare ``flock``
would let the releasing process win every time). Both are kernel locks: a process that dies
releases them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

LOCK_PREFIX = "datagen-embedded-cpu"


def _open_lock_file(path: Path) -> int:
    # Read-only is enough for flock, and lets users other than the file's creator lock it.
    fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o666)
    with contextlib.suppress(OSError):  # only the owner may widen the mode; others need not
        os.fchmod(fd, 0o666)
    return fd


class CpuTurns:
    """``with turns.take():`` runs the block while no other process on the machine does."""

    def __init__(self, folder: Path | None = None) -> None:
        folder = folder or Path(tempfile.gettempdir())
        self.turn_path = folder / f"{LOCK_PREFIX}.lock"
        self.gate_path = folder / f"{LOCK_PREFIX}.gate"
        self._turn_fd = _open_lock_file(self.turn_path)
        self._gate_fd = _open_lock_file(self.gate_path)
        self._in_process = threading.Lock()  # flock is per open file, not per thread

    @contextlib.contextmanager
    def take(self) -> Iterator[None]:
        with self._in_process:
            fcntl.flock(self._gate_fd, fcntl.LOCK_EX)
            try:
                fcntl.flock(self._turn_fd, fcntl.LOCK_EX)
            finally:
                fcntl.flock(self._gate_fd, fcntl.LOCK_UN)
            try:
                yield
            finally:
                fcntl.flock(self._turn_fd, fcntl.LOCK_UN)

    def close(self) -> None:
        os.close(self._turn_fd)
        os.close(self._gate_fd)
