"""ToolPref-Pairwise: pairwise preference data for tool-use reward models (ToolRM).

source → decontaminate → shard → generate → score → select (difficulty, pairs, balance, critique) →
validate → publish → report. Every step is a plain function in
``datagen.generators.toolpref``; this file only wires them to shards, the catalog and Prefect.
Each shard is scored as soon as it is generated and selected as soon as it is scored, so only
the last shard's work and the balancing wait for the engine to finish.
"""

# No ``from __future__ import annotations`` here: Prefect builds the flow's parameter model from
# its annotations, and through ``fewer_gc_passes``' wrapper it cannot resolve them as strings.

from dataclasses import asdict
from functools import partial

from prefect import flow

from datagen.catalog import Store
from datagen.catalog.work_cache import WorkCache
from datagen.flows.decontaminate import decontaminate, load_benchmarks
from datagen.flows.ledger import Ledger, finish_run
from datagen.flows.publish import open_catalog
from datagen.flows.stages import (
    ShardStage,
    fewer_gc_passes,
    iter_shards,
    scratch_folder,
    submit_shards,
    validate_outcome,
)
from datagen.generators.config import to_json
from datagen.generators.decontaminate import toolpref_texts
from datagen.generators.engines import open_engine
from datagen.generators.sources import source_stage
from datagen.generators.toolpref import pipeline
from datagen.generators.toolpref.critique_rows import CRITIQUE_SCHEMA
from datagen.generators.toolpref.generate import generate_stage
from datagen.generators.toolpref.paper_stats import paper_comparison
from datagen.generators.toolpref.recipe import RECIPE, ToolPrefConfig
from datagen.generators.toolpref.sources import interleave_sources, merge_reads, read_sources
from datagen.generators.toolpref.stage_configs import stage_configs

SCHEMAS = {
    "task": "toolpref/task.v1",
    "generation": "toolpref/generation.v1",
    "candidate": "toolpref/candidate.v1",
    "critique": CRITIQUE_SCHEMA,
}


@flow(name="toolpref", log_prints=True)
@fewer_gc_passes()
def toolpref(config: ToolPrefConfig, *, store: str | None = None) -> dict:
    """Generate, score, pair, balance and publish a ToolPref-Pairwise version; returns its ref."""
    where, ledger = Store.resolve(store), Ledger(RECIPE.dataset)
    plan, generation, pairing, critique = stage_configs(config)
    benchmarks = load_benchmarks(config.benchmarks, store=where)  # unreadable: before any work
    catalog = open_catalog.submit(where.root)  # created or migrated beside the work
    reads = read_sources(config.source, fmt=config.source_format, every_turn=config.every_turn)
    for source, read in zip(config.source, reads, strict=True):
        ledger.source(read.lineage, default=source)
    sourced = source_stage(merge_reads(reads), limit=config.limit, order=interleave_sources)
    valid = ledger.outcome(validate_outcome(sourced, SCHEMAS["task"]))
    tasks = decontaminate(ledger, valid, benchmarks, texts=toolpref_texts)
    generate = ShardStage(
        name="toolpref-generate",
        output_schema=SCHEMAS["generation"],
        run=partial(generate_stage, config=generation),
        config={"engine": config.engine, **asdict(generation)},
        engines=open_engine,
    )
    score = ShardStage(
        name="toolpref-score",
        output_schema=SCHEMAS["candidate"],
        run=partial(pipeline.score_stage, rule=config.rule),
        config={"rule": config.rule},
    )
    task_shards, generating, scoring = [], [], []
    cache = WorkCache(where.work_dir)
    for shard in iter_shards(
        cache, stage="tasks", schema_id=SCHEMAS["task"], records=tasks, shard_size=config.shard_size
    ):  # each generates once written
        task_shards.append(shard)
        generating += submit_shards(generate, [[shard]], where.work_dir)
        scoring += submit_shards(score, [[generating[-1], shard]], where.work_dir)
    with scratch_folder(where) as scratch:  # selection's critique parts, until staged
        selector = pipeline.Selector(config=pairing, critique=critique, work_dir=scratch)
        for task_shard, scored in zip(task_shards, scoring, strict=True):
            selector.add(pipeline.ShardInputs(task_shard.path, scored.result().shard.path))
        selection = selector.finish()
        ledger.shards([g.result() for g in generating], "generate")
        ledger.shards([s.result() for s in scoring], "score")
        for spec in config.engines:
            ledger.engine(spec, role="generator")
        account_selection(ledger, selection)
        catalog.result()
        return finish_run(
            ledger,
            store=where,
            schema_id=SCHEMAS["critique"],
            parts=selection.rows.files,
            params=to_json(config) | {"sampling_plan": plan.describe()},
            title="ToolPref-Pairwise run",
        )


def account_selection(ledger: Ledger, selection: pipeline.Selection) -> None:
    """The report's view of selection: its counts, balance, drops, and the paper beside it."""
    ledger.counts += selection.counts
    ledger.quarantined("critique", selection.quarantined)
    balance, stats = asdict(selection.balance), selection.statistics
    ledger.notes.append(balance["note"] or f"balance quota {balance['quota']} pairs per group")
    ledger.notes += paper_comparison(
        rows=len(selection.rows), labels=selection.labels, statistics=stats
    )
    dropped = selection.difficulty
    ledger.reasons.update({f"difficulty_filter: {k}": n for k, n in dropped.items() if n})
    ledger.distributions = {
        "labels": selection.labels,
        "tasks dropped by the difficulty filter": dropped,
        **{f"pairs by {k}": v for k, v in balance["by_dimension"].items()},
    }
    ledger.stats = {
        "labels": selection.labels, "balance": balance, "difficulty": dropped, "pairs": stats
    }  # fmt: skip
