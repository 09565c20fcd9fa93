"""``bench/memory.py --smoke`` measures peak memory of scoring and pairing at two small sizes
and prints the figures; the figures are not asserted (small runs are dominated by imports).

The figures at 100k-1M candidates are measured by the script and recorded in BENCHMARKS.md;
this test keeps the script and its fresh-process measurement working.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_memory_benchmark_runs_and_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "memory.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "machine:" in done.stdout
    sizes = re.findall(
        r"^candidates +([0-9,]+): peak RSS +([0-9.]+) GiB .* ([0-9,]+) critique rows$",
        done.stdout,
        re.M,
    )
    assert [s for s, _, _ in sizes] == ["2,000", "6,000"], done.stdout
    for _, peak, rows in sizes:
        assert 0 < float(peak) < 2 and int(rows.replace(",", "")) > 0
    assert re.search(r"peak RSS growth 2,000 -> 6,000 candidates: x[0-9.]+", done.stdout)
