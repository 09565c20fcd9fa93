"""ToolPref-Pairwise: pairwise preference data for tool-use reward models (ToolRM).

source → shard → generate → score → select (difficulty, pairs, balance, critique) →
validate → publish → report. Every step is a plain function in
``datagen.generators.toolpref``; this file only wires them to shards, the catalog and Prefect.
Each shard is scored as soon as it is generated and selected as soon as it is scored, so only
the last shard's work and the balancing wait for the engine to finish.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict
from functools import partial

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from datagen.catalog import LineageEntry, Store
from datagen.catalog.code_fingerprint import code_fingerprint
from datagen.catalog.work_cache import WorkCache
from datagen.flows.publish import (
    EmptyDatasetError,
    open_catalog,
    publish_version,
    stage_version,
)
from datagen.flows.stages import (
    ShardStage,
    fewer_gc_passes,
    iter_shards,
    read_quarantine,
    report_run,
    submit_shards,
    total_counts,
    validate_outcome,
)
from datagen.generators.engines import open_engine
from datagen.generators.report import render_report
from datagen.generators.sampling import SamplingPlan
from datagen.generators.sources import source_stage
from datagen.generators.toolpref import pipeline
from datagen.generators.toolpref.generate import GenerationConfig
from datagen.generators.toolpref.pairs import PairingConfig
from datagen.generators.toolpref.sources import interleave_categories, read_source
from datagen.schemas.records import StageCounts, StageOutcome

DATASET = "toolpref-pairwise"
SCHEMAS = {
    "task": "toolpref/task.v1",
    "generation": "toolpref/generation.v1",
    "candidate": "toolpref/candidate.v1",
    "critique": "toolpref/critique.v1",
}


@task(cache_policy=NO_CACHE)
def load_tasks(*, source: str, limit: int | None) -> tuple[StageOutcome, dict]:
    """Read and segment the source, keep the first ``limit`` of the interleaved order."""
    read = read_source(source)
    outcome = source_stage(read, limit=limit, order=interleave_categories)
    return validate_outcome(outcome, SCHEMAS["task"]), read.lineage


@flow(name="toolpref", log_prints=True)
@fewer_gc_passes()
def toolpref(
    *,
    source: str = "bfcl",
    limit: int | None = None,
    samples: int = 4,
    seed: int = 0,
    engine: str = "embedded",
    store: str | None = None,
    shard_size: int = 16,
    temperatures: tuple[float, ...] = (0.7, 1.0),
    max_tokens: int = 192,
    min_margin: float = 0.1,
    max_bucket_share: float = 0.25,
) -> dict:
    """Generate, score, pair, balance and publish a ToolPref-Pairwise version; returns its ref."""
    params = {k: v for k, v in locals().items() if k != "store"}
    where = Store.resolve(store)
    engines = tuple(e.strip() for e in engine.split("+"))  # "a+b" samples from both engines
    plan = SamplingPlan(engines=engines, temperatures=tuple(temperatures), samples_per_task=samples)
    generation = GenerationConfig(plan=plan, run_seed=seed, max_tokens=max_tokens)
    pairing = PairingConfig(min_margin=min_margin, max_bucket_share=max_bucket_share, seed=seed)

    catalog = open_catalog.submit(where.root)  # created or migrated beside the work
    source_outcome, source_lineage = load_tasks(source=source, limit=limit)
    generate_shard = ShardStage(
        name="toolpref-generate", output_schema=SCHEMAS["generation"],
        run=partial(pipeline.generate_stage, engines=open_engine, config=generation),
        config={"engine": engine, **asdict(generation)},
        code=code_fingerprint(pipeline.generate_stage),
    )  # fmt: skip
    score_shard = ShardStage(
        name="toolpref-score", output_schema=SCHEMAS["candidate"],
        run=lambda candidates, tasks: pipeline.score_stage(candidates, tasks=tasks),
        code=code_fingerprint(pipeline.score_stage),
    )  # fmt: skip
    tasks, generating, scoring = [], [], []
    for shard in iter_shards(  # each shard generates as soon as it is written
        WorkCache(where.work_dir), stage="tasks", schema_id=SCHEMAS["task"],
        records=source_outcome.records, shard_size=shard_size,
    ):  # fmt: skip
        tasks.append(shard)
        generating += submit_shards(generate_shard, [[shard]], where.work_dir)
        scoring += submit_shards(score_shard, [[generating[-1], shard]], where.work_dir)
    scratch = where.staging_dir()  # selection's critique parts, removed once staged
    selector = pipeline.Selector(config=pairing, work_dir=scratch)
    for task_shard, future in zip(tasks, scoring, strict=True):  # while later shards generate
        selector.add(pipeline.ShardInputs(task_shard.path, future.result().shard.path))
    selection = selector.finish()
    generated, scored = [g.result() for g in generating], [s.result() for s in scoring]
    counts = [
        StageCounts.of(source_outcome),
        total_counts("generate", generated),
        total_counts("score", scored),
        *selection.counts,
    ]
    balance = asdict(selection.balance)
    resumed = sum(r.resumed for r in generated)
    report_run(
        dataset=DATASET,
        title="ToolPref-Pairwise run",
        markdown=render_report(
            dataset=DATASET, counts=counts,
            notes=[f"{resumed} of {len(generated)} generation shards resumed from the store",
                   f"balance quota {balance['quota']} pairs per bucket (share {balance['share']})"],
            distributions={"labels": selection.labels,
                           **{f"pairs by {k}": v for k, v in balance["by_dimension"].items()}},
        ),
    )  # fmt: skip
    catalog.result()
    if not selection.rows:
        shutil.rmtree(scratch)
        raise EmptyDatasetError(DATASET, counts)
    staged = stage_version(
        store=where, dataset=DATASET, schema_id=SCHEMAS["critique"], parts=selection.rows.files,
        params=params | {"sampling_plan": plan.describe()},
        lineage=[
            LineageEntry(kind="source", ref=str(source_lineage.get("source", source)),
                         license=source_lineage.get("license"), details=source_lineage),
            *[LineageEntry(kind="source", ref=f"engine:{e}", details={"role": "generator"})
              for e in engines],
        ],
        counts=counts,
        quarantine={
            "source": source_outcome.quarantined,
            "generate": read_quarantine([g.quarantine_path for g in generated]),
            "score": read_quarantine([s.quarantine_path for s in scored]),
            "critique": selection.quarantined,
        },
        stats={"labels": selection.labels, "balance": balance},
    )  # fmt: skip
    shutil.rmtree(scratch)
    return publish_version(staged)
