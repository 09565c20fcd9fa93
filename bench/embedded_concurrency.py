"""Two embedded ``datagen run toolpref`` at once vs the same two runs one after the other.

    python bench/embedded_concurrency.py [--limits 6,8] [--samples 3] [--max-tokens 192]
                                         [--shared-prefect]
    python bench/embedded_concurrency.py --smoke

Every run is the real command line into a fresh store of its own (no resume cache shared), on
BFCL tasks, each with its own ephemeral Prefect API as a user's run has, or with
``--shared-prefect`` (and ``--smoke``) all on one API the script starts, which takes the
seconds each API needs to start out of both sides. The two runs go first one after the
other, then both at once; the figure is the wall time at once ÷ one after the other (goal
≤ 1.1: embedded engines take turns on the CPU, ``generators/engines/cpu_turns.py``, instead of
spinning against each other).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    from bench.machine import describe_machine
except ImportError:  # run as a script from bench/
    from machine import describe_machine


def start_run(store: Path, *, limit: int, samples: int, max_tokens: int) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "datagen.flows.cli", "run", "toolpref", "--limit", str(limit),
        "--samples", str(samples), "--max-tokens", str(max_tokens),
    ]  # fmt: skip
    env = os.environ | {"DATAGEN_STORE": str(store)}
    return subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def start_shared_prefect(folder: Path) -> None:
    """Start one Prefect API for every run; its URL reaches them through the environment."""
    from datagen.catalog import Store
    from datagen.flows.runtime import api_for_workers, prepare_prefect

    prepare_prefect(Store(folder))
    print(f"prefect: one shared API at {api_for_workers()}")


def wait_all(runs: list[subprocess.Popen]) -> None:
    """Wait for every run; status 3 (all stages ran, nothing left to publish) counts as done."""
    for run in runs:
        _, stderr = run.communicate()
        if run.returncode not in (0, 3):
            raise SystemExit(f"a run exited {run.returncode}:\n{stderr[-3000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limits", default="6,8", help="tasks of the two runs")
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=192)
    parser.add_argument("--shared-prefect", action="store_true", help="one Prefect API for all")
    parser.add_argument(
        "--smoke", action="store_true", help="two tiny runs (1 task, 1 sample, 1 token), shared API"
    )
    args = parser.parse_args()
    limits = [1, 1] if args.smoke else [int(n) for n in args.limits.split(",")]
    # smoke: one candidate of one token per run; each prompt's evaluation is most of a run's
    # engine time, and every candidate re-evaluates it
    samples, max_tokens = (1, 1) if args.smoke else (args.samples, args.max_tokens)
    if len(limits) != 2:
        parser.error("--limits takes two numbers")

    print(f"machine: {describe_machine()}")
    with tempfile.TemporaryDirectory(prefix="datagen-bench-") as folder:
        if args.shared_prefect or args.smoke:
            start_shared_prefect(Path(folder) / "prefect")
        stores = iter(Path(folder) / f"store-{i}" for i in range(4))
        options = {"samples": samples, "max_tokens": max_tokens}
        start = time.perf_counter()
        for limit in limits:
            wait_all([start_run(next(stores), limit=limit, **options)])
        sequential = time.perf_counter() - start
        start = time.perf_counter()
        wait_all([start_run(next(stores), limit=limit, **options) for limit in limits])
        concurrent = time.perf_counter() - start
    print(f"runs: --limit {limits[0]} and --limit {limits[1]}, --samples {samples}")
    print(f"one after the other: {sequential:.1f} s; at once: {concurrent:.1f} s")
    print(f"ratio at once/one after the other: {concurrent / sequential:.3f}")


if __name__ == "__main__":
    main()
