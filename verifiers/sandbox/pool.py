"""``Sandbox``: run batches of untrusted Python jobs in parallel, isolated, one fork per job.

The caller's process never forks (it may hold threads, Prefect, an engine): it starts one
zygote with ``python -c`` and talks to it over two pipes (``protocol.py``). Start-up is paid
once per ``Sandbox``; each job then costs a fork of the small, clean zygote rather than a new
interpreter. At most ``2 × workers`` jobs are in the zygote at a time, so its memory, which
every run inherits and which counts against the run's address-space limit, stays small
whatever the batch size.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from datagen.verifiers.sandbox.cgroups import remove_leftovers
from datagen.verifiers.sandbox.isolation import IsolationReport
from datagen.verifiers.sandbox.protocol import (
    command_result_from_wire,
    command_to_wire,
    job_to_wire,
    read_frame,
    result_from_wire,
    write_frame,
)
from datagen.verifiers.sandbox.records import (
    CommandJob,
    CommandResult,
    ExecutionJob,
    ExecutionResult,
    Limits,
)
from datagen.verifiers.sandbox.uids import DEFAULT_UID_BASE, UidClaim, claim_uids

UIDS_PER_WORKER = 4
"""Run user ids per worker, used least recently first, so a run's killed processes are gone
long before its id serves again and the next run's RLIMIT_NPROC counts only its own."""
ZYGOTE_COMMAND = "from datagen.verifiers.sandbox.zygote import main; main()"
ZYGOTE_ENVIRONMENT = {"PYTHONHASHSEED": "0", "MALLOC_ARENA_MAX": "2"}
"""Read by the interpreter and libc at start-up, so set for the zygote and inherited by every
run: a fixed hash seed makes str hashes, and with them set iteration order, the same in every
run and on every machine; fewer malloc arenas keep a threaded run from reserving 64 MB of
address space per thread against its memory limit."""

_END = object()


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the code it ran): incomplete isolation, a dead zygote."""


Job = ExecutionJob | CommandJob
Result = ExecutionResult | CommandResult


class Sandbox:
    """Runs ``ExecutionJob``s, each in a fresh forked process under ``limits``, and
    ``CommandJob``s, each step a program run in the job's own work folder.

    ``workers`` runs at a time (default: one per core). With ``strict`` (the default), a
    missing isolation mechanism (not root, no namespaces) is an error; with
    ``strict=False`` the sandbox runs with what it has and ``isolation`` says what is off.
    Run user ids are claimed from ``uid_base`` up (``uids.py``), four per worker.
    ``tool_dirs`` are folders command steps run programs from (a checkout's
    ``node_modules``): they stay readable to runs at their own paths.
    Use as a context manager, or call ``close()``.

    The same job gives the same result in any batch, on any sandbox: every run starts from
    the same modules, hash seed and ``random`` seed. What a run can see of its surroundings
    still varies (its pid, user id, working directory's path, object addresses, the clock),
    so code that returns those is no more deterministic than it is anywhere.
    """

    def __init__(
        self,
        *,
        limits: Limits | None = None,
        workers: int | None = None,
        strict: bool = True,
        uid_base: int = DEFAULT_UID_BASE,
        tool_dirs: Sequence[str] = (),
    ):
        self.limits = limits or Limits()
        self.workers = workers or os.cpu_count() or 1
        if self.workers < 1:
            raise ValueError(f"workers must be ≥ 1, got {self.workers}")
        self._lock = threading.Lock()
        self._next_index = 0
        root = os.geteuid() == 0
        claim = claim_uids(UIDS_PER_WORKER * self.workers, base=uid_base) if root else None
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", ZYGOTE_COMMAND],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={**os.environ, **ZYGOTE_ENVIRONMENT},
                start_new_session=True,  # Ctrl-C reaches the caller, which closes the sandbox
            )
        except BaseException:
            if claim is not None:
                claim.release()
            raise
        cgroup_folders: list[str] = []
        self._finalizer = weakref.finalize(self, _stop_zygote, self._process, claim, cgroup_folders)
        uids = claim.uids if claim else None
        config = {
            "limits": self.limits,
            "workers": self.workers,
            "uids": uids,
            "tool_dirs": tuple(map(str, tool_dirs)),
        }
        reply = self._exchange(("config", config))
        if reply[0] != "ready":
            self.close()
            raise SandboxError(f"the sandbox could not start: {reply[1]}")
        self.isolation: IsolationReport = reply[1]
        if self.isolation.cgroup_path:
            cgroup_folders.append(self.isolation.cgroup_path)
        if strict and self.isolation.missing:
            self.close()
            raise SandboxError(
                "isolation is incomplete (pass strict=False to run anyway):\n"
                + self.isolation.describe()
            )

    def run_batch(self, jobs: Sequence[Job]) -> list[Result]:
        """One result per job, in the jobs' order."""
        return list(self.run_iter(jobs))

    def run_iter(self, jobs: Iterable[Job]) -> Iterator[Result]:
        """Results in the jobs' order, as they come; ``jobs`` is read lazily.

        One iteration at a time per sandbox (others wait); abandoning the iterator still
        waits for the jobs already handed to the zygote.
        """
        window = 2 * self.workers
        with self._lock:
            if self._process.stdin.closed:
                raise SandboxError("the sandbox is closed")
            pending: Iterator[Job] | None = iter(jobs)
            sent = next_out = self._next_index
            received: dict[int, Result] = {}
            in_flight: dict[int, Job] = {}
            try:
                while True:
                    while pending is not None and sent - next_out - len(received) < window:
                        job = next(pending, _END)
                        if job is _END:
                            pending = None
                        else:
                            self._send(_job_message(sent, job))
                            in_flight[sent] = job
                            sent += 1
                    if next_out in received:
                        result = received.pop(next_out)
                        next_out += 1
                        yield result
                    elif next_out == sent:
                        return
                    else:
                        _, index, run = self._receive()
                        received[index] = _result(in_flight.pop(index), run, self.limits)
            finally:
                self._next_index = sent
                if self._process.poll() is None:
                    for _ in range(sent - next_out - len(received)):
                        self._receive()  # results of an abandoned iteration, still in flight

    def close(self) -> None:
        """Stop the zygote; running jobs are killed."""
        self._finalizer()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _exchange(self, message: Any) -> Any:
        self._send(message)
        return self._receive()

    def _send(self, message: Any) -> None:
        try:
            write_frame(self._process.stdin, message)
        except BrokenPipeError as exc:
            raise self._died() from exc

    def _receive(self) -> Any:
        try:
            return read_frame(self._process.stdout)
        except EOFError as exc:
            raise self._died() from exc

    def _died(self) -> SandboxError:
        code = self._process.wait(timeout=10)
        return SandboxError(f"the sandbox's zygote exited unexpectedly (exit code {code})")


def _job_message(index: int, job: Job) -> tuple[str, int, Any]:
    if isinstance(job, CommandJob):
        return ("command", index, command_to_wire(job))
    return ("job", index, job_to_wire(job))


def _result(job: Job, run: Any, limits: Limits) -> Result:
    if isinstance(job, CommandJob):
        return command_result_from_wire(job, run, limits)
    return result_from_wire(job.id, run, limits)


def _stop_zygote(
    process: subprocess.Popen, claim: UidClaim | None, cgroup_folders: list[str]
) -> None:
    """Closing stdin tells the zygote to kill its runs and exit; kill it if it does not.
    Only then are the run user ids free for another sandbox, and what a dead zygote left of
    its cgroups can go."""
    for stream in (process.stdin, process.stdout):
        with contextlib.suppress(OSError):
            stream.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if claim is not None:
        if process.returncode != 0:
            _kill_leftovers(claim.uids)
        claim.release()
    for folder in cgroup_folders:
        remove_leftovers(folder)


def _kill_leftovers(uids: tuple[int, ...]) -> None:
    """The zygote died without its clean-up: kill what its runs left, as each run's user.

    ``kill -KILL -1`` run as a user reaches exactly that user's processes. The zygote does the
    same by switching its own user id; this process may hold threads, which would switch too.
    """
    for uid in uids:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                ["kill", "-KILL", "-1"],
                user=uid,
                group=uid,
                extra_groups=[],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=10,
            )
