"""Kernel isolation: what the zygote sets up once, what each run sets up for itself.

Once, in the zygote (as root): no new privileges (inherited by every run, so a setuid
program cannot raise one), an empty network namespace (only a loopback that is down, so
every connect fails), a private mount namespace in which every mount is read-only and
``/tmp`` is a fresh tmpfs holding the runs' working directories, and the rlimits a run
inherits. Each run, in the forked runner before the untrusted code starts: its own
rlimits, a fresh working directory, one of the user ids the caller claimed (``uids.py``; so
RLIMIT_NPROC, which does not bind root, binds the run, and nothing outside its working
directory is writable), and death with the zygote. When the run ends the zygote kills every
process of its user id, so nothing it forked outlives it.

Each mechanism degrades on its own when the kernel or the privileges refuse it;
``IsolationReport`` says what is on and why the rest is off.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import resource
import signal
import stat
import sys
from dataclasses import dataclass

from datagen.verifiers.sandbox.cgroups import MemoryCgroups
from datagen.verifiers.sandbox.records import MAX_COMMAND_PROCESSES, Limits

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC = 1024, 2048, 4096, 16384
MS_PRIVATE, MS_RELATIME = 1 << 18, 1 << 21
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 36, 38

KEPT_MOUNT_FLAGS = {
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "noatime": MS_NOATIME,
    "nodiratime": MS_NODIRATIME,
    "relatime": MS_RELATIME,
}
"""Per-mount flags a read-only remount must repeat, or it would silently drop them."""

SCRATCH_ROOT = "/tmp"
"""Where the runs' working directories live: a private tmpfs over /tmp when the mount
namespace is available, so writing ``/tmp/x`` outside one's own directory fails too."""

MIRROR_ROOT = f"{SCRATCH_ROOT}/.python"

_libc = ctypes.CDLL(None, use_errno=True)


@dataclass(frozen=True, slots=True)
class IsolationReport:
    """The mechanisms in force (``active``) and those missing, each with its reason, and the
    user ids runs take (empty when not root): any process of theirs belongs to a run, and
    the folder of the command jobs' memory cgroups (empty without one), which the caller
    removes if the zygote dies without doing so."""

    active: tuple[str, ...]
    missing: tuple[str, ...]
    run_uids: tuple[int, ...] = ()
    cgroup_path: str = ""

    def describe(self) -> str:
        lines = [f"on: {item}" for item in self.active]
        lines += [f"off: {item}" for item in self.missing]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ZygoteIsolation:
    """What the zygote set up: the report, the run user ids (None when not root), and the
    folder that holds the runs' working directories."""

    report: IsolationReport
    uids: tuple[int, ...] | None
    scratch_root: str
    cgroups: MemoryCgroups | None


def isolate_zygote(
    *, uids: tuple[int, ...] | None, scratch_bytes: int, tool_dirs: tuple[str, ...] = ()
) -> ZygoteIsolation:
    """Enter the namespaces; call once, in the zygote, first. ``uids`` are the run user ids
    the caller claimed (``uids.py``), None when it is not root. ``tool_dirs`` are folders
    that command steps run programs from (e.g. a checkout's ``node_modules``): they stay
    readable at their own paths, even below /tmp, which runs see as a fresh tmpfs."""
    active: list[str] = []
    missing: list[str] = []
    _libc_call("prctl", PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    _libc_call("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)  # inherited by every run
    active.append("no new privileges (setuid programs do not raise a run's)")
    if uids is None or os.geteuid() != 0:
        uids = None
        missing.append(
            "per-run user ids: not root, so runs keep the caller's user id: no process "
            "limit (RLIMIT_NPROC would count all of that user's processes), and clean-up "
            "kills the run's process group only"
        )
    else:
        active.append(f"per-run user ids {uids[0]}–{uids[-1]} with RLIMIT_NPROC, killed per run")
    try:
        _libc_call("unshare", CLONE_NEWNET)
        active.append("empty network namespace")
    except OSError as exc:
        missing.append(f"network namespace: unshare(CLONE_NEWNET) failed: {exc.strerror}")
    cgroups = _memory_cgroups(active)
    scratch_root = SCRATCH_ROOT
    try:
        _libc_call("unshare", CLONE_NEWNS)
    except OSError as exc:
        missing.append(
            f"read-only mounts: unshare(CLONE_NEWNS) failed: {exc.strerror}; runs can write "
            f"wherever their user id may, /tmp included"
        )
        import tempfile  # here only: it imports random, whose after-fork hook costs each run

        scratch_root = tempfile.mkdtemp(prefix="datagen-sandbox-")
        os.chmod(scratch_root, 0o755)
    else:
        _private_read_only_mounts(scratch_bytes, tool_dirs, active, missing)
    if uids is not None:
        for folder in tool_dirs:
            if not _reachable_by_others(folder):
                missing.append(f"tool folder {folder}: run users cannot read it (or a parent)")
    cgroup_path = cgroups.path if cgroups else ""
    report = IsolationReport(tuple(active), tuple(missing), uids or (), cgroup_path)
    return ZygoteIsolation(report, uids, scratch_root, cgroups)


def _memory_cgroups(active: list[str]) -> MemoryCgroups | None:
    """The command jobs' memory cgroups, made before the mounts turn read-only. Without
    them command jobs fall back to RLIMIT_DATA: a weaker limit, which the report states but
    does not list as missing, since Python runs (RLIMIT_AS) do not need cgroups and a strict
    sandbox must not refuse them for it."""
    try:
        cgroups = MemoryCgroups.create(f"datagen-sandbox-{os.getpid()}")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        active.append(f"command jobs' memory: RLIMIT_DATA per process (no memory cgroup: {reason})")
        return None
    active.append(f"command jobs' memory: a cgroup per run below {cgroups.path}")
    return cgroups


def signal_user(uid: int, signum: int) -> None:
    """Send ``signum`` to every process of ``uid``: kill(-1) with the real and effective ids
    of that user reaches exactly its processes, atomically with respect to fork."""
    os.setresuid(uid, uid, 0)
    try:
        os.kill(-1, signum)
    except ProcessLookupError:
        pass
    finally:
        os.setresuid(0, 0, 0)


def limit_inherited(limits: Limits, *, per_run_users: bool) -> None:
    """Once, in the zygote: the rlimits that bind the zygote as harmlessly as its runs.

    Every runner inherits them through fork, so no run pays for setting them: the file size
    and core size, and the process count (which does not bind the zygote, as root, and binds
    each run once it has taken its own user id).
    """
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if per_run_users:  # the hard limit leaves room for command jobs; Python runs lower it
        hard = resource.getrlimit(resource.RLIMIT_NPROC)[1]
        if hard == resource.RLIM_INFINITY or hard > MAX_COMMAND_PROCESSES:
            hard = MAX_COMMAND_PROCESSES
        resource.setrlimit(resource.RLIMIT_NPROC, (min(limits.processes, hard), hard))


def confine_run(*, uid: int | None, work_dir: str, limits: Limits, zygote_pid: int) -> None:
    """Turn the freshly forked runner into an unprivileged, limited process in ``work_dir``.

    The rest of its limits it inherits (``limit_inherited``); these cannot bind the zygote.
    """
    _leave_zygote(new_folder=work_dir)
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    _become_run(
        uid=uid,
        work_dir=work_dir,
        processes=limits.processes,
        owns_folder=True,
        zygote_pid=zygote_pid,
    )


def _leave_zygote(*, new_folder: str | None) -> None:
    """A runner's first steps: its own session, first in line for the OOM killer (under
    memory pressure the kernel kills runs, not the host), and its work folder if new."""
    os.setsid()
    try:
        fd = os.open("/proc/self/oom_score_adj", os.O_WRONLY)
        os.write(fd, b"1000")
        os.close(fd)
    except OSError:
        pass
    if new_folder is not None:
        os.mkdir(new_folder, 0o700)


def _become_run(
    *, uid: int | None, work_dir: str, processes: int, owns_folder: bool, zygote_pid: int
) -> None:
    """A runner's last steps, after its rlimits: the run's user id (with its process cap,
    and the work folder given to it when ``owns_folder``), death with the zygote, and the
    work folder as its directory."""
    if uid is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
        if owns_folder:
            os.chown(work_dir, uid, uid)
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    _libc_call("prctl", PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != zygote_pid:  # the zygote died before the death signal was armed
        os._exit(1)
    os.chdir(work_dir)


COMMAND_OPEN_FILES = 1024
"""Open files of a command step: a JVM holds its modules file, jars and sockets open."""


def confine_command_step(
    *,
    uid: int | None,
    work_dir: str,
    files: dict[str, str] | None,
    processes: int,
    memory_bytes: int | None,
    cpu_seconds: int,
    zygote_pid: int,
) -> None:
    """Turn a freshly forked runner into one step of a command job, about to ``exec``.

    Unlike a Python run, the address space is not capped: a JVM reserves gigabytes it never
    touches. Memory is capped by the run's cgroup, or else (``memory_bytes`` given) by
    RLIMIT_DATA, which counts what a process can write to.
    The process count is the job's own (a JVM starts some 20 threads). The first step
    (``files`` given) makes the work folder and writes the files in it as the run's user;
    later steps find them there.
    """
    _leave_zygote(new_folder=work_dir if files is not None else None)
    infinity = resource.RLIM_INFINITY
    resource.setrlimit(resource.RLIMIT_AS, (infinity, infinity))
    if memory_bytes is not None:
        resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_NOFILE, (COMMAND_OPEN_FILES, COMMAND_OPEN_FILES))
    _become_run(
        uid=uid,
        work_dir=work_dir,
        processes=processes,
        owns_folder=files is not None,
        zygote_pid=zygote_pid,
    )
    for name, text in (files or {}).items():
        folder = os.path.dirname(name)
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(name, "w", encoding="utf-8") as handle:
            handle.write(text)


def remove_tree(path: str) -> None:
    """Delete a run's working directory, without following the symlinks a run may leave.

    Not ``shutil.rmtree``: importing shutil maps the bz2 and lzma libraries into the zygote,
    and every mapping makes each fork dearer. Outside the scratch tmpfs every mount is
    read-only in the zygote's namespace, so even a symlink swapped in mid-way cannot reach
    other files.
    """
    try:
        os.rmdir(path)  # most runs leave their folder empty
        return
    except FileNotFoundError:
        return
    except OSError:
        pass
    with contextlib.suppress(OSError), os.scandir(path) as entries:
        for entry in list(entries):
            if entry.is_dir(follow_symlinks=False):
                remove_tree(entry.path)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
    with contextlib.suppress(OSError):
        os.rmdir(path)


def _private_read_only_mounts(
    scratch_bytes: int, tool_dirs: tuple[str, ...], active: list[str], missing: list[str]
) -> None:
    """In a fresh mount namespace: every mount read-only, a private tmpfs on /tmp, and the
    tool folders below /tmp bound back in at their own paths, read-only."""
    _libc_call("mount", None, b"/", None, MS_REC | MS_PRIVATE, None)
    hidden = {
        folder: os.open(folder, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        for folder in map(os.path.realpath, tool_dirs)
        if folder.startswith(SCRATCH_ROOT + "/") and os.path.isdir(folder)
    }
    failed = []
    for target, options in _mounts():
        if "ro" in options:
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for option in options:
            flags |= KEPT_MOUNT_FLAGS.get(option, 0)
        try:
            _libc_call("mount", None, target.encode(), None, flags, None, path=target)
        except OSError as exc:
            failed.append(f"{target} ({exc.strerror})")
    if failed:
        missing.append(f"read-only mounts: could not remount {', '.join(failed)}")
    else:
        active.append("every mount read-only")
    size = f"mode=0755,size={scratch_bytes}".encode()
    _libc_call("mount", b"tmpfs", SCRATCH_ROOT.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, size)
    active.append(f"{SCRATCH_ROOT}: a private tmpfs of {scratch_bytes >> 20} MiB")
    for folder, fd in hidden.items():
        os.makedirs(folder, mode=0o755)
        source = f"/proc/self/fd/{fd}".encode()
        _libc_call("mount", source, folder.encode(), None, MS_BIND | MS_REC, None)
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV
        _libc_call("mount", None, folder.encode(), None, flags, None, path=folder)
        os.close(fd)
        active.append(f"tool folder {folder}: bound in read-only below {SCRATCH_ROOT}")
    mirrored = _mirror_unreadable_sys_path()
    if mirrored:
        active.append(f"import paths unreadable to run users mirrored: {', '.join(mirrored)}")


def _mirror_unreadable_sys_path() -> list[str]:
    """Bind import folders that run users cannot read (e.g. a Python under /root) below
    MIRROR_ROOT, read-only, and point ``sys.path`` and loaded packages there."""
    moved: dict[str, str] = {}
    for index, entry in enumerate(sys.path):
        if not entry or not os.path.isdir(entry) or _reachable_by_others(entry):
            continue
        mirror = f"{MIRROR_ROOT}/{index}"
        os.makedirs(mirror, mode=0o755)
        _libc_call("mount", entry.encode(), mirror.encode(), None, MS_BIND | MS_REC, None)
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV
        _libc_call("mount", None, mirror.encode(), None, flags, None, path=mirror)
        moved[entry] = mirror
    if not moved:
        return []
    sys.path[:] = [moved.get(entry, entry) for entry in sys.path]
    for module in list(sys.modules.values()):
        package_path = getattr(module, "__path__", None)
        if isinstance(package_path, list):
            package_path[:] = [_rebase(path, moved) for path in package_path]
    sys.path_importer_cache.clear()
    return sorted(moved)


def _rebase(path: str, moved: dict[str, str]) -> str:
    for entry, mirror in moved.items():
        if path == entry or path.startswith(entry + os.sep):
            return mirror + path[len(entry) :]
    return path


def _reachable_by_others(path: str) -> bool:
    real = os.path.realpath(path)
    ancestors = [real]
    while ancestors[-1] != "/":
        ancestors.append(os.path.dirname(ancestors[-1]))
    if any(not os.stat(folder).st_mode & stat.S_IXOTH for folder in ancestors):
        return False
    return bool(os.stat(real).st_mode & stat.S_IROTH)


def _mounts() -> list[tuple[str, list[str]]]:
    """(mount point, per-mount options) from /proc/self/mountinfo, parents first."""
    mounts = []
    with open("/proc/self/mountinfo") as handle:
        for line in handle:
            fields = line.split()
            target = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
            mounts.append((target, fields[5].split(",")))
    return mounts


def _libc_call(name: str, *args: object, path: str | None = None) -> int:
    result = getattr(_libc, name)(*args)
    if result == -1:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno), path)
    return result
