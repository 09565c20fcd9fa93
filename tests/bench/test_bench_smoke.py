"""Each benchmark script runs (``--smoke``) and prints its figure; the figures are not asserted.

Speed is measured by the scripts, side by side, and recorded in BENCHMARKS.md; these tests
only keep the scripts working.
"""

from __future__ import annotations

import re

import pytest

from .smoke import run_smoke


@pytest.mark.parametrize(
    ("script", "figure"),
    [
        ("validator.py", r"ratio datagen/jsonschema: [0-9.]+x"),
        ("engine_overhead.py", r"ratio datagen/raw: [0-9.]+"),
        ("embedded_samples.py", r"ratio n requests of one/one request with n: [0-9.]+"),
        ("sandbox.py", r"ratio: +[0-9.]+×"),
        ("llama_build.py", r"generate_tps: .*; ratio a/b: [0-9.]+"),
        ("embedded_concurrency.py", r"ratio at once/one after the other: [0-9.]+"),
        ("bm25_batch.py", r"same hits: True\n(.|\n)*ratio batched/one per call: [0-9.]+"),
        ("verify_code.py", r"same verdicts: True\n(.|\n)*ratio verify code/plain loop: [0-9.]+"),
        ("omni_tools.py", r"asr: [0-9.]+ s of audio per s of compute(.|\n)*cuts found: .*: right"),
    ],
)
def test_benchmark_script_runs_and_prints_its_figure(script: str, figure: str) -> None:
    stdout = run_smoke(script)
    assert re.search(figure, stdout), stdout
