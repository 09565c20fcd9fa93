"""Each benchmark script runs (``--smoke``) and prints its figure; the figures are not asserted.

Speed is measured by the scripts, side by side, and recorded in BENCHMARKS.md; these tests
only keep the scripts working.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("script", "figure"),
    [
        ("validator.py", r"ratio datagen/jsonschema: [0-9.]+x"),
        ("engine_overhead.py", r"ratio datagen/raw: [0-9.]+"),
        ("sandbox.py", r"ratio: +[0-9.]+×"),
    ],
)
def test_benchmark_script_runs_and_prints_its_figure(script: str, figure: str) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--smoke"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "machine:" in done.stdout
    assert re.search(figure, done.stdout), done.stdout
