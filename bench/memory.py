"""Peak memory of ToolPref's scoring and pairing as the number of candidates grows.

    python bench/memory.py [--sizes 100000,300000,1000000] [--samples 4] [--shard-size 500]
                           [--smoke]

For each size, synthetic tasks and their generated candidates (the shapes of
``bench/orchestration.py``: a few tools, most answers right, some wrong) are written as
task and generation shards, as the flow's generate stage leaves them. A fresh process then
runs what the flow runs after generation, with the flow's own functions: the score stage per
shard (``run_shard_stage``: score, validate, store), selection over every scored shard
(difficulty filter, pairing, balance, critique rows, validated) and staging the rows for
publishing (``stage_version``). Its peak resident set (``VmHWM``) is the figure: the goal is
<= 2 GiB at 1M candidates, flat as size grows.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from datagen.generators.sampling import stable_int
from datagen.generators.toolpref.formats import segment_conversation
from datagen.schemas import records_to_table

try:
    from bench.machine import describe_machine
    from bench.orchestration import answer_text, task_row
except ImportError:  # run as a script from bench/
    from machine import describe_machine
    from orchestration import answer_text, task_row

SCHEMAS = {"task": "toolpref/task.v1", "generation": "toolpref/generation.v1"}


def _vm(field: str) -> int:
    """A ``/proc/self/status`` size in bytes (``VmHWM`` is the peak resident set)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def write_inputs(root: Path, *, candidates: int, samples: int, shard_size: int) -> int:
    """Task and generation shards for ``candidates // samples`` tasks; returns the shard count."""
    tasks_total = candidates // samples
    shards = 0
    for start in range(0, tasks_total, shard_size):
        tasks, generated = [], []
        for index in range(start, min(start + shard_size, tasks_total)):
            row, calls = task_row(index)
            task = segment_conversation(row["messages"], row["tools"], record_id=f"bench/{index}")
            tasks += task
            for sample in range(samples):
                draw = stable_int("memory", index, sample)
                generated.append(
                    {
                        "candidate_id": f"{task[0]['task_id']}#{sample}",
                        "task_id": task[0]["task_id"],
                        "sample_index": sample,
                        "engine": "fake-latency",
                        "model": "fake-fixed-latency",
                        "temperature": (0.7, 1.0)[sample % 2],
                        "prompt_variant": ("direct", "careful")[sample // 2 % 2],
                        "tool_order": ("given", "shuffled")[draw % 2],
                        "seed": draw % 2**31,
                        "text": answer_text(calls, draw=draw),
                        "native_calls": None,
                        "finish_reason": "stop",
                        "completion_tokens": 40,
                        "prompt_tokens": 200,
                    }
                )
        for kind, records in (("task", tasks), ("generation", generated)):
            pq.write_table(
                records_to_table(SCHEMAS[kind], records), root / f"{kind}-{shards:05d}.parquet"
            )
        shards += 1
    return shards


def measure(root: Path) -> dict:
    """Score every shard, select pairs and stage the rows, as the flow does; in this process."""
    from datagen.catalog import Store
    from datagen.flows.publish import stage_version
    from datagen.flows.stages import Shard, run_shard_stage
    from datagen.flows.toolpref import SCHEMAS as FLOW_SCHEMAS
    from datagen.flows.toolpref import ShardStage, pipeline
    from datagen.generators.toolpref.pairs import PairingConfig

    baseline = _vm("VmRSS")
    start = time.perf_counter()
    stage = ShardStage(
        name="toolpref-score", output_schema=FLOW_SCHEMAS["candidate"], run=pipeline.score_stage
    )
    tasks = [Shard.of(p, SCHEMAS["task"]) for p in sorted(root.glob("task-*.parquet"))]
    generated = [
        Shard.of(p, SCHEMAS["generation"]) for p in sorted(root.glob("generation-*.parquet"))
    ]
    scored = [
        run_shard_stage.fn(stage, [g, t], root / "work")
        for g, t in zip(generated, tasks, strict=True)
    ]
    scoring = time.perf_counter() - start
    store = Store(root / "store")
    selector = pipeline.Selector(config=PairingConfig(), work_dir=store.staging_dir())
    for task_shard, result in zip(tasks, scored, strict=True):
        selector.add(pipeline.ShardInputs(task_shard.path, result.shard.path))
    selection = selector.finish()
    staged = stage_version(
        store=store, dataset="bench", schema_id=FLOW_SCHEMAS["critique"],
        parts=selection.rows.files,
        params={}, lineage=[], counts=selection.counts, quarantine={}, stats={},
    )  # fmt: skip
    return {
        "baseline": baseline,
        "peak": _vm("VmHWM"),
        "score_s": scoring,
        "select_s": time.perf_counter() - start - scoring,
        "rows": sum(pq.read_metadata(f).num_rows for f in staged.files),
    }


def run_size(candidates: int, *, samples: int, shard_size: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="datagen-memory-") as folder:
        root = Path(folder)
        write_inputs(root, candidates=candidates, samples=samples, shard_size=shard_size)
        done = subprocess.run(
            [sys.executable, __file__, "--measure", str(root)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"measuring {candidates} candidates failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--shard-size", type=int, default=500, help="tasks per shard")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run that checks the script works"
    )
    args = parser.parse_args()
    if args.measure:  # the fresh child process
        print(json.dumps(measure(args.measure)))
        return
    sizes = [500, 1_500] if args.smoke else [int(s) for s in args.sizes.split(",")]
    print(f"machine: {describe_machine()}")
    print(f"{args.samples} candidates per task, shards of {args.shard_size} tasks")
    peaks = []
    for size in sizes:
        found = run_size(size, samples=args.samples, shard_size=args.shard_size)
        peaks.append(found["peak"])
        print(
            f"candidates {size:>9,}: peak RSS {found['peak'] / 2**30:6.2f} GiB "
            f"(after imports {found['baseline'] / 2**30:.2f} GiB), "
            f"score {found['score_s']:6.1f} s, select + stage {found['select_s']:6.1f} s, "
            f"{found['rows']:,} critique rows"
        )
    print(
        f"peak RSS growth {sizes[0]:,} -> {sizes[-1]:,} candidates: "
        f"x{peaks[-1] / peaks[0]:.2f} for x{sizes[-1] / sizes[0]:.0f} candidates"
    )


if __name__ == "__main__":
    main()
