"""The sandbox's records: the limits of a run, one job to run, and what came of it.

They cross two process boundaries (caller → zygote by pickle, runner → zygote as JSON), so
they hold only plain values; ``args`` and ``kwargs`` must be picklable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["ok", "error", "timeout", "killed"]
"""``ok``: the entry point returned; ``error``: the code raised or exited; ``timeout``: the
CPU- or wall-time limit ended it; ``killed``: a signal or the output limit ended it."""

STATUSES: tuple[Status, ...] = ("ok", "error", "timeout", "killed")

MiB = 1 << 20
MAX_COMMAND_PROCESSES = 4096
"""The most processes and threads a command job may ask for: the hard RLIMIT_NPROC the
zygote keeps for its runs (without CAP_SYS_RESOURCE a runner could not raise it back)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """What one run may use. Every run gets all of it, whatever else runs beside it.

    ``memory_bytes`` is the address space of the run's process (RLIMIT_AS), interpreter
    included (about 20 MB of it before the code starts). ``processes`` caps the processes
    and threads of one run (RLIMIT_NPROC on a user id that only that run uses).
    ``output_bytes`` caps what the code prints (stdout and stderr together): past it, the
    run is ended ``killed``. ``result_bytes`` caps the encoded result (the ``repr`` of the
    return value plus any trace): past it, the run is an ``error``. ``file_bytes`` caps
    each file the code writes in its working directory (RLIMIT_FSIZE). ``trace_steps``
    bounds the line trace of a job that asks for one.
    """

    cpu_seconds: int = 5
    wall_seconds: float = 10.0
    memory_bytes: int = 512 * MiB
    output_bytes: int = 1 * MiB
    result_bytes: int = 4 * MiB
    file_bytes: int = 16 * MiB
    processes: int = 32
    open_files: int = 64
    trace_steps: int = 1000

    def __post_init__(self) -> None:
        if self.cpu_seconds < 1:
            raise ValueError(f"cpu_seconds must be a whole number ≥ 1, got {self.cpu_seconds}")
        if not self.wall_seconds > 0:
            raise ValueError(f"wall_seconds must be positive, got {self.wall_seconds}")
        if self.memory_bytes < 64 * MiB:
            raise ValueError(
                f"memory_bytes must be at least 64 MiB (the interpreter needs about 20 MB), "
                f"got {self.memory_bytes}"
            )
        if self.result_bytes < MiB:
            raise ValueError(f"result_bytes must be at least 1 MiB, got {self.result_bytes}")
        for name in ("output_bytes", "file_bytes", "trace_steps"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        if self.processes < 1 or self.open_files < 16:
            raise ValueError(
                f"processes must be ≥ 1 and open_files ≥ 16, "
                f"got {self.processes} and {self.open_files}"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionJob:
    """Run ``code`` as a fresh module, then call ``entry_point(*args, **kwargs)``.

    The module is named ``__sandbox__`` (so an ``if __name__ == "__main__":`` block does not
    run). ``id`` is echoed back untouched. With ``trace``, the result also carries the lines
    the entry point executed and its locals at each (see ``trace.py``).
    """

    id: Any
    code: str
    entry_point: str
    args: tuple = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    trace: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.code, str):
            raise TypeError(f"job {self.id!r}: code must be str, got {type(self.code).__name__}")
        if not isinstance(self.entry_point, str) or not self.entry_point.isidentifier():
            raise ValueError(
                f"job {self.id!r}: entry_point must be a Python identifier, "
                f"got {self.entry_point!r}"
            )
        if not isinstance(self.args, tuple):
            raise TypeError(
                f"job {self.id!r}: args must be a tuple, got {type(self.args).__name__}"
            )
        if not isinstance(self.kwargs, dict) or not all(isinstance(k, str) for k in self.kwargs):
            raise TypeError(f"job {self.id!r}: kwargs must be a dict with str keys")


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionResult:
    """How one job ended.

    ``output`` is the ``repr`` of the return value when ``status == "ok"``, else None.
    ``reason`` is empty when ok, else says why, e.g. ``ZeroDivisionError: division by zero``,
    ``wall time limit of 10 s exceeded``, ``killed by signal SIGKILL``. ``stdout`` is what the
    code printed (stdout and stderr, at most ``Limits.output_bytes``). ``trace`` is the line
    trace of a job that asked for one: ``{"line": n, "locals": {name: repr}}`` per step.
    ``duration_s`` is wall time from fork to exit; it is the one field that varies between
    identical runs.

    What runaways become: an endless loop ``timeout`` (CPU or wall limit, whichever comes
    first); a memory bomb ``error`` ``MemoryError`` (``killed`` if the interpreter cannot
    even raise it); a fork bomb ``timeout``, held to ``Limits.processes``; a flood of prints
    ``killed``; ``sys.exit()`` ``error`` ``SystemExit``; ``os._exit(n)`` ``error``; a signal
    (``os.kill(os.getpid(), SIGKILL)``, a segfault) ``killed``; a file past
    ``Limits.file_bytes`` ``error`` ``OSError`` (Python ignores SIGXFSZ); writing outside the
    working directory ``error`` (``PermissionError`` or read-only file system); a connection
    ``error`` (network unreachable).
    """

    id: Any
    status: Status
    output: str | None
    reason: str
    stdout: str = ""
    trace: list[dict[str, Any]] | None = None
    trace_truncated: bool = False
    duration_s: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandStep:
    """One program to run in a command job's work folder, e.g. a compiler, then the binary.

    ``argv[0]`` is looked up on the run's ``PATH`` (``/usr/local/bin:/usr/bin:/bin``) unless
    it holds a ``/``. ``wall_seconds`` bounds this step alone; past it, every process of the
    run is killed and the job ends ``timeout``.
    """

    argv: tuple[str, ...]
    wall_seconds: float = 15.0
    name: str = ""

    def __post_init__(self) -> None:
        if not self.argv or not all(isinstance(arg, str) for arg in self.argv):
            raise ValueError(f"a step's argv must be a non-empty tuple of str, got {self.argv!r}")
        if not self.wall_seconds > 0:
            raise ValueError(f"wall_seconds must be positive, got {self.wall_seconds}")


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandJob:
    """Write ``files`` into a fresh work folder, then run ``steps`` there one after another.

    The job passes when every step exits 0; the first step that does not ends it.
    ``processes`` caps the processes and threads of the run (a JVM starts about 20 threads
    before ``main``), ``memory_bytes`` the memory of the whole run (a cgroup where one is
    available, else each process's RLIMIT_DATA: a JVM reserves gigabytes of address space
    it never touches, so RLIMIT_AS, which Python jobs use, would stop it). ``id`` is echoed
    back untouched.
    """

    id: Any
    files: dict[str, str]
    steps: tuple[CommandStep, ...]
    processes: int = 64
    memory_bytes: int = 1024 * MiB

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError(f"job {self.id!r}: a command job needs at least one step")
        for name in self.files:
            parts = name.split("/")
            if not name or name.startswith("/") or ".." in parts or "" in parts:
                raise ValueError(f"job {self.id!r}: file names are relative paths, got {name!r}")
        if not 1 <= self.processes <= MAX_COMMAND_PROCESSES:
            raise ValueError(
                f"job {self.id!r}: processes must be between 1 and {MAX_COMMAND_PROCESSES}, "
                f"got {self.processes}"
            )
        if self.memory_bytes < 64 * MiB:
            raise ValueError(f"job {self.id!r}: memory_bytes must be at least 64 MiB")


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandResult:
    """How a command job ended.

    ``status`` is ``ok`` when every step exited 0; ``error`` when one exited non-zero (its
    ``exit_code``); ``timeout`` when one ran past its wall limit; ``killed`` when a signal
    or the output limit ended one. ``step`` is the index of the step that ended the job
    (the last one when ok) and ``step_name`` its name; ``reason`` is empty when ok.
    ``stdout`` is what that step printed (stdout and stderr, at most
    ``Limits.output_bytes``): a compiler's message, a failed assertion.
    """

    id: Any
    status: Status
    reason: str
    step: int
    step_name: str
    exit_code: int | None
    stdout: str = ""
    duration_s: float = 0.0
