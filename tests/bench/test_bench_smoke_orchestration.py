"""``bench/orchestration.py --smoke`` runs the real ToolPref flow on its fake engine and prints
the overhead figure; the figure is not asserted (a 40-task run is all start-up and noise).

The figure itself is measured by the script at 10k tasks and recorded in BENCHMARKS.md; this
test keeps the script, its fake engine and the engine registry working.
"""

from __future__ import annotations

import re

from .smoke import run_smoke


def test_orchestration_benchmark_runs_the_flow_and_prints_its_figures() -> None:
    stdout = run_smoke("orchestration.py")
    shape = r"run: 40 tasks x 2 samples, .* (\d+) requests .* published (\d+) rows"
    run = re.search(shape, stdout)
    assert run and int(run[1]) == 80 and int(run[2]) > 0, stdout
    engine = re.search(r"engine busy time +: +([0-9.]+) s", stdout)
    assert engine and float(engine[1]) >= 0.16, "80 requests at 2 ms keep the engine busy 0.16 s"
    for share in ("flow call", "whole run"):
        assert re.search(rf"overhead share of the {share}: -?[0-9.]+ %", stdout), stdout
