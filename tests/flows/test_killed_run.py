"""A ``datagen run`` killed by SIGKILL, the CLI process alone, leaves no process behind.

The CLI starts Prefect's ephemeral API server (uvicorn), for ``--runner ray`` a local Ray
cluster, and for TeaR the sandbox zygote; none of them is told when the CLI is SIGKILLed. The
tests wait until those processes run, record every descendant of the CLI, kill the CLI alone
(not its process group), and expect every recorded process, and every process still carrying
the run's mark, to be gone within a few seconds; the run's private Prefect home goes too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from datagen.flows.run_guard import MARK_VARIABLE, marked_processes

from .conftest import SOURCE

STARTUP_DEADLINE_S = 300.0
GONE_DEADLINE_S = 15.0


def _processes() -> dict[int, tuple[int, str, str]]:
    """pid → (parent pid, state, command line) of every live process."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            command = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        table[int(entry.name)] = (int(fields[1]), fields[0], command)
    return table


def _descendants(root: int) -> dict[int, str]:
    table = _processes()
    found, frontier = {}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _, command) in table.items():
            if ppid == parent and pid not in found:
                found[pid] = command
                frontier.append(pid)
    return found


def _alive(pids: set[int]) -> dict[int, str]:
    table = _processes()
    return {p: table[p][2] for p in pids if p in table and table[p][1] != "Z"}


def _run_mark(children: dict[int, str]) -> str | None:
    """The mark in the environment of Prefect's server, which the CLI started."""
    (server,) = [pid for pid, command in children.items() if "uvicorn" in command]
    environ = Path(f"/proc/{server}/environ").read_bytes().split(b"\0")
    prefix = f"{MARK_VARIABLE}=".encode()
    marks = [v[len(prefix) :].decode() for v in environ if v.startswith(prefix)]
    return marks[0] if marks else None


def _kill_cli_alone_once_running(
    args: list[str], store: Path, ready: Callable[[dict[int, str]], bool]
) -> None:
    # Without the session's server: the CLI starts its own ephemeral API, whose end is tested.
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["DATAGEN_STORE"] = str(store)
    cli = subprocess.Popen(
        [sys.executable, "-m", "datagen.flows.cli", *args],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + STARTUP_DEADLINE_S
        while not ready(children := _descendants(cli.pid)):
            if cli.poll() is not None:
                pytest.fail(f"the run ended before it was killed:\n{cli.stderr.read()[-3000:]}")
            assert time.monotonic() < deadline, f"not ready in time; running: {children}"
            time.sleep(0.05)
        mark = _run_mark(children)
        homes = list((store / "_prefect").iterdir())
        os.kill(cli.pid, signal.SIGKILL)  # the CLI alone, not its process group
        cli.wait()

        deadline = time.monotonic() + GONE_DEADLINE_S
        while (left := _alive(set(children))) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert left == {}, f"still running {GONE_DEADLINE_S:.0f} s after the CLI died: {left}"
        assert mark is not None and marked_processes(mark) == []
        assert len(homes) == 1 and not homes[0].exists(), "the private Prefect home is left"
    finally:
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
            cli.wait()
        cli.stderr.close()


def _has(*needles: str) -> Callable[[dict[int, str]], bool]:
    return lambda children: all(any(n in c for c in children.values()) for n in needles)


def test_a_killed_toolpref_run_on_ray_leaves_neither_prefect_nor_ray(tmp_path: Path) -> None:
    args = ["run", "toolpref", "--source", str(SOURCE), "--samples", "1", "--runner", "ray"]
    # Ray's own processes (gcs_server, raylet) and its workers, besides Prefect's server.
    _kill_cli_alone_once_running(
        args, tmp_path / "store", _has("uvicorn", "gcs_server", "raylet", "default_worker")
    )


def _many_functions(path: Path, count: int = 300) -> Path:
    """Distinct small functions with several inputs each, so the sandbox (whose zygote lives
    only while the execute stage runs) is busy for seconds, not a fraction of one."""
    rows = [
        {
            "id": f"f{i}",
            "code": f"def f{i}(x):\n    return x * {i} + {i + 1}\n",
            "entry_point": f"f{i}",
            "inputs": [[n] for n in range(4)],
        }
        for i in range(count)
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_a_killed_tear_run_leaves_neither_prefect_nor_the_sandbox(tmp_path: Path) -> None:
    source = _many_functions(tmp_path / "functions.jsonl")
    args = ["run", "tear", "--source", str(source), "--samples", "1", "--dedup-threshold", "1"]
    _kill_cli_alone_once_running(
        args, tmp_path / "store", _has("uvicorn", "datagen.verifiers.sandbox.zygote")
    )
