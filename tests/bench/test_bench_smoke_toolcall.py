"""``bench/toolcall_scorer.py --smoke`` runs and prints its figure; the figure is not asserted.

The speed is measured by the script, side by side with BFCL's checker, and recorded in
BENCHMARKS.md; this test only keeps the script working (it needs the pinned BFCL wheel).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_toolcall_scorer_benchmark_runs_and_prints_its_ratio() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "toolcall_scorer.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "machine:" in done.stdout
    for subset in ("all", "valid", "invalid"):
        assert re.search(rf"^  {subset} +[0-9,]+ +[0-9,]+ +[0-9,]+ +[0-9.]+x$", done.stdout, re.M)
    assert re.search(r"ratio datagen/bfcl: [0-9.]+x", done.stdout), done.stdout
