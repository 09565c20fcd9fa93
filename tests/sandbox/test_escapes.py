"""Every way out of the box, run as one batch: each ends that run alone, with its reason.

The whole table goes through the shared sandbox in a single ``run_batch``, so the runaways
run beside well-behaved jobs, and the test of each row reads its own result. Each row's
code defines ``f``, called with no arguments unless the row says otherwise.
"""

from __future__ import annotations

import re
import socket
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from datagen.verifiers.sandbox import ExecutionJob, ExecutionResult, Sandbox
from tests.sandbox.helpers import NEEDS_ROOT

pytestmark = NEEDS_ROOT

LISTENER = socket.socket()
LISTENER.bind(("127.0.0.1", 0))
LISTENER.listen()
PORT = LISTENER.getsockname()[1]
"""A port that accepts connections from the host, to prove runs cannot reach it."""


@dataclass(frozen=True)
class Case:
    id: str
    code: str
    status: str
    reason: str
    """A pattern the result's reason must match."""
    output: str | None = None
    args: tuple = ()


CASES = [
    Case("returns", "def f(a, b): return a + b", "ok", "^$", "40", args=(17, 23)),
    Case("raises", "def f(): return 1 / 0", "error", "^ZeroDivisionError: division by zero$"),
    Case("sys_exit", "import sys\ndef f(): sys.exit()", "error", "^SystemExit$"),
    Case("sys_exit_code", "import sys\ndef f(): sys.exit(3)", "error", "^SystemExit: 3$"),
    Case("ctrl_c", "def f(): raise KeyboardInterrupt", "error", "^KeyboardInterrupt$"),
    Case("os_exit", "import os\ndef f(): os._exit(3)", "error", "exited with code 3 and no"),
    Case("os_exit_zero", "import os\ndef f(): os._exit(0)", "error", "unreadable report"),
    Case(
        "sigkill_self",
        "import os, signal\ndef f(): os.kill(os.getpid(), signal.SIGKILL)",
        "killed",
        "^killed by signal SIGKILL$",
    ),
    Case("abort", "import os\ndef f(): os.abort()", "killed", "^killed by signal SIGABRT$"),
    Case("segfault", "import ctypes\ndef f(): ctypes.string_at(0)", "killed", "SIGSEGV$"),
    Case(
        "c_stack_overflow",
        """
        import json, sys
        sys.setrecursionlimit(10**7)
        def f():
            x = []
            for _ in range(10**5):
                x = [x]
            return json.dumps(x, check_circular=False)
        """,
        "killed",
        "SIGSEGV$",
    ),
    Case("busy_loop", "def f():\n    while True: pass", "timeout", "^(CPU|wall) time limit"),
    Case("sleep", "import time\ndef f(): time.sleep(60)", "timeout", "^wall time limit of 3 s"),
    Case("memory_bomb", "def f(): return bytearray(1 << 30)", "error", "^MemoryError$"),
    Case(
        "memory_creep",
        """
        def f():
            chunks = []
            while True:
                chunks.append(bytearray(1 << 20))
        """,
        "error",
        "^MemoryError$",
    ),
    Case(
        "print_flood",
        "def f():\n    while True: print('x' * 1000)",
        "killed",
        "^printed output exceeded the limit of 65536 bytes$",
    ),
    Case("one_giant_print", "def f(): print('x' * 50_000_000)", "killed", "^printed output"),
    Case("write_tmp", "def f(): open('/tmp/x', 'w')", "error", "^PermissionError.*'/tmp/x'"),
    Case("write_dev_shm", "def f(): open('/dev/shm/x', 'w')", "error", "Read-only file system"),
    Case("write_project", "def f(): open('/work/x', 'w')", "error", "Read-only file system"),
    Case(
        "write_own_folder",
        "def f():\n    open('mine', 'w').write('hi')\n    return open('mine').read()",
        "ok",
        "^$",
        "'hi'",
    ),
    Case(
        "big_file",
        "def f(): open('big', 'wb').write(bytes(64 << 20))",
        "error",
        "^OSError: .*File too large",
    ),
    Case(
        "connect_host",
        f"import socket\ndef f(): socket.create_connection(('127.0.0.1', {PORT}), timeout=2)",
        "error",
        "Network is unreachable",
    ),
    Case("kill_zygote", "import os\ndef f(): os.kill(os.getppid(), 9)", "error", "^Permission"),
    Case("kill_init", "import os\ndef f(): os.kill(1, 9)", "error", "^PermissionError"),
    Case("become_root", "import os\ndef f(): os.setuid(0)", "error", "^PermissionError"),
    Case("close_report_pipe", "import os\ndef f(): os.close(3)", "error", "could not report"),
    Case("forged_report", "import os\ndef f(): os.write(3, b'{\"x')", "error", "unreadable"),
    Case("read_stdin", "def f(): return input()", "error", "^EOFError: EOF when reading a line$"),
    Case("syntax_error", "def f(:\n    pass", "error", "^SyntaxError"),
    Case("no_entry_point", "def g(): return 1", "error", "^NameError: entry point 'f' is not"),
    Case("entry_not_callable", "f = 3", "error", "^TypeError: entry point 'f' is a int$"),
    Case(
        "bad_repr",
        """
        class A:
            def __repr__(self):
                raise ValueError("no repr")
        def f():
            return A()
        """,
        "error",
        "^ValueError: no repr$",
    ),
    Case(
        "thread_left_running",
        """
        import threading
        def spin():
            while True:
                pass
        def f():
            threading.Thread(target=spin).start()
            return "done"
        """,
        "ok",
        "^$",
        "'done'",
    ),
    Case(
        "child_left_running",
        """
        import os, time
        def f():
            if os.fork() == 0:
                time.sleep(600)
            return "parent"
        """,
        "ok",
        "^$",
        "'parent'",
    ),
    Case(
        "stdlib_import",
        "import fractions, statistics\ndef f(): return statistics.mean([fractions.Fraction(1)])",
        "ok",
        "^$",
        "Fraction(1, 1)",
    ),
]


@pytest.fixture(scope="module")
def results(sandbox: Sandbox) -> Iterator[dict[str, ExecutionResult]]:
    jobs = [
        ExecutionJob(id=case.id, code=textwrap.dedent(case.code), entry_point="f", args=case.args)
        for case in CASES
    ]
    yield {result.id: result for result in sandbox.run_batch(jobs)}
    LISTENER.close()


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in CASES])
def test_escape_ends_only_its_run(results: dict[str, ExecutionResult], case: Case) -> None:
    result = results[case.id]
    assert (result.status, result.output) == (case.status, case.output), result
    assert re.search(case.reason, result.reason), result.reason


def test_the_port_runs_cannot_reach_is_open_to_the_host() -> None:
    """The control of the network case: outside the sandbox the same port answers."""
    with socket.create_connection(("127.0.0.1", PORT), timeout=2) as client:
        accepted, _ = LISTENER.accept()
        with accepted:
            client.sendall(b"ping")
            assert accepted.recv(4) == b"ping"


def test_flooded_output_is_kept_up_to_the_limit(results: dict[str, ExecutionResult]) -> None:
    flood = results["print_flood"].stdout
    assert len(flood) == 64 << 10
    assert set(flood) == {"x", "\n"}
