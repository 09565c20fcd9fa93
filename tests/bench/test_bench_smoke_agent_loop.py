"""``bench/agent_loop.py --smoke`` runs the batched agent loop and the one-at-a-time loop on the
real vLLM engine (CPU build, tiny model) and prints their turns/s; the ratio is not asserted (a
2-trajectory round is all start-up), the work is: both sides make every forced tool turn."""

from __future__ import annotations

import re

import pytest

from .smoke import run_smoke

pytestmark = pytest.mark.vllm


def test_agent_loop_benchmark_runs_both_sides_and_prints_their_ratio() -> None:
    stdout = run_smoke("agent_loop.py", timeout=600)
    assert "2 trajectories x 1 turns x 1 repeats" in stdout
    sides = dict(
        re.findall(r"^(batched|one at a time) *: +[0-9.]+ turns/s \((\d+) turns", stdout, re.M)
    )
    assert sides == {"batched": "2", "one at a time": "2"}, stdout
    ratio = re.search(r"^ratio batched/one at a time: ([0-9.]+)$", stdout, re.M)
    assert ratio and float(ratio[1]) > 0, stdout
