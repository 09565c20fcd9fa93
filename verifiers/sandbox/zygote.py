"""The zygote: one isolated, clean process that forks a fresh runner for every job.

Started by ``Sandbox`` as ``python -c``, so it holds no threads and none of the caller's
state. It enters the namespaces once, imports what runs need, then serves jobs: each job
gets a runner forked from this clean state (so every run starts with the same modules and
dies with whatever it changed), a user id of its own, a working directory, a wall-clock
deadline, and pipes for its output and its report. One ``poll`` loop multiplexes the
caller's channel, every runner's pipes and pidfd, and never blocks, so a run that floods
its output or never ends cannot stall the others. When a runner ends, every process of its
user id is killed, its directory removed, and what was seen of it sent back raw.

Speed comes from what this process does *not* do between forks: each fork makes every page
of it copy-on-write again, so each page the loop touches costs a fault (about 4 µs on a
VM). Hence plain tuples on the wire, classification in the caller, no SIGCHLD handler, no
shutil, no threading: together they took a run from about 5 ms of CPU to about 2.5 ms.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import importlib
import math
import os
import select
import signal
import time
from dataclasses import dataclass, field

from datagen.verifiers.sandbox import isolation
from datagen.verifiers.sandbox.cgroups import MemoryCgroups
from datagen.verifiers.sandbox.outcome import EXEC_FAILED, RUNNER_FAILED, RunEnd
from datagen.verifiers.sandbox.protocol import (
    CommandWire,
    FrameReader,
    JobWire,
    RunWire,
    StepWire,
    encode_frame,
)
from datagen.verifiers.sandbox.records import Limits
from datagen.verifiers.sandbox.runner import RESULT_FD, prepare_process, run_job

PREIMPORTED = (
    "bisect",
    "collections",
    "dataclasses",
    "functools",
    "heapq",
    "itertools",
    "math",
    "operator",
    "re",
    "string",
    "typing",
)
"""Imported once here, so runs that use them do not each pay for the import."""

RUN_ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"}
"""Every run's environment (plus HOME and TMPDIR, its working directory): nothing of the
caller's, whose variables may hold credentials."""

CHANNEL_IN, CHANNEL_OUT = 10, 11
"""The caller's pipes, moved off 0 and 1 so nothing printed here can corrupt a frame."""

READ_SIZE = 1 << 16
IDLE_POLL_MS = 1000
"""With no run in flight, wake up this often anyway: processes a run left behind die when
it ends, and as their subreaper the zygote must reap them (no SIGCHLD handler wakes it: a
Python-level handler would cost every runner about 0.4 ms of page faults to undo)."""


@dataclass(eq=False)
class Run:
    """One job in flight: its runner, its pipes, and what has been read from them."""

    index: int
    pid: int
    uid: int | None
    work_dir: str
    started: float
    deadline: float
    output_fd: int
    result_fd: int
    pidfd: int
    output: bytearray = field(default_factory=bytearray)
    output_total: int = 0
    report: bytearray = field(default_factory=bytearray)
    wait_status: int | None = None
    cpu_seconds: float = 0.0
    ended: float = 0.0
    stopped_for: RunEnd | None = None
    command: CommandWire | None = None
    """Set for a command job: its steps, of which ``step`` is the one running."""
    step: int = 0
    cgroup: str | None = None
    """The command job's memory cgroup, named as its work folder, when there is one."""
    oom_kills: int = 0
    """The cgroup's out-of-memory kills when this step started."""


class Zygote:
    """The poll loop: jobs from the caller in, one runner per job, results out."""

    def __init__(
        self,
        *,
        limits: Limits,
        workers: int,
        uids: tuple[int, ...] | None,
        scratch_root: str,
        cgroups: MemoryCgroups | None = None,
    ):
        self.limits = limits
        self.cgroups = cgroups
        self.stale_cgroups: list[str] = []
        """Run cgroups whose killed processes had not all left when their run ended."""
        self.scratch_root = scratch_root
        self.workers = workers
        self.free_uids = collections.deque(uids) if uids else None
        self.queue: collections.deque[tuple[str, int, JobWire | CommandWire]] = collections.deque()
        self.runs: dict[int, Run] = {}
        self.by_fd: dict[int, Run] = {}
        self.reader = FrameReader()
        self.outgoing = bytearray()
        self.accepting = True
        self.serial = 0
        self.devnull = os.open(os.devnull, os.O_RDONLY)
        self.poll = select.poll()
        self.poll.register(CHANNEL_IN, select.POLLIN)
        os.set_blocking(CHANNEL_OUT, False)

    def serve(self) -> None:
        while self.accepting or self.runs or self.outgoing:
            self._start_runs()
            timeout = self._poll_timeout()
            for fd, _events in self.poll.poll(timeout):
                if fd == CHANNEL_IN:
                    self._read_channel()
                elif fd == CHANNEL_OUT:
                    self._flush_channel()
                elif fd in self.by_fd:
                    self._read_run(fd)
            self._reap()
            self._enforce_deadlines()
            self._finish_runs()

    def stop(self) -> None:
        """Kill whatever still runs; called when the caller has gone."""
        for run in list(self.runs.values()):
            self._kill(run)

    def _start_runs(self) -> None:
        while self.queue and len(self.runs) < self.workers:
            kind, index, job = self.queue.popleft()
            self.serial += 1
            uid = self.free_uids.popleft() if self.free_uids is not None else None
            work_dir = f"{self.scratch_root}/run-{self.serial}"
            if kind == "command":
                cgroup = self._add_cgroup(os.path.basename(work_dir), job[3])
                self._start_step(index, job, 0, uid, work_dir, time.monotonic(), cgroup)
            else:
                self._start(index, job, uid, work_dir)

    def _start(self, index: int, job: JobWire, uid: int | None, work_dir: str) -> None:
        output_r, output_w = os.pipe()
        result_r, result_w = os.pipe()
        zygote_pid = os.getpid()
        pid = os.fork()
        if pid == 0:
            try:
                self._become_runner(job, uid, work_dir, zygote_pid, output_w, result_w)
            except BaseException:
                import traceback  # here only: no run that works needs it

                traceback.print_exc()  # fd 2 is the run's output pipe by now, or still ours
            finally:
                os._exit(RUNNER_FAILED)
        os.close(output_w)
        os.close(result_w)
        now = time.monotonic()
        pidfd = os.pidfd_open(pid)
        deadline = now + self.limits.wall_seconds
        run = Run(index, pid, uid, work_dir, now, deadline, output_r, result_r, pidfd)
        self._watch(run, (output_r, result_r))

    def _watch(self, run: Run, pipes: tuple[int, ...]) -> None:
        """Poll a started runner's pipes, and its pidfd, readable once it has exited."""
        self.runs[run.pid] = run
        for fd in pipes:
            os.set_blocking(fd, False)
            self.by_fd[fd] = run
            self.poll.register(fd, select.POLLIN)
        self.poll.register(run.pidfd, select.POLLIN)

    def _start_step(
        self,
        index: int,
        job: CommandWire,
        step: int,
        uid: int | None,
        work_dir: str,
        job_started: float,
        cgroup: str | None,
    ) -> None:
        """Fork the runner of one step of a command job; it ``exec``s the step's program, so
        its exit status is the step's verdict and no report pipe is needed."""
        oom_kills = self.cgroups.oom_kills(cgroup) if cgroup else 0
        output_r, output_w = os.pipe()
        zygote_pid = os.getpid()
        pid = os.fork()
        if pid == 0:
            try:
                self._become_step(job, step, uid, work_dir, cgroup, zygote_pid, output_w)
            except BaseException:
                import traceback  # here only: no step that starts needs it

                traceback.print_exc()
            finally:
                os._exit(RUNNER_FAILED)
        os.close(output_w)
        pidfd = os.pidfd_open(pid)
        deadline = time.monotonic() + job[1][step][1]
        run = Run(index, pid, uid, work_dir, job_started, deadline, output_r, -1, pidfd)
        run.command, run.step, run.cgroup, run.oom_kills = job, step, cgroup, oom_kills
        self._watch(run, (output_r,))

    def _become_step(
        self,
        job: CommandWire,
        step: int,
        uid: int | None,
        work_dir: str,
        cgroup: str | None,
        zygote_pid: int,
        output_w: int,
    ) -> None:
        if cgroup is not None:
            self.cgroups.enter(cgroup)  # before anything of the step can fork
        os.dup2(self.devnull, 0)
        os.dup2(output_w, 1)
        os.dup2(output_w, 2)
        os.closerange(3, 1 << 16)
        files, steps, processes, memory_bytes = job
        argv, wall_seconds = steps[step]
        isolation.confine_command_step(
            uid=uid,
            work_dir=work_dir,
            files=files if step == 0 else None,
            processes=processes,
            memory_bytes=None if cgroup else memory_bytes,
            cpu_seconds=math.ceil(wall_seconds) * (os.cpu_count() or 1),
            zygote_pid=zygote_pid,
        )
        environment = {**os.environ, "HOME": work_dir, "TMPDIR": work_dir}
        try:
            os.execvpe(argv[0], argv, environment)
        except OSError as exc:
            os.write(2, f"cannot run {argv[0]!r}: {exc.strerror}\n".encode())
            os._exit(EXEC_FAILED)

    def _become_runner(
        self,
        job: JobWire,
        uid: int | None,
        work_dir: str,
        zygote_pid: int,
        output_w: int,
        result_w: int,
    ) -> None:
        os.dup2(self.devnull, 0)
        os.dup2(output_w, 1)
        os.dup2(output_w, 2)
        os.dup2(result_w, RESULT_FD)
        os.closerange(RESULT_FD + 1, 1 << 16)
        isolation.confine_run(uid=uid, work_dir=work_dir, limits=self.limits, zygote_pid=zygote_pid)
        run_job(job, limits=self.limits, work_dir=work_dir)

    def _poll_timeout(self) -> int:
        if self.queue and len(self.runs) < self.workers:
            return 0
        deadlines = [run.deadline for run in self.runs.values() if run.wait_status is None]
        if not deadlines:
            return IDLE_POLL_MS
        return max(0, int((min(deadlines) - time.monotonic()) * 1000) + 1)

    def _read_channel(self) -> None:
        data = os.read(CHANNEL_IN, READ_SIZE)
        if not data:
            self.accepting = False
            self.queue.clear()
            self.poll.unregister(CHANNEL_IN)
            self.stop()
            return
        for kind, index, job in self.reader.feed(data):
            self.queue.append((kind, index, job))

    def _send(self, message: object) -> None:
        if not self.outgoing:
            self.poll.register(CHANNEL_OUT, select.POLLOUT)
        self.outgoing += encode_frame(message)
        self._flush_channel()

    def _flush_channel(self) -> None:
        try:
            written = os.write(CHANNEL_OUT, self.outgoing)
        except BlockingIOError:
            return
        except BrokenPipeError:  # the caller is gone: nobody wants the results
            written = len(self.outgoing)
            self.accepting = False
            self.queue.clear()
            self.stop()
        del self.outgoing[:written]
        if not self.outgoing:
            self.poll.unregister(CHANNEL_OUT)

    def _read_run(self, fd: int) -> None:
        run = self.by_fd[fd]
        try:
            data = os.read(fd, READ_SIZE)
        except BlockingIOError:
            return
        if not data:
            self.poll.unregister(fd)
            os.close(fd)
            del self.by_fd[fd]
            return
        if fd == run.output_fd:
            room = self.limits.output_bytes - len(run.output)
            run.output += data[: max(room, 0)]
            run.output_total += len(data)
            if run.output_total > self.limits.output_bytes:
                self._stop(run, RunEnd.OUTPUT_LIMIT)
        else:
            run.report += data
            if len(run.report) > self.limits.result_bytes:
                del run.report[self.limits.result_bytes :]
                self._stop(run, RunEnd.REPORT_LIMIT)

    def _reap(self) -> None:
        """Collect every ended child: runners, and orphans of runs (this is a subreaper)."""
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            run = self.runs.get(pid)
            if run is not None:
                self.poll.unregister(run.pidfd)
                os.close(run.pidfd)
                run.wait_status = status
                run.cpu_seconds = usage.ru_utime + usage.ru_stime
                run.ended = time.monotonic()
                self._kill(run)  # whatever the run forked dies with it, and its pipes close
                if run.cgroup and self.cgroups.oom_kills(run.cgroup) > run.oom_kills:
                    run.stopped_for = run.stopped_for or RunEnd.MEMORY_LIMIT

    def _enforce_deadlines(self) -> None:
        now = time.monotonic()
        for run in self.runs.values():
            if run.wait_status is None and now >= run.deadline:
                self._stop(run, RunEnd.WALL_LIMIT)

    def _stop(self, run: Run, reason: RunEnd) -> None:
        if run.stopped_for is None:
            run.stopped_for = reason
            self._kill(run)

    def _kill(self, run: Run) -> None:
        if run.uid is not None:
            isolation.signal_user(run.uid, signal.SIGKILL)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(run.pid, signal.SIGKILL)

    def _finish_runs(self) -> None:
        done = [
            run
            for run in self.runs.values()
            if run.wait_status is not None
            and run.output_fd not in self.by_fd
            and run.result_fd not in self.by_fd
        ]
        for run in done:
            del self.runs[run.pid]
            if self._next_step(run):
                continue
            isolation.remove_tree(run.work_dir)
            if run.cgroup:
                self.stale_cgroups.append(run.cgroup)
            if self.free_uids is not None:
                self.free_uids.append(run.uid)
            self._send(("result", run.index, self._result(run)))
        if self.stale_cgroups:
            self.stale_cgroups = [c for c in self.stale_cgroups if not self.cgroups.remove_run(c)]

    def _add_cgroup(self, name: str, memory_bytes: int) -> str | None:
        """A memory cgroup for a command job; None (RLIMIT_DATA instead) without one."""
        if self.cgroups is None:
            return None
        try:
            self.cgroups.add_run(name, memory_bytes)
        except OSError:
            self.cgroups.remove_run(name)
            return None
        return name

    def _next_step(self, run: Run) -> bool:
        """Start the next step of a command job whose step exited 0; False when the job is
        over (the last step ran, or this one failed)."""
        if run.command is None or run.step + 1 == len(run.command[1]):
            return False
        if run.stopped_for is not None or run.wait_status != 0:
            return False
        self._start_step(
            run.index, run.command, run.step + 1, run.uid, run.work_dir, run.started, run.cgroup
        )
        return True

    def _result(self, run: Run) -> RunWire | StepWire:
        stopped_for = run.stopped_for.value if run.stopped_for else None
        duration = round(run.ended - run.started, 6)
        if run.command is not None:
            return (run.step, run.wait_status, stopped_for, run.output, duration)
        return (run.wait_status, run.cpu_seconds, stopped_for, run.report, run.output, duration)


def main() -> None:
    """Entry point of the zygote process (see ``Sandbox``)."""
    os.dup2(0, CHANNEL_IN)
    os.dup2(1, CHANNEL_OUT)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.chdir("/")
    config = _read_config()
    limits, workers = config["limits"], config["workers"]
    try:
        setup = isolation.isolate_zygote(
            uids=config["uids"],
            scratch_bytes=max(64 << 20, 4 * workers * limits.file_bytes),
            tool_dirs=config["tool_dirs"],
        )
    except (OSError, RuntimeError) as exc:
        _write_all(encode_frame(("failed", f"{type(exc).__name__}: {exc}")))
        raise SystemExit(1) from exc
    isolation.limit_inherited(limits, per_run_users=setup.uids is not None)
    _preimport()
    prepare_process(RUN_ENVIRONMENT)
    _write_all(encode_frame(("ready", setup.report)))
    zygote = Zygote(
        limits=limits,
        workers=workers,
        uids=setup.uids,
        scratch_root=setup.scratch_root,
        cgroups=setup.cgroups,
    )
    try:
        zygote.serve()
    finally:
        zygote.stop()
        if setup.cgroups is not None:
            setup.cgroups.remove()
        if setup.scratch_root != isolation.SCRATCH_ROOT:  # a folder on the host's /tmp
            isolation.remove_tree(setup.scratch_root)


def _preimport() -> None:
    """Import PREIMPORTED, and ``random`` without its after-fork hook: that hook reseeds
    from 2.5 KB of urandom in every child (about 0.2 ms per run) only for the runner to seed
    it again with ``RANDOM_SEED``."""
    register_at_fork = os.register_at_fork
    os.register_at_fork = lambda **hooks: None
    try:
        importlib.import_module("random")
    finally:
        os.register_at_fork = register_at_fork
    for name in PREIMPORTED:
        importlib.import_module(name)
    gc.freeze()  # keep the collector's writes off the pages every run shares


def _read_config() -> dict:
    reader = FrameReader()
    while True:
        data = os.read(CHANNEL_IN, READ_SIZE)
        if not data:
            raise SystemExit("the caller closed the channel before sending a config")
        messages = reader.feed(data)
        if messages:
            return messages[0][1]


def _write_all(data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(CHANNEL_OUT, view) :]
