"""Nothing a ``datagen run`` starts outlives it, however it ends (SIGKILL of the CLI included).

A run starts processes of its own and of its libraries: Prefect's ephemeral API server (a
``uvicorn`` process), a local Ray cluster, the sandbox zygote, the embedded engine's
self-check. Their cleanup runs at exit (``atexit``, a pipe's end of file), so a CLI killed by a
signal left them running; ``PR_SET_PDEATHSIG`` cannot be set on processes that libraries spawn,
and it fires when the spawning *thread* ends, not the process.

So ``guard_run`` marks this process's environment with a value unique to the run, which every
process it starts inherits (the way Jenkins' ProcessTreeKiller finds a build's processes), and
starts a guard: a small process in a session of its own, so the terminal's Ctrl-C and the
caller's ``killpg`` do not reach it. The guard waits for the CLI to end (a pidfd), then ends
every process that carries the mark (SIGTERM, then SIGKILL after a grace period) and removes
the run's private Prefect home. Processes reparented to init, or started in sessions of their
own (Ray does), keep their environment, so they are found all the same. Linux only: elsewhere
the run is unguarded, as before.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

MARK_VARIABLE = "DATAGEN_RUN_MARK"
GRACE_S = 2.0
"""How long marked processes get to exit after SIGTERM before they are killed."""
ROUNDS = 5
"""Scans for marked processes: one that a dying process started is found in the next one."""

_guards: list[subprocess.Popen] = []  # referenced until exit, so no finaliser warns about it


def guard_run(*, remove: Sequence[Path] = ()) -> str | None:
    """Mark this process's environment and start its guard; the mark, or None if unguarded.

    ``remove`` lists folders (the run's Prefect home) the guard deletes once the run ends.
    """
    if not (sys.platform.startswith("linux") and hasattr(os, "pidfd_open")):
        return None
    mark = f"{os.getpid()}-{uuid.uuid4().hex}"
    unmarked = {k: v for k, v in os.environ.items() if k != MARK_VARIABLE}
    command = [sys.executable, "-m", "datagen.flows.run_guard", str(os.getpid()), mark]
    guard = subprocess.Popen(
        [*command, *map(str, remove)],
        env=unmarked,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    assert guard.stdout is not None
    if guard.stdout.readline() != b"ready\n":  # it holds a pidfd of this process from now on
        raise RuntimeError("datagen: the run's process guard did not start")
    guard.stdout.close()
    _guards.append(guard)
    os.environ[MARK_VARIABLE] = mark
    return mark


def marked_processes(mark: str) -> list[int]:
    """Live processes whose environment carries ``mark`` (zombies have none left to read)."""
    needle = f"{MARK_VARIABLE}={mark}".encode()
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            environ = Path(entry.path, "environ").read_bytes()
        except OSError:  # gone, or not ours to read
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def end_marked_processes(mark: str) -> int:
    """SIGTERM every marked process, SIGKILL what is left after the grace period; how many."""
    ended: set[int] = set()
    for _ in range(ROUNDS):
        pids = marked_processes(mark)
        if not pids:
            break
        ended.update(pids)
        _signal_all(pids, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_S
        while (pids := [p for p in pids if _running(p)]) and time.monotonic() < deadline:
            time.sleep(0.05)
        _signal_all(pids, signal.SIGKILL)
    return len(ended)


def _signal_all(pids: Sequence[int], signum: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)


def _running(pid: int) -> bool:
    """Alive and not a zombie (a zombie has ended; only its parent's wait is missing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def main(argv: Sequence[str]) -> None:
    """``python -m datagen.flows.run_guard PID MARK [FOLDER...]``: the guard's whole life."""
    pid, mark, *folders = argv
    try:
        pidfd: int | None = os.pidfd_open(int(pid))
    except ProcessLookupError:
        pidfd = None  # already gone: clean up straight away
    sys.stdout.write("ready\n")
    sys.stdout.close()
    if pidfd is not None:
        select.select([pidfd], [], [])  # readable once the process has ended
    end_marked_processes(mark)
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    main(sys.argv[1:])
