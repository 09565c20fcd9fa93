"""Running a benchmark script in ``--smoke`` mode, the way every smoke test does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_smoke(script: str, *, timeout: float = 300) -> str:
    """Run ``bench/<script> --smoke`` in a fresh interpreter; its stdout, after checking that
    it exited 0 and described the machine it ran on (every figure needs its machine)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--smoke"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "machine:" in done.stdout
    return done.stdout
