"""``bench/orchestration.py --smoke`` runs the real ToolPref flow on its fake engine and prints
the overhead figure; the figure is not asserted (a 200-task run is all start-up and noise).

The figure itself is measured by the script at 10k tasks and recorded in BENCHMARKS.md; this
test keeps the script, its fake engine and the engine registry working.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_orchestration_benchmark_runs_the_flow_and_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "orchestration.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "machine:" in done.stdout
    shape = r"run: 200 tasks x 2 samples, .* (\d+) requests .* published (\d+) rows"
    run = re.search(shape, done.stdout)
    assert run and int(run[1]) == 400 and int(run[2]) > 0, done.stdout
    engine = re.search(r"engine busy time +: +([0-9.]+) s", done.stdout)
    assert engine and float(engine[1]) >= 0.8, "400 requests at 2 ms keep the engine busy 0.8 s"
    for share in ("flow call", "whole run"):
        assert re.search(rf"overhead share of the {share}: -?[0-9.]+ %", done.stdout), done.stdout
