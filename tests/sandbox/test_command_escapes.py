"""Command jobs: every way out of the box, run as one batch beside well-behaved jobs.

Each row is a command job of bash or python3 programs (the toolchains every machine has);
the compilers' own cases are in tests/code. The whole table goes through one sandbox in a
single ``run_batch``, and after it no process of a run user is left.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from datagen.verifiers.sandbox import (
    CommandJob,
    CommandResult,
    CommandStep,
    ExecutionJob,
    Limits,
    Sandbox,
)
from tests.sandbox.helpers import NEEDS_ROOT, processes_of

pytestmark = NEEDS_ROOT

LIMITS = Limits(wall_seconds=3.0, output_bytes=64 << 10)

LISTENER = socket.socket()
LISTENER.bind(("127.0.0.1", 0))
LISTENER.listen()
PORT = LISTENER.getsockname()[1]


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, str]
    steps: tuple[tuple[str, ...], ...]
    status: str
    reason: str
    """A pattern the result's reason must match."""
    step: int = 0
    stdout: str = ""
    """A pattern the failing (or last) step's output must match."""
    wall_seconds: float = 2.0
    processes: int = 64
    memory_bytes: int = 256 << 20
    extra: dict = field(default_factory=dict)


def bash(script: str) -> dict[str, str]:
    return {"main.sh": textwrap.dedent(script)}


def python(script: str) -> dict[str, str]:
    return {"main.py": textwrap.dedent(script)}


RUN_BASH = (("bash", "main.sh"),)
GONE_WITHIN_A_SECOND = (
    "for _ in $(seq 50); do pgrep -U $(id -u) -x sleep >/dev/null || exit 0; sleep 0.02; done;"
    " exit 1"
)
"""Exits 0 once no ``sleep`` of this run's user is left (the kill at a step's end is sent,
not waited for)."""
RUN_PYTHON = (("python3", "main.py"),)

CASES = [
    Case("passes", bash("echo hello"), RUN_BASH, "ok", "^$", stdout="^hello\n$"),
    Case("fails", bash("exit 3"), RUN_BASH, "error", "^bash: exited with code 3$"),
    Case(
        "second_step_sees_the_first_steps_files",
        bash("echo built > artifact"),
        (("bash", "main.sh"), ("cat", "artifact")),
        "ok",
        "^$",
        step=1,
        stdout="^built\n$",
    ),
    Case(
        "a_failed_step_ends_the_job",
        bash("echo compile error >&2; exit 1"),
        (("bash", "main.sh"), ("touch", "never")),
        "error",
        "^bash: exited with code 1$",
        step=0,
        stdout="compile error",
    ),
    Case(
        "files_in_subfolders",
        {"src/a/b.txt": "deep"},
        (("cat", "src/a/b.txt"),),
        "ok",
        "^$",
        stdout="^deep$",
    ),
    Case("no_such_program", {}, (("no-such-compiler",),), "error", "could not start"),
    Case("sleeps", bash("sleep 60"), RUN_BASH, "timeout", "^bash: wall time limit of 2 s"),
    Case(
        "times_out_in_its_own_step",
        bash("sleep 60"),
        (("true",), ("bash", "main.sh")),
        "timeout",
        "wall time limit",
        step=1,
    ),
    Case("busy_loop", bash("while :; do :; done"), RUN_BASH, "timeout", "wall time limit"),
    Case(
        "fork_bomb",
        bash(":(){ :|:& };:\nsleep 60"),
        RUN_BASH,
        "timeout",
        "wall time limit",
        processes=16,
    ),
    Case("fork_bomb_left_behind", bash(":(){ :|:& };:"), RUN_BASH, "ok", "^$", processes=16),
    Case(
        "process_cap",
        python(
            """
            import os, time
            children = 0
            try:
                while children < 100:
                    if os.fork() == 0:
                        time.sleep(60)
                        os._exit(0)
                    children += 1
            except OSError:
                pass
            print(children)
            """
        ),
        RUN_PYTHON,
        "ok",
        "^$",
        stdout="^(1[0-5]|[0-9])\n$",  # the runner counts too: fewer than 16 children
        processes=16,
    ),
    Case(
        "memory_bomb",
        python("b = bytearray(1 << 30)\nb[::4096] = b'x' * len(b[::4096])"),
        RUN_PYTHON,
        "(killed|error)",
        "(memory limit of 256 MiB exceeded|exited with code 1)",
    ),
    Case(
        "shared_memory_bomb",
        python(
            """
            import mmap
            m = mmap.mmap(-1, 2 << 30)
            for i in range(0, len(m), 4096):
                m[i] = 1
            """
        ),
        RUN_PYTHON,
        "killed",
        "memory limit of 256 MiB exceeded",
    ),
    Case(
        "print_flood",
        bash("yes"),
        RUN_BASH,
        "killed",
        "printed output exceeded 65536 bytes",
    ),
    Case(
        "connect_host",
        python(f"import socket\nsocket.create_connection(('127.0.0.1', {PORT}), timeout=2)"),
        RUN_PYTHON,
        "error",
        "exited with code 1",
        stdout="Network is unreachable",
    ),
    Case("write_tmp", bash("echo x > /tmp/x"), RUN_BASH, "error", "code 1", stdout="denied"),
    Case(
        "write_project", bash("echo x > /work/x"), RUN_BASH, "error", "code 1", stdout="Read-only"
    ),
    Case(
        "write_next_to_the_work_folder",
        bash('echo x > "$HOME/../x"'),
        RUN_BASH,
        "error",
        "code 1",
        stdout="denied",
    ),
    Case(
        "write_own_folder",
        bash("echo mine > mine && cat mine"),
        RUN_BASH,
        "ok",
        "^$",
        stdout="^mine\n$",
    ),
    Case(
        "kill_the_zygote",
        bash("kill -9 $PPID"),
        RUN_BASH,
        "error",
        "code 1",
        stdout="Operation not permitted",
    ),
    Case(
        "become_root",
        python("import os\nos.setuid(0)"),
        RUN_PYTHON,
        "error",
        "code 1",
        stdout="PermissionError",
    ),
    Case(
        "background_child_left_running",
        bash("sleep 600 &\necho started"),
        (("bash", "main.sh"), ("bash", "-c", GONE_WITHIN_A_SECOND)),
        "ok",
        "^$",
        step=1,
    ),
    Case(
        "environment_is_clean",
        bash('echo "$HOME|$TMPDIR|$PATH|${DATAGEN_SECRET:-unset}"; [ "$HOME" = "$PWD" ]'),
        RUN_BASH,
        "ok",
        "^$",
        stdout=r"^(/tmp/run-\d+)\|\1\|/usr/local/bin:/usr/bin:/bin\|unset\n$",
    ),
]


@pytest.fixture(scope="module")
def results() -> Iterator[dict[str, CommandResult]]:
    os.environ["DATAGEN_SECRET"] = "hunter2"  # must not reach a run
    jobs: list[CommandJob | ExecutionJob] = [
        CommandJob(
            id=case.id,
            files=case.files,
            steps=tuple(
                CommandStep(argv=argv, wall_seconds=case.wall_seconds) for argv in case.steps
            ),
            processes=case.processes,
            memory_bytes=case.memory_bytes,
        )
        for case in CASES
    ]
    jobs.insert(3, ExecutionJob(id="python_job", code="def f(): return 6 * 7", entry_point="f"))
    try:
        with Sandbox(limits=LIMITS, workers=2) as box:
            uids = box.isolation.run_uids
            batch = box.run_batch(jobs)
            deadline = time.monotonic() + 5
            while processes_of(uids) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not processes_of(uids), processes_of(uids)
    finally:
        del os.environ["DATAGEN_SECRET"]
        LISTENER.close()
    assert batch[3].output == "42"  # a Python job in the same batch, in its place
    yield {result.id: result for result in batch if isinstance(result, CommandResult)}


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in CASES])
def test_command_escape_ends_only_its_run(results: dict[str, CommandResult], case: Case) -> None:
    result = results[case.id]
    assert re.fullmatch(case.status, result.status), result
    assert re.search(case.reason, result.reason), result
    assert result.step == case.step, result
    assert re.search(case.stdout, result.stdout), result


def test_exit_codes_are_reported(results: dict[str, CommandResult]) -> None:
    assert results["fails"].exit_code == 3
    assert results["passes"].exit_code == 0
    assert results["sleeps"].exit_code is None
    assert results["sleeps"].duration_s < 3.5


def test_a_job_needs_steps_and_relative_file_names() -> None:
    step = CommandStep(argv=("true",))
    with pytest.raises(ValueError, match="at least one step"):
        CommandJob(id="x", files={}, steps=())
    for name in ("/etc/passwd", "../up", "a//b", ""):
        with pytest.raises(ValueError, match="relative paths"):
            CommandJob(id="x", files={name: ""}, steps=(step,))
    with pytest.raises(ValueError, match="processes"):
        CommandJob(id="x", files={}, steps=(step,), processes=100_000)
    with pytest.raises(ValueError, match="argv"):
        CommandStep(argv=())


def test_a_tool_folder_below_a_private_tmp_folder_stays_runnable() -> None:
    """A checkout in ``mktemp -d`` (mode 0700, below /tmp, which runs see as a fresh tmpfs)
    keeps its node_modules: the folder is bound back in, read-only, at its own path."""
    with tempfile.TemporaryDirectory() as private:
        tools = os.path.join(private, "node_modules", "bin")
        os.makedirs(tools)
        script = os.path.join(tools, "tool.sh")
        with open(script, "w") as handle:
            handle.write("echo tool ran\n")
        os.chmod(os.path.join(private, "node_modules"), 0o755)
        os.chmod(tools, 0o755)
        os.chmod(script, 0o666)  # only the read-only bind can refuse a write
        steps = (CommandStep(argv=("bash", script)), CommandStep(argv=("touch", script)))
        job = CommandJob(id="tool", files={}, steps=steps)
        with Sandbox(limits=LIMITS, workers=1, tool_dirs=[os.path.dirname(tools)]) as box:
            (result,) = box.run_batch([job])
            assert any("tool folder" in line for line in box.isolation.active)
        with Sandbox(limits=LIMITS, workers=1) as box:
            (unbound,) = box.run_batch([CommandJob(id="x", files={}, steps=steps[:1])])
    assert (result.status, result.step) == ("error", 1), result  # ran, then could not write
    assert "Read-only" in result.stdout
    assert unbound.status == "error" and "No such file" in unbound.stdout
