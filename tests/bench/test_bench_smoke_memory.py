"""``bench/memory.py --smoke`` measures peak memory of scoring and pairing at two small sizes
and prints the figures; the figures are not asserted (small runs are dominated by imports).

The figures at 100k-1M candidates are measured by the script and recorded in BENCHMARKS.md;
this test keeps the script and its fresh-process measurement working.
"""

from __future__ import annotations

import re

from .smoke import run_smoke


def test_memory_benchmark_runs_and_prints_its_figures() -> None:
    stdout = run_smoke("memory.py")
    sizes = re.findall(
        r"^candidates +([0-9,]+): peak RSS +([0-9.]+) GiB .* ([0-9,]+) critique rows$",
        stdout,
        re.M,
    )
    assert [s for s, _, _ in sizes] == ["500", "1,500"], stdout
    for _, peak, rows in sizes:
        assert 0 < float(peak) < 2 and int(rows.replace(",", "")) > 0
    assert re.search(r"peak RSS growth 500 -> 1,500 candidates: x[0-9.]+", stdout)
