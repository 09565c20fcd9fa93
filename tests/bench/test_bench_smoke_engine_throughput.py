"""``bench/engine_throughput.py --smoke`` runs the real vLLM engine (CPU build, tiny model) and
prints its figures; the ratio is not asserted (a 4-prompt round is all noise).

The figures are measured by the script at full size, side by side with ``LLM.generate``, and
recorded in BENCHMARKS.md; this test keeps the script and its shared-``LLM`` set-up working,
and checks that both sides did the same work (same texts, same token counts).
"""

from __future__ import annotations

import re

import pytest

from .smoke import run_smoke

pytestmark = pytest.mark.vllm


def test_engine_throughput_benchmark_runs_both_sides_and_prints_their_ratio() -> None:
    stdout = run_smoke("engine_throughput.py", timeout=600)
    assert re.search(r"^engine: vllm:\S+tiny-qwen2\?\S*enforce_eager=1", stdout, re.M)
    assert "4 prompts x 1 repeats, max_tokens 8" in stdout
    assert "same texts on both sides: 1 of 1 repeats" in stdout, "same work on both sides"
    side_line = (
        r"^(datagen|raw) *: +([0-9.]+) tokens/s \((\d+) tokens in [0-9.]+ s, [0-9.]+ s CPU\)$"
    )
    sides = {
        name: (float(rate), int(tokens))
        for name, rate, tokens in re.findall(side_line, stdout, re.M)
    }
    assert set(sides) == {"datagen", "raw"}, stdout
    assert sides["datagen"][1] == sides["raw"][1], "both sides generate the same tokens"
    assert 0 < sides["datagen"][1] <= 4 * 8
    assert all(rate > 0 for rate, _ in sides.values())
    ratio = re.search(r"^ratio datagen/raw: ([0-9.]+) \(per repeat: median [0-9.]+", stdout, re.M)
    assert ratio and float(ratio[1]) > 0, stdout
    assert re.search(r"^ratio datagen/raw by this process's CPU time: [0-9.]+$", stdout, re.M)
