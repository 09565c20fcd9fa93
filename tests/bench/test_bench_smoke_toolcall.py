"""``bench/toolcall_scorer.py --smoke`` runs and prints its figure; the figure is not asserted.

The speed is measured by the script, side by side with BFCL's checker, and recorded in
BENCHMARKS.md; this test only keeps the script working (it needs the pinned BFCL wheel).
"""

from __future__ import annotations

import re

from .smoke import run_smoke


def test_toolcall_scorer_benchmark_runs_and_prints_its_ratio() -> None:
    stdout = run_smoke("toolcall_scorer.py")
    for subset in ("all", "valid", "invalid"):
        assert re.search(rf"^  {subset} +[0-9,]+ +[0-9,]+ +[0-9,]+ +[0-9.]+x$", stdout, re.M)
    assert re.search(r"ratio datagen/bfcl: [0-9.]+x", stdout), stdout
