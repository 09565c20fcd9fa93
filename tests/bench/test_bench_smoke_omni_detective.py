"""``bench/omni_detective.py --smoke`` runs the real omni-detective flow four times on the named
fake engine over one demo clip and prints its clips per minute; the figures are not asserted
(one clip is all start-up), the runs are: both cold runs analyse the clip and ask the engine,
the run with cached analyses analyses nothing, and the rerun resumes its shard.

The figures are measured by the script on the embedded engine over every demo clip and
recorded in BENCHMARKS.md; this test keeps the script and its cold/warm checks working.
"""

from __future__ import annotations

import re

from .smoke import run_smoke

ROW = (
    r"^(?P<label>fake:agent, .+?) +(?P<wall>[0-9.]+) +(?P<cpu>[0-9.]+) +(?P<rate>[0-9.]+) +"
    r"[0-9.]+ +(?P<requests>\d+) +\d+ +\d+ +(?P<analyses>\d+)  (?P<resumed>\d+ of \d+) +\S+$"
)


def test_omni_detective_benchmark_runs_cold_and_warm_and_prints_clips_per_minute() -> None:
    stdout = run_smoke("omni_detective.py")
    assert re.search(r"^flow: omni-detective, 1 of \d+ demo clips \(", stdout, re.M), stdout
    assert "inquiries 1, turn tokens 64" in stdout
    rows = [m.groupdict() for m in re.finditer(ROW, stdout, re.M)]
    labels = [r["label"] for r in rows]
    assert labels == [
        "fake:agent, cold",
        "fake:agent, cold",
        "fake:agent, analyses cached (seed 1)",
        "fake:agent, rerun (shards resumed)",
    ], stdout
    first, second, cached, rerun = rows
    for cold in (first, second):
        assert int(cold["requests"]) > 0 and int(cold["analyses"]) > 0
        assert cold["resumed"] == "0 of 1"
    assert int(cached["requests"]) > 0 and cached["analyses"] == "0"
    assert cached["resumed"] == "0 of 1"
    assert (rerun["requests"], rerun["analyses"], rerun["resumed"]) == ("0", "0", "1 of 1")
    assert all(float(r["rate"]) > 0 for r in rows)
    assert re.search(r"^clips/min fake:agent: [0-9.]+$", stdout, re.M)
    assert re.search(r"^ratio fake:agent/fake:agent clips per minute: [0-9.]+$", stdout, re.M)
    assert re.search(r"^ratio fake:agent/fake:agent by CPU time .*: [0-9.]+ \(", stdout, re.M)
    assert re.search(r"^fake:agent run: engine turns in flight [0-9.]+ s \(\d+%\)", stdout, re.M)
    assert re.search(r"^fake:agent run: observers' analyses -?[0-9.]+ s", stdout, re.M)
    assert re.search(r"^warm rerun, every shard resumed: [0-9.]+ s$", stdout, re.M)
