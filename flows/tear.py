"""TeaR: curated code-execution reasoning tasks ("what does f(x) return?") for RL.

source → curate (static filters, complexity band, dedup, sandbox execution twice, run filters)
→ solve (K engine samples per task, sharded and resumable) → difficulty band → pass-rate
balance → validate → publish → report. Every step is a plain function in
``datagen.generators.tear``; this file only wires them to shards, the sandbox and Prefect.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from datagen import verifiers
from datagen.catalog import LineageEntry, Store
from datagen.catalog.work_cache import WorkCache
from datagen.flows.publish import EmptyDatasetError, publish_version, stage_version
from datagen.flows.stages import (
    ShardStage,
    code_fingerprint,
    concat_records,
    map_shards,
    read_quarantine,
    report_run,
    total_counts,
    validate_outcome,
    write_shards,
)
from datagen.generators.engines import open_engine
from datagen.generators.outcome import StageCounts, StageOutcome
from datagen.generators.report import render_report
from datagen.generators.tear import pipeline, tasks
from datagen.generators.tear.complexity import Band
from datagen.generators.tear.sources import read_functions
from datagen.verifiers.sandbox import Limits

DATASET = "tear"
SCHEMAS = {
    "function": "tear/function.v1",
    "task": "tear/task.v1",
    "attempt": "tear/attempt.v1",
    "rl": "tear/rl.v1",
}


@task(cache_policy=NO_CACHE)
def curate_tasks(
    *, source: str, limit: int | None, inputs_per_function: int, band: Band,
    max_output_chars: int, dedup_threshold: float, shard_size: int, cache_root: Path,
):  # fmt: skip
    """Read functions, run them in the sandbox, filter, and shard the surviving tasks."""
    from datagen.verifiers.sandbox import Sandbox

    read = read_functions(source, inputs_per_function=inputs_per_function)
    functions = validate_outcome(pipeline.source_stage(read, limit=limit), SCHEMAS["function"])
    limits = Limits(cpu_seconds=2, wall_seconds=5.0, trace_steps=band.max_trace_steps + 1)
    with Sandbox(limits=limits) as sandbox:
        curated = pipeline.curate_stage(
            functions.records, sandbox=sandbox, band=band,
            max_output_chars=max_output_chars, dedup_threshold=dedup_threshold,
        )  # fmt: skip
    built = validate_outcome(
        StageOutcome("tasks", len(curated.tasks), curated.tasks), SCHEMAS["task"]
    )
    shards = write_shards(
        WorkCache(cache_root), stage="tear-tasks", schema_id=SCHEMAS["task"],
        records=built.records, shard_size=shard_size,
    )  # fmt: skip
    counts = [StageCounts.of(functions), *curated.counts, StageCounts.of(built)]
    return shards, counts, functions.quarantined + built.quarantined, curated.reasons, read.lineage


@flow(name="tear", log_prints=True)
def tear(
    *,
    source: str = "humaneval",
    limit: int | None = None,
    inputs_per_function: int = 3,
    samples: int = 4,
    seed: int = 0,
    engine: str = "embedded",
    store: str | None = None,
    shard_size: int = 16,
    temperature: float = 0.8,
    max_tokens: int = 48,
    min_pass_rate: float = 0.01,
    max_pass_rate: float = 0.99,
    max_bucket_share: float = 0.5,
    max_output_chars: int = 200,
    max_ast_nodes: int = 400,
    max_depth: int = 4,
    max_trace_steps: int = 600,
    dedup_threshold: float = 0.9,
) -> dict:
    """Curate, solve, balance and publish a TeaR version; returns its ref."""
    params = {k: v for k, v in locals().items() if k != "store"}
    where = Store.resolve(store)
    band = Band(max_ast_nodes=max_ast_nodes, max_depth=max_depth, max_trace_steps=max_trace_steps)
    shards, curate_counts, quarantined, reasons, lineage = curate_tasks(
        source=source, limit=limit, inputs_per_function=inputs_per_function, band=band,
        max_output_chars=max_output_chars, dedup_threshold=dedup_threshold,
        shard_size=shard_size, cache_root=where.work_dir,
    )  # fmt: skip
    solve = dict(engine=engine, samples=samples, temperature=temperature,
                 max_tokens=max_tokens, seed=seed)  # fmt: skip
    solved = map_shards(
        ShardStage(
            name="tear-solve", output_schema=SCHEMAS["attempt"], config=solve,
            run=partial(pipeline.solve_stage, engines=open_engine, **solve),
            code=code_fingerprint(pipeline, tasks, verifiers),
        ),
        [[shard] for shard in shards], where.work_dir,
    )  # fmt: skip
    selection = pipeline.select_stage(
        concat_records(shards), concat_records([s.shard for s in solved]),
        min_pass_rate=min_pass_rate, max_pass_rate=max_pass_rate,
        max_bucket_share=max_bucket_share, seed=seed,
    )  # fmt: skip
    final = validate_outcome(selection.outcomes[-1], SCHEMAS["rl"])
    counts = [
        *curate_counts,
        total_counts("solve", solved),
        StageCounts.of(selection.outcomes[0]),
        StageCounts.of(final),
    ]
    balance = asdict(selection.balance)
    distributions = pipeline.complexity_distributions(final.records)
    report_run(
        dataset=DATASET,
        title="TeaR run",
        markdown=render_report(
            dataset=DATASET, counts=counts,
            notes=[f"{sum(r.resumed for r in solved)} of {len(solved)} solve shards resumed",
                   f"balance: max share {max_bucket_share} per pass-rate bucket "
                   f"{balance['note']}".strip()],
            distributions={"filter reasons": dict(reasons.most_common()),
                           "pass rate before balance": balance["before"],
                           "pass rate after balance": balance["after"], **distributions},
        ),
    )  # fmt: skip
    if not final.records:
        raise EmptyDatasetError(DATASET, counts)
    staged = stage_version(
        store=where, dataset=DATASET, schema_id=SCHEMAS["rl"], rows=final.records,
        params=params,
        lineage=[
            LineageEntry(kind="source", ref=str(lineage.get("source", source)),
                         license=lineage.get("license"), details=lineage),
            LineageEntry(kind="source", ref=f"engine:{engine}", details={"role": "solver"}),
        ],
        counts=counts,
        quarantine={
            "source": quarantined,
            "solve": read_quarantine([s.quarantine_path for s in solved]),
            "rl": final.quarantined,
        },
        stats={"balance": balance, "complexity": distributions,
               "filter_reasons": dict(reasons)},
    )  # fmt: skip
    return publish_version(staged)
