"""``datagen verify execution`` through the real CLI: one line out per line in, exit 0."""

from __future__ import annotations

import json
import subprocess
import sys


def test_cli_runs_jobs_and_reports_each_line() -> None:
    jobs = [
        {
            "id": "add",
            "code": "def f(a, b):\n    return a + b",
            "entry_point": "f",
            "args": "(17, 23)",
        },
        {"id": "div", "code": "def f(a):\n    return 1 / a", "entry_point": "f", "args": "(0,)"},
        {
            "id": "exit",
            "code": "import sys\ndef f():\n    sys.exit(2)",
            "entry_point": "f",
            "args": "()",
        },
        {"id": "loop", "code": "def f():\n    while True: pass", "entry_point": "f", "args": "()"},
    ]
    lines = [json.dumps(job) for job in jobs] + ["{broken"]
    done = subprocess.run(
        [sys.executable, "-m", "datagen.flows.cli", "verify", "execution", "-"],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = {r["id"]: r for r in map(json.loads, done.stdout.splitlines()) if r["id"] != "line 5"}
    assert out["add"]["status"] == "ok" and out["add"]["output"] == "40"
    assert out["div"]["status"] == "error" and out["div"]["reason"].startswith("ZeroDivisionError")
    assert out["exit"]["status"] == "error" and "SystemExit" in out["exit"]["reason"]
    assert out["loop"]["status"] == "timeout"
    assert len(done.stdout.splitlines()) == 5
