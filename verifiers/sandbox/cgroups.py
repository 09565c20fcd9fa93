"""Memory cgroups for command jobs: one per run, below a folder of the sandbox's own.

RLIMIT_DATA, the fallback, binds each process alone and misses shared memory (an anonymous
``MAP_SHARED`` mapping of 3 GiB passes a 256 MiB RLIMIT_DATA), so where the cgroup v1 memory
controller is mounted and writable, each command job runs in a cgroup whose limit covers
all its processes and every page they touch, tmpfs files included. The zygote opens the
sandbox's folder before it enters its mount namespace, where every mount is read-only, and
works through that descriptor: the descriptor still names the host's writable mount.

cgroup v2 is not handled yet (this machine kind mounts v1): there the fallback applies and
the isolation report says so.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass

LIMIT_FILE = "memory.limit_in_bytes"
SWAP_LIMIT_FILE = "memory.memsw.limit_in_bytes"
OOM_FILE = "memory.oom_control"


@dataclass(frozen=True, slots=True)
class MemoryCgroups:
    """The sandbox's cgroup folder (``path``, as the host sees it) and a descriptor of it."""

    path: str
    fd: int

    @classmethod
    def create(cls, name: str) -> MemoryCgroups:
        """A fresh folder ``name`` below this process's own memory cgroup; OSError says why
        there is none (no v1 memory controller, a read-only cgroup file system)."""
        mount = _memory_mount()
        if mount is None:
            raise OSError("no cgroup v1 memory controller is mounted")
        path = os.path.join(mount + _own_memory_cgroup(), name)
        os.mkdir(path, 0o755)
        return cls(path, os.open(path, os.O_DIRECTORY | os.O_CLOEXEC))

    def add_run(self, run: str, limit_bytes: int) -> None:
        os.mkdir(run, 0o755, dir_fd=self.fd)
        self._write(f"{run}/{LIMIT_FILE}", limit_bytes)
        with contextlib.suppress(FileNotFoundError):  # no swap accounting: nothing to cap
            self._write(f"{run}/{SWAP_LIMIT_FILE}", limit_bytes)

    def enter(self, run: str) -> None:
        """Move the calling process into ``run``; call it in the child, before ``exec``."""
        self._write(f"{run}/cgroup.procs", os.getpid())

    def oom_kills(self, run: str) -> int:
        """How many processes of ``run`` the kernel killed for going past its limit."""
        with contextlib.suppress(OSError, ValueError):
            fd = os.open(f"{run}/{OOM_FILE}", os.O_RDONLY, dir_fd=self.fd)
            try:
                text = os.read(fd, 4096).decode()
            finally:
                os.close(fd)
            for line in text.splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        return 0

    def remove_run(self, run: str) -> bool:
        """Remove ``run``'s cgroup; False while killed processes are still leaving it."""
        try:
            os.rmdir(run, dir_fd=self.fd)
        except FileNotFoundError:
            return True
        except OSError:
            return False
        return True

    def remove(self, *, within: float = 2.0) -> None:
        """Remove the sandbox's folder and the run cgroups left in it, giving killed
        processes ``within`` seconds to leave them."""
        deadline = time.monotonic() + within
        with contextlib.suppress(OSError), os.scandir(self.fd) as entries:
            runs = [entry.name for entry in entries if entry.is_dir(follow_symlinks=False)]
        while runs:
            runs = [run for run in runs if not self.remove_run(run)]
            if runs and time.monotonic() < deadline:
                time.sleep(0.01)
            elif runs:
                break
        with contextlib.suppress(OSError):
            os.close(self.fd)
        with contextlib.suppress(OSError):
            os.rmdir(self.path)

    def _write(self, name: str, value: int) -> None:
        fd = os.open(name, os.O_WRONLY, dir_fd=self.fd)
        try:
            os.write(fd, str(value).encode())
        finally:
            os.close(fd)


def remove_leftovers(path: str) -> None:
    """From outside the zygote (which may have died): remove a sandbox's cgroup folder."""
    with contextlib.suppress(OSError), os.scandir(path) as entries:
        for entry in list(entries):
            if entry.is_dir(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.rmdir(entry.path)
    with contextlib.suppress(OSError):
        os.rmdir(path)


def _memory_mount() -> str | None:
    with open("/proc/self/mountinfo") as handle:
        for line in handle:
            fields = line.split()
            separator = fields.index("-")
            fstype, options = fields[separator + 1], fields[separator + 3].split(",")
            if fstype == "cgroup" and "memory" in options:
                return fields[4]
    return None


def _own_memory_cgroup() -> str:
    with open("/proc/self/cgroup") as handle:
        for line in handle:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            if "memory" in controllers.split(","):
                return path
    raise OSError("this process is in no memory cgroup")
