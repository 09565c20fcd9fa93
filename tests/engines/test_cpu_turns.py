"""Embedded engines take turns on the CPU across processes, and a waiting one is served next.

Each test runs a second, real process that takes turns through the same lock folder and
writes what it did to a log; the order of the log lines is the assertion.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from datagen.generators.engines import Request, Sampling
from datagen.generators.engines.cpu_turns import CpuTurns

OTHER_PROCESS = """
import sys, time
from pathlib import Path
from datagen.generators.engines.cpu_turns import CpuTurns

folder, log, hold = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
turns = CpuTurns(folder)
with log.open("a") as out:
    print("waiting", file=out, flush=True)
    with turns.take():
        print("other has the turn", file=out, flush=True)
        time.sleep(hold)
        print("other gives it back", file=out, flush=True)
"""


def _start_other(folder: Path, log: Path, hold: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", OTHER_PROCESS, str(folder), str(log), str(hold)])


def _wait_for_line(log: Path, line: str) -> None:
    deadline = time.monotonic() + 30
    while not (log.exists() and line in log.read_text().splitlines()):
        assert time.monotonic() < deadline, f"{line!r} never came: {log.read_text()!r}"
        time.sleep(0.02)


def _write(log: Path, line: str) -> None:
    with log.open("a") as out:
        print(line, file=out, flush=True)


def test_a_process_waiting_for_a_turn_gets_it_before_the_holder_takes_another(
    tmp_path: Path,
) -> None:
    turns, log = CpuTurns(tmp_path), tmp_path / "log"
    with turns.take():
        other = _start_other(tmp_path, log, hold=0.3)
        _wait_for_line(log, "waiting")
        time.sleep(0.3)  # the other process is now blocked on the turn
        assert "other has the turn" not in log.read_text()
        _write(log, "this gives it back")
    with turns.take():  # straight back in line: the waiting process goes first
        _write(log, "this has the turn again")
    assert other.wait(timeout=30) == 0
    assert log.read_text().splitlines() == [
        "waiting",
        "this gives it back",
        "other has the turn",
        "other gives it back",
        "this has the turn again",
    ]


def test_the_embedded_engine_waits_while_another_process_has_the_turn(
    embedded_engine, tmp_path: Path
) -> None:
    folder = embedded_engine._turns.turn_path.parent  # the machine-wide lock folder
    log = tmp_path / "log"
    other = _start_other(folder, log, hold=1.5)
    _wait_for_line(log, "other has the turn")
    request = Request(request_id="r", prompt="Hello", sampling=Sampling(max_tokens=2, seed=1))
    generating = threading.Thread(target=embedded_engine.generate, args=([request],))
    generating.start()
    generating.join(timeout=0.8)
    assert generating.is_alive(), "the engine generated while another process had the turn"
    generating.join(timeout=60)
    assert not generating.is_alive()
    assert other.wait(timeout=30) == 0
