"""Batches through the real sandbox: order, parallelism, size, determinism, clean state."""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import threading
import time

import pytest

from datagen.verifiers.sandbox import ExecutionJob, Limits, Sandbox, SandboxError
from tests.sandbox.helpers import NEEDS_ROOT, TIGHT, processes_of

pytestmark = NEEDS_ROOT


def job(job_id: object, code: str, *args: object, **options: object) -> ExecutionJob:
    return ExecutionJob(id=job_id, code=code, entry_point="f", args=args, **options)


SQUARE = "def f(x):\n    return x * x"
CHILD_LEFT_RUNNING = """
import os, time
def f():
    if os.fork() == 0:
        time.sleep(600)
    return 1
"""
TIMES = """
import time
def f(pause):
    start = time.monotonic()
    time.sleep(pause)
    return (start, time.monotonic())
"""


def test_runaways_end_alone_and_the_rest_come_back_ok(sandbox: Sandbox) -> None:
    runaways = [
        job("loop", "def f():\n    while True: pass"),
        job("sleep", "import time\ndef f(): time.sleep(60)"),
        job("flood", "def f():\n    while True: print('x' * 1000)"),
    ]
    squares = [job(n, SQUARE, n) for n in range(20)]
    results = sandbox.run_batch(runaways + squares)
    assert [r.status for r in results[:3]] == ["timeout", "timeout", "killed"]
    assert [(r.id, r.status, r.output) for r in results[3:]] == [
        (n, "ok", repr(n * n)) for n in range(20)
    ]


def test_results_keep_the_order_of_the_jobs(sandbox: Sandbox) -> None:
    pauses = [0.3, 0.0, 0.2, 0.0, 0.1, 0.0]
    results = sandbox.run_batch([job(i, TIMES, pause) for i, pause in enumerate(pauses)])
    assert [r.id for r in results] == list(range(len(pauses)))
    assert all(r.status == "ok" for r in results)


def test_runs_happen_in_parallel(sandbox: Sandbox) -> None:
    first, second = sandbox.run_batch([job("a", TIMES, 0.5), job("b", TIMES, 0.5)])
    (start_a, end_a), (start_b, end_b) = map(ast.literal_eval, (first.output, second.output))
    assert max(start_a, start_b) < min(end_a, end_b), "the two runs did not overlap"


def test_a_return_value_of_megabytes_comes_back_whole(sandbox: Sandbox) -> None:
    code = "def f(n):\n    return ''.join(chr(65 + i % 26) for i in range(n))"
    (result,) = sandbox.run_batch([job("big", code, 1_500_000)])
    expected = "".join(chr(65 + i % 26) for i in range(1_500_000))
    assert result.status == "ok"
    assert result.output == repr(expected)


def test_a_return_value_over_the_result_limit_is_an_error(sandbox: Sandbox) -> None:
    (result,) = sandbox.run_batch([job("huge", "def f(): return 'a' * (5 << 20)")])
    assert (result.status, result.output) == ("error", None)
    assert result.reason.startswith("ResultTooLarge: the repr of the return value has 5242882")


def test_printed_output_and_kwargs_come_back(sandbox: Sandbox) -> None:
    code = """
import sys
def f(a, *, b):
    print("out", a)
    print("err", b, file=sys.stderr)
    return a + b
"""
    (result,) = sandbox.run_batch(
        [ExecutionJob(id=1, code=code, entry_point="f", args=(2,), kwargs={"b": 3})]
    )
    assert (result.status, result.output) == ("ok", "5")
    assert sorted(result.stdout.splitlines()) == ["err 3", "out 2"]


DETERMINISTIC = """
import random
def f():
    words = {"apple", "banana", "cherry", "date", "elder", "fig", "grape"}
    return [hash("abc"), list(words), random.random(), random.randrange(10**9)]
"""


def test_same_inputs_same_outputs_across_runs_and_sandboxes(sandbox: Sandbox) -> None:
    jobs = [job(i, DETERMINISTIC) for i in range(4)]
    first = sandbox.run_batch(jobs)
    with Sandbox(limits=TIGHT, workers=1) as other:
        second = other.run_batch(jobs)
    outputs = {r.output for r in first + second}
    assert len(outputs) == 1 and first[0].status == "ok", outputs


def test_every_run_starts_from_clean_modules(sandbox: Sandbox) -> None:
    meddle = """
import collections, math, sys
def f():
    math.pi = 3
    collections.MARK = 1
    sys.modules["injected"] = math
    sys.path.insert(0, "/nowhere")
"""
    look = """
import collections, math, sys
def f():
    marked = hasattr(collections, "MARK")
    return (math.pi, marked, "injected" in sys.modules, "/nowhere" in sys.path)
"""
    assert sandbox.run_batch([job("meddle", meddle)])[0].status == "ok"
    (result,) = sandbox.run_batch([job("look", look)])
    assert result.output == "(3.141592653589793, False, False, False)"


def test_the_line_trace_has_each_step_and_its_locals(sandbox: Sandbox) -> None:
    code = "def f(x):\n    y = x * 2\n    return y + 1"
    (result,) = sandbox.run_batch([job("t", code, 3, trace=True)])
    assert result.output == "7"
    assert result.trace == [
        {"line": 2, "locals": {"x": "3"}},
        {"line": 3, "locals": {"x": "3", "y": "6"}},
    ]
    assert not result.trace_truncated


def test_a_long_trace_stops_at_the_step_limit_and_survives_an_error(sandbox: Sandbox) -> None:
    code = (
        "def f():\n    total = 0\n    for i in range(1000):\n        total += i\n    return 1 / 0"
    )
    (result,) = sandbox.run_batch([job("long", code, trace=True)])
    assert (result.status, result.reason) == ("error", "ZeroDivisionError: division by zero")
    assert len(result.trace) == TIGHT.trace_steps
    assert result.trace_truncated


def test_no_trace_unless_asked(sandbox: Sandbox) -> None:
    (result,) = sandbox.run_batch([job("plain", SQUARE, 4)])
    assert (result.trace, result.trace_truncated) == (None, False)


def test_an_abandoned_iteration_does_not_leak_into_the_next(sandbox: Sandbox) -> None:
    results = sandbox.run_iter(
        [job("first", SQUARE, 2), job("slow", TIMES, 0.3), job("third", SQUARE, 3)]
    )
    assert next(results).output == "4"
    results.close()
    assert [r.output for r in sandbox.run_batch([job("next", SQUARE, 5)])] == ["25"]


def test_the_isolation_report_has_everything_on(sandbox: Sandbox) -> None:
    assert sandbox.isolation.missing == ()
    assert len(sandbox.isolation.run_uids) == 8  # four per worker


def test_sandboxes_alive_together_never_share_a_run_user(sandbox: Sandbox) -> None:
    with Sandbox(limits=TIGHT, workers=1) as other:
        assert not set(other.isolation.run_uids) & set(sandbox.isolation.run_uids)
        assert len(other.isolation.run_uids) == 4


def test_the_process_limit_binds_the_run_user() -> None:
    count_forks = """
import os, time
def f():
    children = 0
    while True:
        try:
            pid = os.fork()
        except OSError:
            return children
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        children += 1
"""
    with Sandbox(limits=Limits(processes=5, wall_seconds=5), workers=1) as box:
        (result,) = box.run_batch([job("count", count_forks)])
    assert (result.status, result.output) == ("ok", "4")  # the runner is the fifth


def test_a_fork_bomb_is_contained_and_cleaned_up() -> None:
    bomb = """
import os
def f():
    while True:
        try:
            os.fork()
        except OSError:
            pass
"""
    limits = Limits(cpu_seconds=1, wall_seconds=2.0, processes=16)
    with Sandbox(limits=limits, workers=2) as box:
        uids = box.isolation.run_uids
        bombed, after = box.run_batch([job("bomb", bomb), job("after", SQUARE, 9)])
        assert bombed.status == "timeout", bombed
        assert (after.status, after.output) == ("ok", "81")
        assert _eventually_empty(uids), processes_of(uids)
        assert box.run_batch([job("later", SQUARE, 7)])[0].output == "49"
    assert subprocess.run(["true"], timeout=10).returncode == 0


def test_closing_stops_everything_and_refuses_more_jobs() -> None:
    box = Sandbox(limits=TIGHT, workers=1)
    uids = box.isolation.run_uids
    box.run_batch(
        [
            job("child", CHILD_LEFT_RUNNING),
        ]
    )
    box.close()
    assert _eventually_empty(uids), processes_of(uids)
    with pytest.raises(SandboxError, match="closed"):
        box.run_batch([job("late", SQUARE, 1)])


def test_a_dead_zygote_fails_the_batch_loudly_and_leaves_nothing() -> None:
    forks_and_waits = "import os, time\ndef f():\n    os.fork()\n    time.sleep(600)"
    before = _zygotes()
    box = Sandbox(limits=Limits(wall_seconds=60), workers=1)
    (zygote,) = _zygotes() - before
    uids = box.isolation.run_uids
    errors: list[BaseException] = []

    def run() -> None:
        try:
            box.run_batch([job("stuck", forks_and_waits)])
        except BaseException as exc:
            errors.append(exc)

    batch = threading.Thread(target=run)
    batch.start()
    deadline = time.monotonic() + 10
    while len(processes_of(uids)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(processes_of(uids)) == 2, "the run and its child never started"
    os.kill(zygote, signal.SIGKILL)
    batch.join(timeout=30)
    assert [type(error) for error in errors] == [SandboxError]
    assert "exited unexpectedly" in str(errors[0])
    box.close()
    assert _eventually_empty(uids), processes_of(uids)


def _zygotes() -> set[int]:
    """Pids of this process's children that are sandbox zygotes."""
    found = set()
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{name}/cmdline", "rb") as handle:
                command = handle.read()
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and b"sandbox.zygote" in command:
            found.add(int(name))
    return found


def _eventually_empty(uids: tuple[int, ...], *, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while processes_of(uids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
